"""Journeys: the clerk makes next year's programme of the Health and Wellbeing Board from a rule (the first
Monday of every month): a rule ending before it starts is refused beside its field, nothing typed lost;
the preview marks May's bank holiday and a clash with the Planning Committee, left unticked; the clerk
unticks one more date and creates the rest; then moves one of the new meetings to another venue. And the
clerk moves the board's next meeting, its agenda published, to another room: the members are emailed and
the front sheet is issued again as a new edition."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from boards import clock
from boards import services as agenda
from boards.models import AgendaPack, Board, Meeting
from boards.tasks import build_pack_now
from reports.models import Report
from tests.test_public import PUBLIC_SUBJECT, pdf_text

pytestmark = pytest.mark.e2e
NEXT_YEAR = timezone.localdate().year + 1
SHOTS = "test-results"


def first_monday(month):
    start = dt.date(NEXT_YEAR, month, 1)
    return clock.programme_dates(weekday=0, week=1, every=1, start=start, end=start)[0]


def label(day):
    return f"{day:%A} {day.day} {day:%B %Y}"


def test_the_clerk_makes_next_years_programme_and_moves_a_meeting(people, e2e_demo):
    board = Board.objects.get(slug="health-and-wellbeing-board")
    planning = Board.objects.create(name="Planning Committee", slug="planning-committee")
    clash = first_monday(3)
    Meeting.objects.create(board=planning, starts_at=timezone.make_aware(dt.datetime.combine(clash, dt.time(14))))

    clerk = people("clerk").sign_in("clerk")
    page = clerk.goto(f"/boards/{board.slug}/")
    page.get_by_role("link", name="Make a programme of meetings").click()
    page.wait_for_load_state()
    clerk.check()
    assert page.get_by_label("Venue").input_value() == board.default_venue
    page.get_by_label("Week of the month").select_option(label="First")
    page.get_by_label("Day of the week").select_option(label="Monday")
    page.get_by_label("How often").select_option(label="Every month")
    page.get_by_label("First month").fill(f"{NEXT_YEAR}-12")
    page.get_by_label("Last month").fill(f"{NEXT_YEAR}-01")
    page.get_by_role("button", name="Preview the dates").click()
    page.wait_for_load_state()
    clerk.check()
    assert "The last month is before the first month (December" in page.content()
    page.screenshot(path=f"{SHOTS}/programme-refused.png")
    assert page.get_by_label("First month").input_value() == f"{NEXT_YEAR}-12"  # nothing typed lost

    page.get_by_label("First month").fill(f"{NEXT_YEAR}-01")
    page.get_by_label("Last month").fill(f"{NEXT_YEAR}-12")
    page.get_by_role("button", name="Preview the dates").click()
    page.wait_for_load_state()
    clerk.check()
    page.screenshot(path=f"{SHOTS}/programme-preview.png", full_page=True)
    assert "The dates (12)" in page.content()
    may = first_monday(5)
    assert page.get_by_label(label(may)).is_checked() is False
    assert f"Bank holiday {clock.bank_holiday(may)}." in page.locator("li", has_text=label(may)).inner_text()
    assert page.get_by_label(label(clash)).is_checked() is False
    assert "The Planning Committee meets at the same time" in page.locator("li", has_text=label(clash)).inner_text()
    page.get_by_label(label(first_monday(2))).uncheck()
    wanted = [first_monday(m) for m in range(1, 13) if m not in (2, 3, 5) and not clock.bank_holiday(first_monday(m))]
    page.get_by_role("button", name="Create the ticked meetings").click()
    page.wait_for_load_state()
    clerk.check()
    assert f"{len(wanted)} meetings of the Health and Wellbeing Board created." in page.content()
    made = Meeting.objects.filter(board=board, starts_at__year=NEXT_YEAR, starts_at__week_day=2).order_by("starts_at")
    assert [m.date for m in made] == wanted
    assert {m.time_display for m in made} == {"2.00 pm"}

    # Move the first of them to another room.
    moving = made.first()
    page = clerk.goto(f"/meetings/{moving.pk}/")
    page.screenshot(path=f"{SHOTS}/meeting-manage.png")
    page.get_by_role("link", name=re.compile("Move the meeting")).click()
    page.wait_for_load_state()
    clerk.check()
    assert page.get_by_label("Date").input_value() == moving.date.isoformat()
    page.get_by_label("Venue").fill("Council Chamber, Southport Town Hall")
    page.screenshot(path=f"{SHOTS}/meeting-move.png", full_page=True)
    page.get_by_role("button", name="Move the meeting").click()
    page.wait_for_load_state()
    clerk.check()
    assert "Meeting moved: now" in page.content()
    assert "Council Chamber, Southport Town Hall" in page.locator("p.lead").inner_text()
    moving.refresh_from_db()
    assert moving.venue == "Council Chamber, Southport Town Hall" and moving.date == wanted[0]
    assert moving.events.filter(action="moved").exists()


def test_the_clerk_moves_a_published_meeting_and_its_members_are_told(people, e2e_demo):
    board = Board.objects.get(slug="health-and-wellbeing-board")
    clerk_user = e2e_demo.users["clerk"]
    meeting = board.meetings.get(starts_at__gt=timezone.now())
    agenda.agenda_add_report(meeting=meeting, report=Report.objects.get(subject=PUBLIC_SUBJECT), user=clerk_user)
    agenda.agenda_publish(meeting=meeting, user=clerk_user)
    front = meeting.packs.get(edition=AgendaPack.Edition.FRONT_SHEET, supplement=None)
    build_pack_now(front.pk)
    front.refresh_from_db()
    assert front.revision == 1 and board.default_venue in pdf_text(front.file.read())
    mail.outbox.clear()

    clerk = people("clerk").sign_in("clerk")
    page = clerk.goto(f"/meetings/{meeting.pk}/")
    page.get_by_role("link", name=re.compile("Move the meeting")).click()
    page.wait_for_load_state()
    clerk.check()
    assert "The agenda is published" in page.content()
    page.get_by_label("Venue").fill("Council Chamber, Southport Town Hall")
    page.get_by_role("button", name="Move the meeting").click()
    page.wait_for_load_state()
    clerk.check()
    assert "Its members are being emailed" in page.content()

    members = sorted(seat.user.email for seat in board.memberships.current())
    assert sorted(address for message in mail.outbox for address in message.to) == members
    assert all("Council Chamber, Southport Town Hall" in message.body for message in mail.outbox)
    front.refresh_from_db()
    assert front.revision == 2 and front.state == AgendaPack.State.QUEUED
    build_pack_now(front.pk)
    front.refresh_from_db()
    text = pdf_text(front.file.read())
    assert "Council Chamber, Southport Town Hall" in text and "Edition 2" in text
