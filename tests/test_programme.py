"""A programme of meetings from a rule (/boards/<slug>/programme/) and moving a meeting
(/meetings/<pk>/move/), for democratic services (issue 17)."""

import datetime as dt

import pytest
from django.core import mail
from django.db.models import F
from django.utils import timezone

from boards import clock, services
from boards.models import AgendaPack, Board, Meeting, MeetingEvent
from tests.test_public import publish_upcoming

pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.localdate().year + 1


def at(day, hour=14):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def rule(**changes):
    """The last Monday of every month of next year, at 2 pm: it meets both May's and August's bank holidays."""
    return {
        "preview": "1",
        "week": "-1",
        "weekday": "0",
        "every": "1",
        "start": f"{NEXT_YEAR}-01",
        "end": f"{NEXT_YEAR}-12",
        "time": "14:00",
        "venue": "",
        **changes,
    }


def url(demo):
    return f"/boards/{demo.board.slug}/programme/"


def made(demo):
    """The board's meetings next year on a Monday: those a programme here made (the demo's meet on Wednesdays)."""
    return Meeting.objects.filter(board=demo.board, starts_at__year=NEXT_YEAR, starts_at__week_day=2)


def last_monday(month):
    return clock.programme_dates(
        weekday=0, week=-1, every=1, start=dt.date(NEXT_YEAR, month, 1), end=dt.date(NEXT_YEAR, month, 1)
    )[0]


# The rule's dates ------------------------------------------------------------------------------


def test_it_computes_the_second_wednesday_of_every_other_month():
    dates = clock.programme_dates(weekday=2, week=2, every=2, start=dt.date(2027, 9, 1), end=dt.date(2028, 7, 1))
    assert dates == [
        dt.date(2027, 9, 8),
        dt.date(2027, 11, 10),
        dt.date(2028, 1, 12),
        dt.date(2028, 3, 8),
        dt.date(2028, 5, 10),
        dt.date(2028, 7, 12),
    ]
    assert clock.programme_dates(weekday=0, week=-1, every=3, start=dt.date(2027, 12, 1), end=dt.date(2028, 6, 1)) == [
        dt.date(2027, 12, 27),
        dt.date(2028, 3, 27),
        dt.date(2028, 6, 26),
    ]


def test_it_previews_a_year_with_its_bank_holidays_and_clashes(demo, login):
    cabinet = Board.objects.create(name="Cabinet", slug="cabinet")
    Meeting.objects.create(board=cabinet, starts_at=at(last_monday(3)), venue="Bootle Town Hall")
    Meeting.objects.create(board=demo.board, starts_at=at(last_monday(10), 10), venue="Southport Town Hall")
    Meeting.objects.create(board=cabinet, starts_at=at(last_monday(11), 18))  # that day, but not at that time
    response = login(demo.clerk).get(url(demo), rule())
    assert response.status_code == 200
    rows = {row["day"]: row for row in response.context["rows"]}
    assert list(rows) == [last_monday(month) for month in range(1, 13)]
    assert rows[last_monday(5)]["holiday"] == "Spring Bank Holiday"
    assert rows[last_monday(8)]["holiday"] == "Late Summer Bank Holiday"
    assert [why for _, why in rows[last_monday(3)]["clashes"]] == ["The Cabinet meets at the same time"]
    assert [why for _, why in rows[last_monday(10)]["clashes"]] == [
        "The Health and Wellbeing Board already meets that day, at 10.00 am"
    ]
    assert rows[last_monday(11)]["clashes"] == []
    # Only the dates free of both start ticked (Easter Monday and a substitute for Christmas may be last Mondays too).
    free = {day for day in rows if not clock.bank_holiday(day)} - {last_monday(m) for m in (3, 10)}
    assert response.context["ticked"] == free and len(free) >= 7
    page = response.content.decode()
    assert "Bank holiday</span> Spring Bank Holiday" in page
    assert "The Cabinet meets at the same time" in page
    assert made(demo).count() == 1  # the clash made above: a GET makes nothing


def test_it_creates_the_ticked_meetings_at_the_boards_venue(demo, login):
    client = login(demo.clerk)
    ticked = [last_monday(month).isoformat() for month in (1, 2, 5, 9)]
    data = {**rule(), "dates": [*ticked, "2001-01-01"]}  # a date the rule does not give is ignored
    response = client.post(url(demo), data)
    assert response.status_code == 302 and response["Location"] == f"/boards/{demo.board.slug}/"
    meetings = made(demo).order_by("starts_at")
    assert [m.date.isoformat() for m in meetings] == ticked
    assert {m.venue for m in meetings} == {demo.board.default_venue}
    assert {m.time_display for m in meetings} == {"2.00 pm"}
    assert all(m.items.count() == 3 for m in meetings)  # the standard items, as meeting_schedule gives them
    assert MeetingEvent.objects.filter(meeting__in=meetings, action="scheduled", actor=demo.clerk).count() == 4
    assert "4 meetings of the Health and Wellbeing Board created." in client.get(response["Location"]).content.decode()


def test_it_makes_none_when_one_ticked_date_is_refused(demo, login):
    taken = last_monday(6)
    Meeting.objects.create(board=demo.board, starts_at=at(taken), venue="Town Hall")
    data = {**rule(), "dates": [last_monday(4).isoformat(), taken.isoformat()]}
    response = login(demo.clerk).post(url(demo), data)
    assert response.status_code == 400
    assert "already meets at that time. No meeting was created." in response.context["dates_error"]
    assert made(demo).count() == 1
    assert f'value="{last_monday(4).isoformat()}" id="date-{last_monday(4).isoformat()}" checked' in (
        response.content.decode()
    )  # what was ticked stays ticked


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"start": f"{NEXT_YEAR}-06", "end": f"{NEXT_YEAR}-02"}, "end", "The last month is before the first month"),
        ({"start": "2020-01", "end": "2020-12"}, "start", "January 2020 has passed"),
        ({"end": f"{NEXT_YEAR + 33}-04"}, "end", "This rule gives 400 meetings; at most 60"),
        ({"start": "next spring"}, "start", "Enter a month, like 2027-09"),
        ({"time": "teatime"}, "time", "Enter a time, like 14:00"),
        ({"weekday": "6"}, "weekday", "Select a valid choice"),
    ],
)
def test_it_refuses_a_bad_rule_beside_its_field(demo, login, changes, field, message):
    client = login(demo.clerk)
    for response in (client.get(url(demo), rule(**changes)), client.post(url(demo), rule(**changes))):
        assert response.status_code == 400
        assert any(message in error for error in response.context["form"].errors[field])
        assert response.context["rows"] == []
        assert message in response.content.decode()
    assert not Meeting.objects.filter(board=demo.board, starts_at__year__gt=NEXT_YEAR).exists()
    assert not made(demo).exists()


def test_it_refuses_a_first_date_already_past_this_month(demo, login):
    today = timezone.localdate()
    past = [today.replace(day=d) for d in range(1, today.day) if today.replace(day=d).weekday() < 5]
    if not past:
        pytest.skip("no weekday of this month has passed yet")
    day = past[-1]
    week = (day.day - 1) // 7 + 1  # the rule that gives `day`
    changes = {"weekday": str(day.weekday()), "week": str(week if week < 5 else -1)}
    response = login(demo.clerk).get(url(demo), rule(**changes, start=f"{day:%Y-%m}", end=f"{day:%Y-%m}"))
    assert response.status_code == 400
    assert "has passed: start next month" in response.context["form"].errors["start"][0]


def test_it_refuses_a_programme_with_no_date_ticked(demo, login):
    response = login(demo.clerk).post(url(demo), rule())
    assert response.status_code == 400
    assert "Tick at least one date" in response.content.decode()
    assert not made(demo).exists()


def test_it_is_for_democratic_services_alone(demo, login, client):
    assert client.get(url(demo), rule()).status_code == 302  # to sign in
    for user in (demo.officer, demo.member, demo.director):
        assert login(user).get(url(demo), rule()).status_code == 404
        assert login(user).post(url(demo), {**rule(), "dates": [last_monday(1).isoformat()]}).status_code == 404
    assert not made(demo).exists()
    assert login(demo.clerk).get("/boards/no-such-board/programme/").status_code == 404


# Moving a meeting ----------------------------------------------------------------------------------


def move_url(meeting):
    return f"/meetings/{meeting.pk}/move/"


def test_it_moves_a_meeting_not_yet_published_without_telling_anyone(demo, login, django_capture_on_commit_callbacks):
    meeting = demo.board.meetings.filter(starts_at__gt=timezone.now()).get()
    new_day = last_monday(1) + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(demo.clerk).post(
            move_url(meeting), {"date": new_day.isoformat(), "time": "18:30", "venue": "Southport Town Hall"}
        )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.date, meeting.time_display, meeting.venue) == (new_day, "6.30 pm", "Southport Town Hall")
    event = meeting.events.get(action="moved")
    assert event.actor == demo.clerk and event.note.endswith("6.30 pm, Southport Town Hall.")
    assert mail.outbox == []


def test_moving_a_published_meeting_emails_the_members_and_issues_a_new_edition(
    demo, login, django_capture_on_commit_callbacks
):
    meeting, _, exempt = publish_upcoming(demo, django_capture_on_commit_callbacks)
    # Its packs as a build leaves them: ready, built from the content it wanted.
    AgendaPack.objects.filter(meeting=meeting).update(state=AgendaPack.State.READY, content_key=F("wanted_key"))
    front = meeting.packs.get(edition=AgendaPack.Edition.FRONT_SHEET, supplement=None)
    assert front.revision == 1
    mail.outbox.clear()
    meeting.refresh_from_db()
    version = meeting.agenda_version
    with django_capture_on_commit_callbacks(execute=True):
        response = login(demo.clerk).post(
            move_url(meeting),
            {"date": meeting.date.isoformat(), "time": "14:00", "venue": "Council Chamber, Southport Town Hall"},
        )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.venue == "Council Chamber, Southport Town Hall"
    assert meeting.agenda_version == version + 1
    front.refresh_from_db()
    assert front.state == AgendaPack.State.QUEUED and front.revision == 2
    assert "now on " in front.revisions[-1][2] and "Council Chamber, Southport Town Hall" in front.revisions[-1][2]
    members = sorted(m.user.email for m in demo.board.memberships.current())
    assert sorted(address for message in mail.outbox for address in message.to) == members
    assert all(len(message.to) == 1 for message in mail.outbox)  # nobody sees another's address
    message = mail.outbox[0]
    assert message.subject.startswith("Meeting moved: Health and Wellbeing Board, now ")
    assert "It is now: " in message.body and "Council Chamber, Southport Town Hall" in message.body
    assert f"/meetings/{meeting.pk}/" in message.body
    assert exempt.subject not in message.body  # the email names no item, Part 2 least of all
    assert "new edition" in client_message(login(demo.clerk), meeting)


def client_message(client, meeting):
    return client.get(f"/meetings/{meeting.pk}/").content.decode()


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"date": "2020-01-06"}, "The date has passed"),
        ({"date": f"{NEXT_YEAR}-05-{last_monday(5).day:02d}"}, "is a bank holiday (Spring Bank Holiday)"),
        ({"date": "31/02/2027"}, "Enter a real date"),
        ({"time": ""}, "This field is required"),
    ],
)
def test_it_refuses_a_move_into_the_past_or_onto_a_bank_holiday(demo, login, posted, message):
    meeting = demo.board.meetings.filter(starts_at__gt=timezone.now()).get()
    before = (meeting.starts_at, meeting.venue)
    data = {"date": (meeting.date + dt.timedelta(days=1)).isoformat(), "time": "10:00", "venue": "Elsewhere", **posted}
    response = login(demo.clerk).post(move_url(meeting), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'value="Elsewhere"' in response.content.decode()  # nothing typed is lost
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.venue) == before
    assert not meeting.events.filter(action="moved").exists()


def test_it_moves_onto_a_bank_holiday_when_told_to(demo, login):
    meeting = demo.board.meetings.filter(starts_at__gt=timezone.now()).get()
    data = {"date": last_monday(8).isoformat(), "time": "10:00", "venue": "", "bank_holiday_ok": "on"}
    assert login(demo.clerk).post(move_url(meeting), data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.date == last_monday(8) and meeting.venue == demo.board.default_venue


def test_it_refuses_to_move_a_meeting_held_cancelled_or_onto_another(demo):
    tuesday = at(last_monday(3) + dt.timedelta(days=1))  # never a bank holiday
    meeting = demo.board.meetings.filter(starts_at__gt=timezone.now()).get()
    other = Meeting.objects.create(board=demo.board, starts_at=at(last_monday(2), 10), venue="Town Hall")
    with pytest.raises(services.AgendaRefused, match="already meets at that time"):
        services.meeting_move(meeting=meeting, starts_at=other.starts_at, venue="", user=demo.clerk)
    with pytest.raises(services.AgendaRefused, match="nothing to change"):
        services.meeting_move(meeting=meeting, starts_at=meeting.starts_at, venue=meeting.venue, user=demo.clerk)
    with pytest.raises(services.AgendaRefused, match="minutes of this meeting are already recorded as approved"):
        services.meeting_move(meeting=demo.meeting, starts_at=tuesday, venue="", user=demo.clerk)
    services.meeting_cancel(meeting=other, user=demo.clerk)
    with pytest.raises(services.AgendaRefused, match="cancelled, so it cannot be moved"):
        services.meeting_move(meeting=other, starts_at=tuesday, venue="", user=demo.clerk)
    with pytest.raises(services.AgendaRefused, match="Only democratic services"):
        services.meeting_move(meeting=meeting, starts_at=tuesday, venue="", user=demo.officer)


def test_the_move_page_is_for_democratic_services_alone(demo, login, client):
    meeting = demo.board.meetings.filter(starts_at__gt=timezone.now()).get()
    assert client.get(move_url(meeting)).status_code == 302
    for user in (demo.officer, demo.member):
        assert login(user).get(move_url(meeting)).status_code == 404
        assert login(user).post(move_url(meeting), {"date": "2030-01-07", "time": "10:00"}).status_code == 404
    response = login(demo.clerk).get(move_url(meeting))
    assert response.status_code == 200
    assert f'value="{meeting.date.isoformat()}"' in response.content.decode()
    assert 'value="Committee Room, Bootle Town Hall"' in response.content.decode()


def test_moving_a_published_meeting_too_near_warns_of_the_notice(demo, login, django_capture_on_commit_callbacks):
    meeting, _, _ = publish_upcoming(demo, django_capture_on_commit_callbacks)
    soon = clock.working_days_after(timezone.localdate(), 2)
    client = login(demo.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(move_url(meeting), {"date": soon.isoformat(), "time": "10:00", "venue": ""}, follow=True)
    assert response.status_code == 200
    assert "fewer than five clear working days before the new date" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.date == soon
