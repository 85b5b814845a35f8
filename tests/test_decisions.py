"""Decisions: once a meeting is held, democratic services record what the board resolved on each
item; public items' decisions are published on the meeting's page and in the API, Part 2 items'
only to the board's members and officers; approving the minutes makes them final."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from boards import services
from boards.models import AgendaItem, Meeting
from reports import demo as demo_content
from tests.test_public import publish_upcoming


@pytest.fixture
def demo(demo_record_open):
    """The demo with 14 September 2022's record open (tests/conftest.py): these tests edit it."""
    return demo_record_open


pytestmark = pytest.mark.django_db


def page(client, meeting):
    response = client.get(f"/meetings/{meeting.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def held(meeting):
    """The meeting as if it had been held (its date is to come, so the clerk could not say so yet)."""
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    meeting.refresh_from_db()
    return meeting


def test_the_clerk_records_decisions_and_visitors_see_them_at_once(demo, login):
    visitor = Client()
    page(visitor, demo.meeting)  # cached for visitors
    clerk = login(demo.clerk)
    form = clerk.get(f"/meetings/{demo.meeting.pk}/decisions/").content.decode()
    seed_item = demo.seed.agenda_item
    assert f'for="id_item_{seed_item.pk}"' in form and f"4. {demo.seed.subject}" in form
    apologies = demo.meeting.items.get(title="Apologies for Absence")
    response = clerk.post(
        f"/meetings/{demo.meeting.pk}/decisions/",
        {f"item_{apologies.pk}": "Apologies were received from Councillor Hardy.", f"item_{seed_item.pk}": "Agreed."},
        follow=True,
    )
    assert "Decisions saved (2 changed)." in response.content.decode()
    html = page(visitor, demo.meeting)
    assert "Apologies were received from Councillor Hardy." in html and "Agreed." in html
    assert demo_content.SEED_DECISION not in html
    # The same again changes nothing.
    again = clerk.post(f"/meetings/{demo.meeting.pk}/decisions/", {f"item_{seed_item.pk}": "Agreed."}, follow=True)
    assert "No decision changed." in again.content.decode()


def test_a_part_2_decision_is_for_the_boards_members_and_officers_only(demo, django_capture_on_commit_callbacks):
    meeting, public, exempt = publish_upcoming(demo, django_capture_on_commit_callbacks)
    held(meeting)
    services.meeting_record_decisions(
        meeting=meeting,
        user=demo.clerk,
        decisions={public.agenda_item.pk: "The plan was agreed.", exempt.agenda_item.pk: "Award to bidder qzx7."},
    )
    for who in [None, demo.outsider, demo.officer]:
        client = Client()
        if who:
            client.force_login(who)
        html = page(client, meeting)
        assert "The plan was agreed." in html and "qzx7" not in html, who
        items = client.get("/api/v1/agenda-items/").content.decode()
        assert "The plan was agreed." in items and "qzx7" not in items
    for who in [demo.member, demo.clerk]:
        client = Client()
        client.force_login(who)
        assert "Award to bidder qzx7." in page(client, meeting), who


def test_decisions_wait_until_the_meeting_is_held(demo, login, django_capture_on_commit_callbacks):
    meeting, public, _ = publish_upcoming(demo, django_capture_on_commit_callbacks)
    clerk = login(demo.clerk)
    assert (
        "once the meeting has been recorded as held" in clerk.get(f"/meetings/{meeting.pk}/decisions/").content.decode()
    )
    typed = "A decision typed too early"
    response = clerk.post(f"/meetings/{meeting.pk}/decisions/", {f"item_{public.agenda_item.pk}": typed})
    assert response.status_code == 400
    assert AgendaItem.objects.get(pk=public.agenda_item.pk).decision == ""


def test_a_decision_too_long_is_refused_beside_its_box_and_kept(demo, login):
    seed_item = demo.seed.agenda_item
    typed = "Resolved. " * 1001
    response = login(demo.clerk).post(f"/meetings/{demo.meeting.pk}/decisions/", {f"item_{seed_item.pk}": typed})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Ensure this value has at most 10000 characters" in html and typed.strip() in html
    assert AgendaItem.objects.get(pk=seed_item.pk).decision == demo_content.SEED_DECISION


def test_approving_the_minutes_makes_the_decisions_final(demo, login):
    clerk = login(demo.clerk)
    manage = clerk.get(f"/meetings/{demo.meeting.pk}/").content.decode()
    assert "Record decisions" in manage and "Record that the minutes were approved" in manage
    # The minutes are approved at the board's next meeting (minutes/services.py): it has taken place.
    demo.board.meetings.filter(starts_at__gt=demo.meeting.starts_at).update(
        starts_at=timezone.now() - dt.timedelta(hours=1)
    )
    clerk.post(f"/meetings/{demo.meeting.pk}/status/", {"action": "minutes"})
    demo.meeting.refresh_from_db()
    assert demo.meeting.status == Meeting.Status.MINUTES_APPROVED
    seed_item = demo.seed.agenda_item
    response = clerk.post(f"/meetings/{demo.meeting.pk}/decisions/", {f"item_{seed_item.pk}": "Changed afterwards"})
    assert response.status_code == 400
    assert "until its minutes are approved" in response.content.decode()
    assert "decisions are final" in clerk.get(f"/meetings/{demo.meeting.pk}/decisions/").content.decode()
    assert AgendaItem.objects.get(pk=seed_item.pk).decision == demo_content.SEED_DECISION
    again = clerk.post(f"/meetings/{demo.meeting.pk}/status/", {"action": "minutes"}, follow=True)
    assert "already recorded as approved" in again.content.decode()


def test_the_service_refuses_items_of_another_meeting(demo, django_capture_on_commit_callbacks):
    meeting, public, _ = publish_upcoming(demo, django_capture_on_commit_callbacks)
    with pytest.raises(services.AgendaRefused):
        services.meeting_record_decisions(
            meeting=demo.meeting, user=demo.clerk, decisions={public.agenda_item.pk: "Not this meeting's item"}
        )
    with pytest.raises(services.AgendaRefused):
        services.meeting_record_decisions(meeting=demo.meeting, user=demo.officer, decisions={})
    assert AgendaItem.objects.get(pk=public.agenda_item.pk).decision == ""


def test_held_meetings_say_so_and_leave_the_forward_plan(demo, django_capture_on_commit_callbacks):
    meeting, public, _ = publish_upcoming(demo, django_capture_on_commit_callbacks)
    visitor = Client()
    assert public.subject in visitor.get("/forward-plan/").content.decode()
    held(meeting)
    assert public.subject not in visitor.get("/forward-plan/").content.decode()  # the decision is taken
    assert "Held" in page(visitor, demo.meeting)
    assert "Held" in visitor.get("/meetings/").content.decode()
