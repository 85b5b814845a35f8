"""Supplementary agendas: the published agenda's packs never change silently.

An item added after the agenda is published waits, out of public view, in the meeting's open
supplement; published, the supplement has its own front sheet ("Supplementary agenda 1", its
items and their reasons for urgency) and its own packs, listed with their dates beside the
agenda's. A correction to the published agenda is a new edition of its packs with a note.
"""

import hashlib
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from boards import services
from boards.models import AgendaItem, AgendaPack, Supplement
from boards.tasks import build_pack_now
from reports.models import Report

pytestmark = pytest.mark.django_db

URGENCY = "The provider gives notice on 1 February; the board meets after that."


@pytest.fixture
def published(demo, django_capture_on_commit_callbacks):
    """The upcoming meeting with one report on its published agenda, its packs built; one approved
    report (exempt, paragraph 3) not yet placed."""
    meeting = demo.board.meetings.filter(starts_at__gt=timezone.now()).get()
    public = Report.objects.get(subject="Better Care Fund Plan 2025 to 2027")
    late = Report.objects.get(subject="Sexual Health Services: Contract Award")
    services.agenda_add_report(meeting=meeting, report=public, user=demo.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_publish(meeting=meeting, user=demo.clerk)
    for pack in meeting.packs.all():
        build_pack_now(pack.pk)
    return meeting, late


def digests(meeting):
    """{edition: sha256 of the stored file} of the agenda's own packs."""
    packs = meeting.packs.filter(supplement=None)
    return {p.edition: hashlib.sha256(p.file.open("rb").read()).hexdigest() for p in packs}


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_it_issues_a_late_item_as_a_supplement_and_never_changes_the_published_packs(
    client, login, demo, published, django_capture_on_commit_callbacks
):
    meeting, late = published
    before = digests(meeting)
    assert set(before) == {"public", "members", "front"}
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_add_report(meeting=meeting, report=late, user=demo.clerk, urgency_reason=URGENCY)
        services.agenda_add_item(
            meeting=meeting, user=demo.clerk, title="Winter pressures update", urgency_reason="Figures came late."
        )
    supplement = Supplement.objects.get(meeting=meeting)
    assert supplement.number == 1 and not supplement.is_published
    assert set(AgendaItem.objects.filter(supplement=supplement).values_list("title", flat=True)) == {
        late.subject,
        "Winter pressures update",
    }
    # The agenda's packs are current as they were: nothing to rebuild, the same files.
    assert all(p.state == AgendaPack.State.READY and not p.is_stale for p in meeting.packs.all())
    assert digests(meeting) == before

    # Waiting: not public anywhere, and not its report either.
    client.logout()
    for url in [
        f"/meetings/{meeting.pk}/",
        "/api/agenda-items/?page_size=200",
        "/feeds/agendas.rss",
        "/feeds/meetings.ics",
    ]:
        response = client.get(url)
        assert "Winter pressures update" not in response.content.decode(), url
    assert client.get(f"/meetings/{meeting.pk}/supplements/1/pack.pdf").status_code == 404
    late.refresh_from_db()
    assert late.status == Report.Status.APPROVED

    # The clerk sees the items waiting, numbered after the agenda's, and the button to publish them.
    html = login(demo.clerk).get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Supplementary agenda 1: not yet published" in html and "Publish supplementary agenda 1" in html
    numbers = {item.title: n for n, item in services.numbered_items(meeting, waiting=True)}
    agenda_numbers = [n for n, item in services.numbered_items(meeting)]
    assert min(numbers["Winter pressures update"], numbers[late.subject]) > max(agenda_numbers)

    with django_capture_on_commit_callbacks(execute=True):
        response = login(demo.clerk).post(f"/meetings/{meeting.pk}/supplements/publish/")
    assert response.status_code == 302
    supplement.refresh_from_db()
    assert supplement.is_published and supplement.published_by == demo.clerk
    late.refresh_from_db()
    assert late.status == Report.Status.PUBLISHED
    packs = AgendaPack.objects.filter(supplement=supplement)
    assert sorted(packs.values_list("edition", flat=True)) == ["members", "public"]
    for pack in packs:
        build_pack_now(pack.pk)
    assert digests(meeting) == before  # still the same files

    client.logout()
    response = client.get(f"/meetings/{meeting.pk}/supplements/1/pack.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(response.streaming_content) if response.streaming else response.content)
    assert "Supplementary agenda 1" in text and "Winter pressures update" in text
    assert "Reason for urgency: Figures came late." in " ".join(text.split())
    assert "not for publication" in text  # the exempt late report is a notice in the public pack
    assert "Public Document Pack" in text
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Winter pressures update" in page
    assert "Supplementary agenda 1" in page and f"/meetings/{meeting.pk}/supplements/1/pack.pdf" in page
    assert f"published {timezone.localdate():%-d %B %Y}" in page  # each group with its date

    # The members' supplement: members and the clerk only.
    members_url = f"/meetings/{meeting.pk}/supplements/1/members-pack.pdf"
    assert client.get(members_url).status_code == 302  # to sign in
    assert login(demo.outsider).get(members_url).status_code == 404
    assert login(demo.member).get(members_url).status_code == 200


def test_it_refuses_a_supplement_with_nothing_waiting(login, demo, published):
    meeting, _ = published
    with pytest.raises(services.AgendaRefused, match="No items are waiting"):
        services.supplement_publish(meeting=meeting, user=demo.clerk)
    with pytest.raises(services.AgendaRefused, match="Only democratic services"):
        services.supplement_publish(meeting=meeting, user=demo.officer)
    assert login(demo.officer).post(f"/meetings/{meeting.pk}/supplements/publish/").status_code == 404
    assert not Supplement.objects.exists()


def test_it_lets_the_clerk_take_back_a_waiting_report_but_not_a_published_one(demo, published):
    meeting, late = published
    item = services.agenda_add_report(meeting=meeting, report=late, user=demo.clerk, urgency_reason=URGENCY)
    services.agenda_remove_item(item=item, user=demo.clerk)
    assert not Supplement.objects.exists()  # nothing waits for it now
    item = services.agenda_add_report(meeting=meeting, report=late, user=demo.clerk, urgency_reason=URGENCY)
    assert item.supplement.number == 1
    services.supplement_publish(meeting=meeting, user=demo.clerk)
    with pytest.raises(services.AgendaRefused, match="its reports stay on it"):
        services.agenda_remove_item(item=item, user=demo.clerk)
    # The next late item opens the second supplement.
    other = services.agenda_add_item(meeting=meeting, user=demo.clerk, title="Another", urgency_reason="Late.")
    assert other.supplement.number == 2 and not other.supplement.is_published


def test_it_prints_a_corrected_agenda_as_a_new_edition_with_what_changed(
    demo, published, django_capture_on_commit_callbacks
):
    meeting, _ = published
    report = meeting.items.get(kind=AgendaItem.Kind.REPORT).report
    from reports.services import note_exemption_change

    # The report is made exempt after publication: the agenda's packs become edition 2, saying so.
    before = (report.is_exempt, report.exempt_paragraph_list)
    Report.objects.filter(pk=report.pk).update(is_exempt=True, exempt_paragraphs=[3])
    report.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        note_exemption_change(report=report, before=before, user=demo.officer)
    public = meeting.packs.get(supplement=None, edition="public")
    assert public.revision == 2 and public.is_stale
    [(on, revision, change)] = public.revisions
    assert revision == 2 and on == timezone.localdate().isoformat() and report.subject in change
    build_pack_now(public.pk)
    public.refresh_from_db()
    text = " ".join(pdf_text(public.file.open("rb").read()).split())
    assert "Edition 2." in text and "This edition replaces the agenda published on" in text
    assert report.subject in text and "not for publication" in text
