import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from boards import services
from boards.models import AgendaItem, AgendaPack, Meeting
from reports.models import Report

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def upcoming(demo):
    return demo.board.meetings.filter(starts_at__gt=timezone.now()).get()


@pytest.fixture
def waiting(demo):
    public = Report.objects.get(subject="Better Care Fund Plan 2025 to 2027")
    exempt = Report.objects.get(subject="Sexual Health Services: Contract Award")
    return public, exempt


def meeting_in(demo, days):
    day = timezone.localdate() + dt.timedelta(days=days)
    return Meeting.objects.create(
        board=demo.board, starts_at=dt.datetime(day.year, day.month, day.day, 14, tzinfo=LONDON), venue="Town Hall"
    )


def test_it_loads_an_upcoming_meeting_with_reports_waiting(demo, upcoming, waiting):
    days = (upcoming.date - timezone.localdate()).days
    assert 27 <= days <= 35
    public, exempt = waiting
    assert public.status == exempt.status == Report.Status.APPROVED
    assert exempt.is_exempt and exempt.exempt_paragraphs == [3]
    assert not AgendaItem.objects.filter(report__in=waiting).exists()
    past = demo.meeting
    assert past.is_published
    assert [i.title for _, i in services.numbered_items(past)] == [
        "Apologies for Absence",
        "Declarations of Interest",
        "Minutes of the Previous Meeting",
        "Cities Inequalities Project",
    ]


def test_it_shows_the_clerk_the_agenda_builder(login, demo, upcoming):
    html = login(demo.clerk).get(f"/meetings/{upcoming.pk}/").content.decode()
    assert "The statutory clock" in html
    assert upcoming.publication_deadline.strftime("%-d %B %Y") in html
    assert "Better Care Fund Plan 2025 to 2027" in html and "Sexual Health Services: Contract Award" in html
    assert "Publish agenda" in html
    assert upcoming.items.filter(kind=AgendaItem.Kind.STANDARD).count() == 3


def test_it_hides_the_builder_from_everyone_else(client, login, demo, upcoming):
    # Not published: a visitor sees its date, venue and board, as signed-in people do; never the builder.
    visitor = client.get(f"/meetings/{upcoming.pk}/")
    assert visitor.status_code == 200 and "has not been published yet" in visitor.content.decode()
    assert "Publish agenda" not in visitor.content.decode()
    for user in [demo.officer, demo.member, demo.outsider]:
        html = login(user).get(f"/meetings/{upcoming.pk}/").content.decode()
        assert "has not been published yet" in html and "Publish agenda" not in html
        assert "Sexual Health Services" not in html


def test_it_compiles_and_publishes_the_agenda(login, demo, upcoming, waiting, django_capture_on_commit_callbacks):
    public, exempt = waiting
    client = login(demo.clerk)
    client.post(f"/meetings/{upcoming.pk}/agenda/reports/", {"report": exempt.pk})
    client.post(f"/meetings/{upcoming.pk}/agenda/reports/", {"report": public.pk})
    items = services.numbered_items(upcoming)
    assert [(n, i.title, i.part) for n, i in items] == [
        (1, "Apologies for Absence", 1),
        (2, "Declarations of Interest", 1),
        (3, "Minutes of the Previous Meeting", 1),
        (4, "Better Care Fund Plan 2025 to 2027", 1),
        (5, "Sexual Health Services: Contract Award", 2),
    ]
    assert items[-1][1].exempt_paragraphs == [3]
    html = client.get(f"/meetings/{upcoming.pk}/").content.decode()
    assert "Part 2: exempt items" in html and "press and public be excluded" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/meetings/{upcoming.pk}/agenda/publish/")
    assert response.status_code == 302
    upcoming.refresh_from_db()
    assert upcoming.is_published and upcoming.status == Meeting.Status.AGENDA_PUBLISHED
    assert upcoming.agenda_published_by == demo.clerk
    public.refresh_from_db()
    exempt.refresh_from_db()
    assert public.status == exempt.status == Report.Status.PUBLISHED
    assert set(AgendaPack.objects.filter(meeting=upcoming).values_list("edition", flat=True)) == {
        "public",
        "members",
        "front",
    }
    again = client.post(f"/meetings/{upcoming.pk}/agenda/publish/", follow=True)
    assert "not been published already" in again.content.decode()


def test_it_refuses_an_unapproved_report(login, demo, upcoming):
    demo.draft.board = demo.board
    demo.draft.save()
    response = login(demo.clerk).post(
        f"/meetings/{upcoming.pk}/agenda/reports/", {"report": demo.draft.pk}, follow=True
    )
    assert "is not approved yet" in response.content.decode()
    assert not AgendaItem.objects.filter(report=demo.draft).exists()


def test_it_refuses_an_exempt_report_with_no_paragraph(login, demo, upcoming, waiting):
    _, exempt = waiting
    Report.objects.filter(pk=exempt.pk).update(exempt_paragraphs=[])
    response = login(demo.clerk).post(f"/meetings/{upcoming.pk}/agenda/reports/", {"report": exempt.pk}, follow=True)
    assert "names no paragraph of Schedule 12A" in response.content.decode()
    response = login(demo.clerk).post(
        f"/meetings/{upcoming.pk}/agenda/items/", {"title": "Secret", "is_exempt": "1"}, follow=True
    )
    assert "needs the paragraph of Schedule 12A" in response.content.decode()
    assert not upcoming.items.filter(own_is_exempt=True).exists()


def test_it_refuses_a_meeting_in_the_past(login, demo, waiting):
    past = meeting_in(demo, -3)
    public, _ = waiting
    response = login(demo.clerk).post(f"/meetings/{past.pk}/agenda/reports/", {"report": public.pk}, follow=True)
    assert "date has passed" in response.content.decode()
    response = login(demo.clerk).post(f"/meetings/{past.pk}/agenda/publish/", follow=True)
    assert "The meeting is not in the past." in response.content.decode()
    past.refresh_from_db()
    assert not past.is_published


def test_it_flags_late_items_and_wants_a_reason(login, demo, waiting):
    soon = meeting_in(demo, 3)
    public, _ = waiting
    client = login(demo.clerk)
    response = client.post(f"/meetings/{soon.pk}/agenda/reports/", {"report": public.pk}, follow=True)
    assert "late item" in response.content.decode()
    assert not soon.items.filter(report=public).exists()
    client.post(f"/meetings/{soon.pk}/agenda/reports/", {"report": public.pk, "urgency_reason": "Funding deadline"})
    item = soon.items.get(report=public)
    assert item.is_late and item.urgency_reason == "Funding deadline"
    html = client.get(f"/meetings/{soon.pk}/").content.decode()
    assert "Late item" in html and "clear working days" in html


def test_it_flags_a_key_decision_not_long_enough_on_the_forward_plan(demo, upcoming, waiting):
    public, _ = waiting
    assert services.key_decision_problem(public, upcoming) == ""
    public.forward_plan_date = upcoming.date - dt.timedelta(days=20)
    assert "only 19 clear days" in services.key_decision_problem(public, upcoming)
    public.in_forward_plan = False
    assert "not on the Forward Plan" in services.key_decision_problem(public, upcoming)


def test_it_reorders_items_and_survives_a_double_submit(login, demo, upcoming, waiting):
    client = login(demo.clerk)
    other = services.agenda_add_item(meeting=upcoming, user=demo.clerk, title="Update from Healthwatch")
    public, _ = waiting
    client.post(f"/meetings/{upcoming.pk}/agenda/reports/", {"report": public.pk})
    report_item = upcoming.items.get(report=public)
    order = f"{report_item.pk},{other.pk}"
    for _ in range(2):  # a double-clicked button posts the same order twice
        client.post(f"/meetings/{upcoming.pk}/agenda/order/", {"order": order})
    assert [i.title for _, i in services.numbered_items(upcoming)][3:] == [
        "Better Care Fund Plan 2025 to 2027",
        "Update from Healthwatch",
    ]


def test_it_refuses_to_reorder_another_meetings_items(login, demo, upcoming):
    other_meeting = meeting_in(demo, 60)
    stranger = services.agenda_add_item(meeting=other_meeting, user=demo.clerk, title="Not yours")
    mine = services.agenda_add_item(meeting=upcoming, user=demo.clerk, title="Mine")
    response = login(demo.clerk).post(
        f"/meetings/{upcoming.pk}/agenda/order/", {"order": f"{stranger.pk},{mine.pk}"}, follow=True
    )
    assert "has changed since this page was loaded" in response.content.decode()
    response = login(demo.clerk).post(f"/meetings/{upcoming.pk}/agenda/order/", {"order": "1,x"}, follow=True)
    assert response.status_code == 200


def test_it_refuses_agenda_changes_by_anyone_but_democratic_services(login, demo, upcoming, waiting):
    public, _ = waiting
    for user in [demo.officer, demo.director, demo.member, demo.outsider]:
        client = login(user)
        assert client.post(f"/meetings/{upcoming.pk}/agenda/reports/", {"report": public.pk}).status_code == 404
        assert client.post(f"/meetings/{upcoming.pk}/agenda/publish/").status_code == 404
        assert client.post(f"/meetings/{upcoming.pk}/agenda/items/", {"title": "x"}).status_code == 404
    assert not AgendaItem.objects.filter(meeting=upcoming).exclude(kind=AgendaItem.Kind.STANDARD).exists()
    upcoming.refresh_from_db()
    assert not upcoming.is_published


def test_it_refuses_the_wrong_method(login, demo, upcoming):
    client = login(demo.clerk)
    assert client.get(f"/meetings/{upcoming.pk}/agenda/publish/").status_code == 405
    assert client.post(f"/meetings/{upcoming.pk}/").status_code == 405


def test_it_marks_packs_stale_when_the_agenda_changes(
    login, demo, upcoming, waiting, django_capture_on_commit_callbacks
):
    public, _ = waiting
    services.agenda_add_report(meeting=upcoming, report=public, user=demo.clerk)
    services.agenda_add_item(meeting=upcoming, user=demo.clerk, title="Health protection update")
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_publish(meeting=upcoming, user=demo.clerk)
    from boards.tasks import build_pack_now

    pack = AgendaPack.objects.get(meeting=upcoming, edition="public")
    build_pack_now(pack.pk)
    pack.refresh_from_db()
    assert pack.state == AgendaPack.State.READY and not pack.is_stale and pack.revision == 1
    old_file = pack.file.name
    movable = [i.pk for _, i in services.numbered_items(upcoming) if i.kind != AgendaItem.Kind.STANDARD]
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_reorder(meeting=upcoming, user=demo.clerk, order=movable[::-1])
    pack.refresh_from_db()
    assert pack.is_stale and pack.state == AgendaPack.State.QUEUED
    # A correction to the published agenda is a new edition, with a note of what changed.
    assert pack.revision == 2 and [change for _, _, change in pack.revisions] == ["The order of the items changed."]
    assert pack.file.name == old_file  # the previous build is still offered
    html = login(demo.clerk).get(f"/meetings/{upcoming.pk}/").content.decode()
    assert "the one above is the previous build" in html
    build_pack_now(pack.pk)
    pack.refresh_from_db()
    assert not pack.is_stale and pack.file.name != old_file


def test_it_lets_the_clerk_schedule_a_meeting(login, demo):
    client = login(demo.clerk)
    assert client.get("/meetings/new/").status_code == 200
    day = timezone.localdate() + dt.timedelta(days=40)
    response = client.post(
        "/meetings/new/", {"board": demo.board.pk, "date": day.isoformat(), "time": "18:30", "venue": ""}
    )
    meeting = Meeting.objects.get(board=demo.board, starts_at__date=day)
    assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/"
    assert meeting.venue == demo.board.default_venue and meeting.time_display == "6.30 pm"
    assert [i.title for _, i in services.numbered_items(meeting)][:1] == ["Apologies for Absence"]


@pytest.mark.parametrize(
    "date, time, message",
    [
        ("2020-01-01", "14:00", "The date has passed"),
        ("31/02/2030", "14:00", "Enter a real date"),
        ("2999-01-01", "14:00", "within the next three years"),
        ("", "25:99", "Enter a time"),
    ],
)
def test_it_refuses_a_meeting_date_in_the_past_and_other_bad_dates(login, demo, date, time, message):
    before = Meeting.objects.count()
    response = login(demo.clerk).post("/meetings/new/", {"board": demo.board.pk, "date": date, "time": time})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Meeting.objects.count() == before


def test_it_lets_only_the_clerk_schedule_meetings(client, login, demo):
    assert client.get("/meetings/new/").status_code == 302
    for user in [demo.officer, demo.member, demo.outsider]:
        assert login(user).get("/meetings/new/").status_code == 404
        assert login(user).post("/meetings/new/", {"board": demo.board.pk}).status_code == 404


def test_it_cancels_a_meeting_and_records_one_held(login, demo, upcoming):
    client = login(demo.clerk)
    response = client.post(f"/meetings/{upcoming.pk}/status/", {"action": "held"}, follow=True)
    assert "from its date onwards" in response.content.decode()
    client.post(f"/meetings/{upcoming.pk}/status/", {"action": "cancel"})
    upcoming.refresh_from_db()
    assert upcoming.status == Meeting.Status.CANCELLED
    again = client.post(f"/meetings/{upcoming.pk}/status/", {"action": "cancel"}, follow=True)
    assert "cannot be cancelled" in again.content.decode()
    assert login(demo.officer).post(f"/meetings/{upcoming.pk}/status/", {"action": "held"}).status_code == 404
    today = meeting_in(demo, 0)
    login(demo.clerk).post(f"/meetings/{today.pk}/status/", {"action": "held"})
    today.refresh_from_db()
    assert today.status == Meeting.Status.HELD


def test_cancelling_a_meeting_frees_its_reports_for_another(
    login, demo, upcoming, waiting, django_capture_on_commit_callbacks, mailoutbox
):
    public, exempt = waiting
    client = login(demo.clerk)
    for report in waiting:
        client.post(f"/meetings/{upcoming.pk}/agenda/reports/", {"report": report.pk})
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_publish(meeting=upcoming, user=demo.clerk)
    assert Report.objects.get(pk=public.pk).status == Report.Status.PUBLISHED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/meetings/{upcoming.pk}/status/", {"action": "cancel"})
    for report in waiting:
        report.refresh_from_db()
        assert report.status == Report.Status.APPROVED
        assert report.events.filter(action="deferred", comment__contains="cancelled").exists()
    assert any(m.subject.startswith("Deferred") and public.author.email in m.to for m in mailoutbox)
    items = upcoming.items.filter(kind=AgendaItem.Kind.REPORT)
    assert items.count() == 2 and all(i.report_id is None and i.description.startswith("Deferred") for i in items)
    # Its papers are withdrawn; its key decisions stay on the Forward Plan, date to be confirmed.
    assert client.get(f"/meetings/{upcoming.pk}/pack.pdf").status_code == 404
    plan = client.get("/forward-plan/").content.decode()
    assert public.subject in plan and "To be confirmed" in plan
    # Both wait for, and go on, the next meeting.
    later = meeting_in(demo, 60)
    assert public.subject in client.get(f"/meetings/{later.pk}/").content.decode()
    client.post(f"/meetings/{later.pk}/agenda/reports/", {"report": public.pk})
    assert later.items.filter(report=public).exists()


def test_a_refused_item_keeps_what_was_typed(login, demo, upcoming):
    client = login(demo.clerk)
    data = {"title": "Pharmacy needs assessment", "description": "A short update", "is_exempt": "1"}
    response = client.post(f"/meetings/{upcoming.pk}/agenda/items/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "needs the paragraph of Schedule 12A" in html
    assert 'value="Pharmacy needs assessment"' in html and ">A short update</textarea>" in html
    assert 'id="item-exempt" name="is_exempt" value="1" checked' in html


def test_a_refused_report_keeps_its_reason_for_urgency(login, demo, waiting):
    soon = meeting_in(demo, 3)
    _, exempt = waiting
    Report.objects.filter(pk=exempt.pk).update(exempt_paragraphs=[])
    response = login(demo.clerk).post(
        f"/meetings/{soon.pk}/agenda/reports/", {"report": exempt.pk, "urgency_reason": "The contract starts in May"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "names no paragraph of Schedule 12A" in html and ">The contract starts in May</textarea>" in html


def test_odd_digits_and_double_clicks_get_a_message_not_an_error(login, demo, upcoming):
    client = login(demo.clerk)
    assert client.post(f"/meetings/{upcoming.pk}/agenda/reports/", {"report": "³"}, follow=True).status_code == 200
    odd = {"title": "Odd", "is_exempt": "1", "exempt_paragraph": "³"}
    assert client.post(f"/meetings/{upcoming.pk}/agenda/items/", odd).status_code == 400
    item = services.agenda_add_item(meeting=upcoming, user=demo.clerk, title="Any other business")
    url = f"/meetings/{upcoming.pk}/agenda/items/{item.pk}/remove/"
    client.post(url)
    again = client.post(url, follow=True)
    assert again.status_code == 200 and "no longer on the agenda" in again.content.decode()
    # Adding the same item twice (a double click) adds it once.
    client.post(f"/meetings/{upcoming.pk}/agenda/items/", {"title": "Healthwatch update"})
    twice = client.post(f"/meetings/{upcoming.pk}/agenda/items/", {"title": "Healthwatch update"})
    assert twice.status_code == 400 and "already on this agenda" in twice.content.decode()
    assert upcoming.items.filter(title="Healthwatch update").count() == 1


def test_a_board_meets_once_at_a_time(login, demo):
    client = login(demo.clerk)
    day = timezone.localdate() + dt.timedelta(days=50)
    data = {"board": demo.board.pk, "date": day.isoformat(), "time": "14:00", "venue": "Bootle Town Hall"}
    assert client.post("/meetings/new/", data).status_code == 302
    again = client.post("/meetings/new/", data)
    assert again.status_code == 400 and "already meets at that time" in again.content.decode()
    assert 'value="Bootle Town Hall"' in again.content.decode()
    assert demo.board.meetings.filter(starts_at__date=day).count() == 1


def test_the_publish_panel_goes_once_the_agenda_is_published(login, demo, upcoming, waiting):
    client = login(demo.clerk)
    assert 'id="h-publish"' in client.get(f"/meetings/{upcoming.pk}/").content.decode()
    client.post(f"/meetings/{upcoming.pk}/agenda/reports/", {"report": waiting[0].pk})
    client.post(f"/meetings/{upcoming.pk}/agenda/publish/")
    html = client.get(f"/meetings/{upcoming.pk}/").content.decode()
    assert 'id="h-publish"' not in html and "Not met" not in html
    assert 'id="h-publish"' not in client.get(f"/meetings/{demo.meeting.pk}/").content.decode()


def test_it_says_the_agenda_is_published_not_that_the_deadline_passed(login, demo, django_capture_on_commit_callbacks):
    """Published before its report deadline: the page and a refusal say what is true."""
    from tests.test_public import publish_upcoming

    meeting, _, _ = publish_upcoming(demo, django_capture_on_commit_callbacks)
    assert timezone.localdate() <= meeting.report_deadline
    client = login(demo.clerk)
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "The agenda is published: anything added now goes in a supplement, as a late item" in html
    assert "deadline has passed" not in html and "deadline for this meeting has passed" not in html
    refused = client.post(f"/meetings/{meeting.pk}/agenda/items/", {"title": "A late update"}, follow=True)
    text = refused.content.decode()
    assert "The agenda is published: anything added now goes in a supplement, as a late item: record" in text
    past_deadline = meeting_in(demo, 3)
    page = client.get(f"/meetings/{past_deadline.pk}/").content.decode()
    assert "The report deadline for this meeting has passed, so this is a late item and needs" in page
