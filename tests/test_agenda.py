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
    assert client.get(f"/meetings/{upcoming.pk}/").status_code == 404  # not published: not public
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
    assert items[-1][1].exempt_paragraph == 3
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
    assert not upcoming.items.filter(is_exempt=True).exists()


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
    public, exempt = waiting
    services.agenda_add_report(meeting=upcoming, report=public, user=demo.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_publish(meeting=upcoming, user=demo.clerk)
    from boards.tasks import build_pack_now

    pack = AgendaPack.objects.get(meeting=upcoming, edition="public")
    build_pack_now(pack.pk)
    pack.refresh_from_db()
    assert pack.state == AgendaPack.State.READY and not pack.is_stale
    old_file = pack.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_add_report(meeting=upcoming, report=exempt, user=demo.clerk, urgency_reason="Contract ends")
    pack.refresh_from_db()
    assert pack.is_stale and pack.state == AgendaPack.State.QUEUED
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
