"""A special meeting of the scrutiny committee convened to hear a call-in (issue 16).

Democratic services convene it from the decision notice: the date, time and venue; the call-in item
moves there from the ordinary meeting it was placed on (or goes there when none was coming). Five
clear working days' notice is the rule (Local Government Act 1972, s. 100B); sooner needs a reason.
"""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from boards import clock
from boards.models import AgendaItem, Meeting, MeetingEvent
from decisions import services
from decisions.models import Notice
from decisions.services import NoticeRefused
from tests.test_notices import cabinet, publish  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def at(day, hour=18):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def called_in(demo, cabinet):  # noqa: F811 (the fixture's value)
    notice = publish(demo, cabinet["item"])
    users = cabinet["users"]
    services.call_in_request(notice=notice, user=users["cllr.kenyon"], reasons="Not costed.")
    services.call_in_sign(notice=notice, user=users["cllr.garside"])
    return Notice.objects.get(pk=notice.pk)


def form(day, time="18:00", venue="Southport Town Hall", urgency_reason=""):
    return {"date": day.isoformat(), "time": time, "venue": venue, "urgency_reason": urgency_reason}


def test_it_moves_the_call_in_from_the_next_meeting_to_a_special_meeting(demo, cabinet):  # noqa: F811
    notice = called_in(demo, cabinet)
    ordinary = cabinet["coming"]
    assert notice.scrutiny_item.meeting == ordinary
    day = services.earliest_with_notice()
    meeting = services.call_in_convene_meeting(
        notice=notice, user=demo.clerk, starts_at=at(day), venue="Southport Town Hall"
    )
    notice.refresh_from_db()
    assert meeting.is_special and meeting.board == cabinet["scrutiny"] and meeting.venue == "Southport Town Hall"
    assert notice.scrutiny_item.meeting == meeting
    assert notice.scrutiny_item.title.startswith("Call-in: Leisure Centres Investment Programme")
    assert not AgendaItem.objects.filter(meeting=ordinary, title__startswith="Call-in:").exists()
    # History: the special meeting's convening and its item; the ordinary meeting's item taken off.
    scheduled = MeetingEvent.objects.get(meeting=meeting, action="scheduled")
    assert scheduled.actor == demo.clerk and notice.reference in scheduled.note and "Special meeting" in scheduled.note
    assert MeetingEvent.objects.filter(meeting=meeting, action="item_added").exists()
    assert MeetingEvent.objects.filter(meeting=ordinary, action="item_removed").exists()
    # The notice says where the call-in will be heard; the special meeting's page says it is special.
    page = Client().get(f"/decisions/{notice.pk}/").content.decode()
    assert (
        f'a special meeting of the <a href="/meetings/{meeting.pk}/">Overview and Scrutiny Committee on {meeting.date_display}'
        in page
    )
    special_page = Client().get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Special meeting:" in special_page and "as soon as a special meeting is convened" in special_page
    # Once convened, not twice.
    with pytest.raises(NoticeRefused, match="A special meeting is already convened"):
        services.call_in_convene_meeting(notice=notice, user=demo.clerk, starts_at=at(day + dt.timedelta(days=7)))


def test_it_convenes_one_when_no_meeting_was_coming(demo, cabinet, login):  # noqa: F811
    cabinet["coming"].delete()
    notice = called_in(demo, cabinet)
    assert notice.scrutiny_item is None
    client = login(demo.clerk)
    page = client.get(f"/decisions/{notice.pk}/").content.decode()
    assert "No meeting of the scrutiny committee is set to hear it yet." in page
    assert f"/decisions/{notice.pk}/special-meeting/" in page
    day = services.earliest_with_notice() + dt.timedelta(days=3)
    response = client.post(f"/decisions/{notice.pk}/special-meeting/", form(day))
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.scrutiny_item.meeting.is_special and notice.scrutiny_item.meeting.date == day


def test_a_date_that_has_passed_is_refused_beside_the_date(demo, cabinet, login):  # noqa: F811
    notice = called_in(demo, cabinet)
    client = login(demo.clerk)
    before = Meeting.objects.count()
    response = client.post(
        f"/decisions/{notice.pk}/special-meeting/", form(timezone.localdate() - dt.timedelta(days=1))
    )
    assert response.status_code == 400
    assert "The date has passed" in response.content.decode()
    assert "Southport Town Hall" in response.content.decode()  # nothing typed is lost
    assert Meeting.objects.count() == before
    with pytest.raises(NoticeRefused, match="That date and time have passed"):
        services.call_in_convene_meeting(
            notice=notice, user=demo.clerk, starts_at=timezone.now() - dt.timedelta(hours=1)
        )


def test_too_little_notice_needs_a_reason_for_urgency(demo, cabinet, login):  # noqa: F811
    notice = called_in(demo, cabinet)
    client = login(demo.clerk)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    before = Meeting.objects.count()
    response = client.post(f"/decisions/{notice.pk}/special-meeting/", form(tomorrow))
    text = response.content.decode()
    earliest = services.earliest_with_notice()
    assert response.status_code == 400
    assert "less than five clear working days&#x27; notice" in text
    assert f"{earliest.day} {earliest:%B %Y} or later" in text
    assert Meeting.objects.count() == before
    reason = "The decision would otherwise be implemented before the committee could meet."
    response = client.post(f"/decisions/{notice.pk}/special-meeting/", form(tomorrow, urgency_reason=reason))
    assert response.status_code == 302
    notice.refresh_from_db()
    item = notice.scrutiny_item
    assert item.meeting.date == tomorrow and item.is_late and item.urgency_reason == reason
    assert reason in MeetingEvent.objects.get(meeting=item.meeting, action="scheduled").note


def test_the_earliest_date_gives_five_clear_working_days():
    today = timezone.localdate()
    earliest = services.earliest_with_notice(today)
    assert clock.is_in_time(today, earliest) and not clock.is_in_time(today, earliest - dt.timedelta(days=1))


def test_only_a_called_in_decision_and_only_democratic_services(demo, cabinet, login):  # noqa: F811
    notice = publish(demo, cabinet["item"])
    day = services.earliest_with_notice()
    with pytest.raises(NoticeRefused, match="Only a called-in decision"):
        services.call_in_convene_meeting(notice=notice, user=demo.clerk, starts_at=at(day))
    response = login(demo.clerk).get(f"/decisions/{notice.pk}/special-meeting/")
    assert response.status_code == 302
    with pytest.raises(NoticeRefused, match="Only democratic services"):
        services.call_in_convene_meeting(notice=notice, user=cabinet["users"]["cllr.kenyon"], starts_at=at(day))
    assert login(cabinet["users"]["cllr.kenyon"]).get(f"/decisions/{notice.pk}/special-meeting/").status_code == 404
    assert Client().get(f"/decisions/{notice.pk}/special-meeting/").status_code == 302  # to sign in


def test_with_no_meeting_coming_democratic_services_are_sent_to_convene_one(
    demo,
    cabinet,  # noqa: F811 (the fixture)
    django_capture_on_commit_callbacks,
):
    from django.core import mail

    cabinet["coming"].delete()
    with django_capture_on_commit_callbacks(execute=True):
        notice = called_in(demo, cabinet)
    [message] = [m for m in mail.outbox if m.subject.startswith("Called in:")]
    assert "convene a special meeting to hear it at" in message.body
    assert f"/decisions/{notice.pk}/special-meeting/" in message.body
