"""The minutes: drafted from the 14 September 2022 record, edited, published as a draft, placed on
the next agenda and in its pack, approved there, after which the record is locked."""

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from boards.models import AgendaItem, AgendaPack, Meeting
from boards.packs import build_pack
from interests.models import Declaration
from interests.services import declaration_record
from members.models import Attendance
from members.services import AttendanceRefused, attendance_record
from minutes import services
from minutes.drafting import minutes_item_vote
from minutes.models import Minutes
from minutes.selectors import minutes_for_agenda, next_meeting
from reports import demo as demo_content


@pytest.fixture
def demo(demo_record_open):
    """The demo with 14 September 2022's record open (tests/conftest.py): these tests edit it."""
    return demo_record_open


PART2_MARKER = "zqpart2minute"


def pdf_text(data):
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def add_part2_item(meeting, decision=f"Award to bidder B {PART2_MARKER}"):
    return AgendaItem.objects.create(
        meeting=meeting, position=90, kind=AgendaItem.Kind.OTHER, title="Contract award (exempt)",
        own_is_exempt=True, own_exempt_paragraph=3, decision=decision,
    )  # fmt: skip


@pytest.fixture
def drafted(demo):
    return services.minutes_draft(meeting=demo.meeting, user=demo.clerk)


def test_the_draft_is_written_from_the_record(demo, drafted):
    body = drafted.body
    record = demo.meeting.attendances.all()
    present = [a.member for a in record if a.status == Attendance.Status.PRESENT]
    apologies = [a for a in record if a.status != Attendance.Status.PRESENT]
    assert present and apologies
    assert all(f"<li>{m}</li>" in body for m in present) and "Councillor Councillor" not in body
    substituted = [a for a in apologies if a.substitute_id]
    assert substituted and f"{substituted[0].substitute} (substitute for {substituted[0].member})" in body
    assert "Apologies" in body and "quorate" in body
    # The seed item, numbered as the agenda numbers it, with its decision and its declaration.
    assert f"4. {demo.seed.subject}" in body
    assert demo_content.SEED_DECISION.split("\n")[0][:60] in body
    assert "Trustee of Sefton Carers Centre" in body
    assert "1. Apologies for Absence" in body
    assert drafted.exempt_body == ""
    assert drafted.status == Minutes.Status.DRAFT and not drafted.is_public
    # The demo's show of hands on the seed report, with its mover and seconder.
    vote = minutes_item_vote(demo.seed.agenda_item)
    assert "Carried: 3 for, 0 against, 1 abstention." in vote and vote.startswith("Moved by ")
    assert vote in body
    assert (
        minutes_item_vote(AgendaItem.objects.filter(meeting=demo.meeting).exclude(pk=demo.seed.agenda_item.pk).first())
        is None
    )


def test_part2_goes_only_in_the_part2_minutes(demo, login):
    add_part2_item(demo.meeting)
    minutes = services.minutes_draft(meeting=demo.meeting, user=demo.clerk)
    assert PART2_MARKER in minutes.exempt_body
    assert PART2_MARKER not in minutes.body
    assert "Contract award (exempt)" in minutes.body and "paragraph 3" in minutes.body
    services.minutes_publish(meeting=demo.meeting, user=demo.clerk)
    visitor = Client()
    page = visitor.get(f"/meetings/{demo.meeting.pk}/minutes/")
    assert page.status_code == 200 and PART2_MARKER not in page.content.decode()
    assert "Draft, subject to approval" in page.content.decode()
    data = visitor.get(f"/meetings/{demo.meeting.pk}/minutes.pdf").content
    text = pdf_text(data)
    assert "Draft, subject to approval" in text and PART2_MARKER not in text.replace("\n", "")
    assert "Contract award (exempt)" in text


def test_the_clerk_edits_publishes_and_the_visitor_reads(demo, login, drafted):
    url = f"/meetings/{demo.meeting.pk}/minutes/"
    assert Client().get(url).status_code == 404  # not published yet
    clerk = login(demo.clerk)
    page = clerk.get(url).content.decode()
    assert "Draft again from the record" in page and "due by" in page
    response = clerk.post(url, {"body": "<p>Edited minute.</p><script>alert(1)</script>", "exempt_body": ""})
    assert response.status_code == 302
    assert Minutes.objects.get(pk=drafted.pk).body == "<p>Edited minute.</p>"
    assert clerk.post(f"/meetings/{demo.meeting.pk}/minutes/publish/").status_code == 302
    minutes = Minutes.objects.get(pk=drafted.pk)
    assert minutes.status == Minutes.Status.PUBLISHED and minutes.published_at
    clerk.logout()
    assert "Edited minute." in Client().get(url).content.decode()
    # Published twice: refused with a message, nothing changed.
    with pytest.raises(services.MinutesRefused, match="already published"):
        services.minutes_publish(meeting=demo.meeting, user=demo.clerk)


def test_the_public_statuses_are_read_from_one_queryset_method_and_the_property_agrees(demo, drafted):
    """Minutes.objects.public() (the public page, the next agenda, the feed) and Minutes.is_public."""
    for status, public in [("draft", False), ("published", True), ("approved", True)]:
        Minutes.objects.filter(pk=drafted.pk).update(status=status)
        minutes = Minutes.objects.get(pk=drafted.pk)
        assert minutes.is_public is public
        assert list(Minutes.objects.public()) == ([minutes] if public else [])


def test_the_due_date_counts_working_days(demo, settings):
    settings.MINUTES_DRAFT_WORKING_DAYS = 10
    # Wednesday 14 September 2022: ten working days later, with the state funeral's bank holiday (19th).
    assert services.minutes_due(demo.meeting) == dt.date(2022, 9, 29)


def test_not_before_the_meeting_and_not_for_others(demo, login):
    upcoming = next_meeting(demo.meeting)
    clerk = login(demo.clerk)
    response = clerk.post(f"/meetings/{upcoming.pk}/minutes/", {"action": "draft"})
    assert response.status_code == 400
    assert "once the meeting has been held" in response.content.decode()
    assert not Minutes.objects.exists()
    clerk.logout()
    member = login(demo.member)
    assert member.post(f"/meetings/{demo.meeting.pk}/minutes/", {"action": "draft"}).status_code == 404
    assert member.post(f"/meetings/{demo.meeting.pk}/minutes/publish/").status_code == 404
    assert not Minutes.objects.exists()


def test_too_long_keeps_what_was_typed(demo, login, drafted):
    typed = "<p>" + "x" * (services.MAX_LENGTH + 10) + "</p>"
    response = login(demo.clerk).post(f"/meetings/{demo.meeting.pk}/minutes/", {"body": typed, "exempt_body": ""})
    assert response.status_code == 400
    assert "x" * 1000 in response.content.decode()
    assert Minutes.objects.get(pk=drafted.pk).body == drafted.body


def test_published_minutes_go_in_the_next_meetings_pack(demo, drafted, django_capture_on_commit_callbacks):
    upcoming = next_meeting(demo.meeting)
    assert minutes_for_agenda(upcoming) is None
    services.minutes_publish(meeting=demo.meeting, user=demo.clerk)
    assert minutes_for_agenda(upcoming) == drafted
    built = build_pack(upcoming, AgendaPack.Edition.PUBLIC)
    text = pdf_text(built.pdf)
    assert "Minutes of the Health" in text or f"Minutes of the {demo.board}" in text.replace("\n", " ")
    assert "Draft, subject to approval" in text
    outline = [item.title for item in PdfReader(io.BytesIO(built.pdf)).outline if not isinstance(item, list)]
    assert any("Minutes of the Previous Meeting" in title for title in outline)


def test_the_part2_minutes_go_in_the_next_meetings_members_pack_and_never_its_public_pack(demo):
    add_part2_item(demo.meeting)
    services.minutes_draft(meeting=demo.meeting, user=demo.clerk)
    services.minutes_publish(meeting=demo.meeting, user=demo.clerk)
    upcoming = next_meeting(demo.meeting)
    public = build_pack(upcoming, AgendaPack.Edition.PUBLIC).pdf
    members = build_pack(upcoming, AgendaPack.Edition.MEMBERS).pdf
    front = build_pack(upcoming, AgendaPack.Edition.FRONT_SHEET).pdf
    public_text, members_text = pdf_text(public).replace("\n", ""), pdf_text(members).replace("\n", " ")
    # Both print the public minutes, which name the Part 2 item only as the agenda does.
    assert "Contract award (exempt)" in public_text and "Contract award (exempt)" in members_text
    assert PART2_MARKER not in public_text and PART2_MARKER not in pdf_text(front).replace("\n", "")
    assert PART2_MARKER in members_text.replace(" ", "")
    assert "Part 2 minutes of the" in members_text and "sent to the members of the board only" in members_text
    assert "Part 2 minutes of the" not in public_text

    def bookmarks(data):
        outline = PdfReader(io.BytesIO(data)).outline
        return [child.title for entry in outline if isinstance(entry, list) for child in entry]

    assert any(title.startswith("Part 2 minutes: ") for title in bookmarks(members))
    assert not any(title.startswith("Part 2 minutes") for title in bookmarks(public))


def test_publishing_rebuilds_a_published_next_agenda(demo, drafted, django_capture_on_commit_callbacks):
    upcoming = next_meeting(demo.meeting)
    Meeting.objects.filter(pk=upcoming.pk).update(agenda_published_at=timezone.now())
    before = Meeting.objects.get(pk=upcoming.pk).agenda_version
    with django_capture_on_commit_callbacks() as callbacks:
        services.minutes_publish(meeting=demo.meeting, user=demo.clerk)
    assert Meeting.objects.get(pk=upcoming.pk).agenda_version == before + 1
    assert callbacks  # the packs' rebuild is queued


def test_approval_waits_for_the_next_meeting_then_locks_the_record(demo, login, drafted):
    services.minutes_publish(meeting=demo.meeting, user=demo.clerk)
    clerk = login(demo.clerk)
    response = clerk.post(f"/meetings/{demo.meeting.pk}/status/", {"action": "minutes"}, follow=True)
    assert "which has not been held yet" in response.content.decode()
    assert Minutes.objects.get(pk=drafted.pk).status == Minutes.Status.PUBLISHED
    upcoming = next_meeting(demo.meeting)
    Meeting.objects.filter(pk=upcoming.pk).update(starts_at=timezone.now() - dt.timedelta(hours=2))
    clerk.post(f"/meetings/{demo.meeting.pk}/status/", {"action": "minutes"})
    minutes = Minutes.objects.get(pk=drafted.pk)
    assert minutes.status == Minutes.Status.APPROVED and minutes.approved_at_meeting_id == upcoming.pk
    assert minutes.stamp.startswith("Approved ")
    assert Meeting.objects.get(pk=demo.meeting.pk).status == Meeting.Status.MINUTES_APPROVED
    text = pdf_text(Client().get(f"/meetings/{demo.meeting.pk}/minutes.pdf").content)
    assert minutes.stamp in text
    # The record is locked: the minutes, attendance and declarations refuse changes.
    response = clerk.post(f"/meetings/{demo.meeting.pk}/minutes/", {"body": "<p>Later</p>", "exempt_body": ""})
    assert response.status_code == 400 and Minutes.objects.get(pk=drafted.pk).body == drafted.body
    with pytest.raises(services.MinutesRefused, match="approved"):
        services.minutes_draft(meeting=demo.meeting, user=demo.clerk)
    with pytest.raises(AttendanceRefused, match="approved"):
        attendance_record(meeting=demo.meeting, user=demo.clerk, entries={}, others=[])
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="approved"):
        declaration_record(
            meeting=Meeting.objects.get(pk=demo.meeting.pk), item=demo.seed.agenda_item, member=demo.member,
            user=demo.clerk, kind=Declaration.Kind.PECUNIARY, nature="Late", conduct=Declaration.Conduct.LEFT,
        )  # fmt: skip


def test_draft_minutes_are_not_approved(demo, drafted):
    upcoming = next_meeting(demo.meeting)
    Meeting.objects.filter(pk=upcoming.pk).update(starts_at=timezone.now() - dt.timedelta(hours=2))
    with pytest.raises(services.MinutesRefused, match="Publish the minutes"):
        services.minutes_approve(meeting=demo.meeting, user=demo.clerk)
    assert Meeting.objects.get(pk=demo.meeting.pk).status == Meeting.Status.HELD


def _page_queries(url):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    cache.clear()
    client.get(url)  # per-process caches warm
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.content)


def test_the_public_page_costs_the_same_queries_with_3_items_as_with_30(demo, drafted):
    """The page prints one stored text, whatever the meeting's record holds: no query per item."""
    services.minutes_publish(meeting=demo.meeting, user=demo.clerk)
    url = f"/meetings/{demo.meeting.pk}/minutes/"
    small, small_size = _page_queries(url)
    for n in range(30):
        AgendaItem.objects.create(meeting=demo.meeting, position=100 + n, title=f"Item {n}", decision=f"Resolved {n}")
    services.minutes_draft(meeting=demo.meeting, user=demo.clerk)
    large, large_size = _page_queries(url)
    assert large_size > small_size + 1000
    assert small == large


def test_the_meeting_page_links_the_published_minutes(demo, drafted):
    url = f"/meetings/{demo.meeting.pk}/"
    assert "/minutes/" not in Client().get(url).content.decode()
    services.minutes_publish(meeting=demo.meeting, user=demo.clerk)
    page = Client().get(url).content.decode()
    assert f"/meetings/{demo.meeting.pk}/minutes/" in page and "draft, subject to approval" in page


def test_minutes_are_not_approved_before_the_meeting_was_held(demo, login):
    upcoming = next_meeting(demo.meeting)
    response = login(demo.clerk).post(f"/meetings/{upcoming.pk}/status/", {"action": "minutes"}, follow=True)
    assert "Minutes are approved once the meeting has been recorded as held." in response.content.decode()
    assert Meeting.objects.get(pk=upcoming.pk).status == Meeting.Status.SCHEDULED


def test_the_pdf_is_tagged_with_its_title_and_language_and_no_skipped_heading(demo, drafted):
    import pikepdf

    from minutes.pdf import minutes_pdf
    from tests.pdfinspect import heading_skips, structure

    data = minutes_pdf(Minutes.objects.select_related("meeting__board").get(pk=drafted.pk))
    with pikepdf.open(io.BytesIO(data)) as document:
        assert str(document.Root.Lang) == "en-GB"
        assert "/StructTreeRoot" in document.Root
        assert str(document.docinfo["/Title"]).startswith("Minutes: ")
    elements = structure(data).elements
    assert any(e.type == "/H1" for e in elements) and any(e.type == "/H3" for e in elements)
    assert heading_skips(elements) == []
