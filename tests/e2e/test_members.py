"""Journey: a member sends apologies for the coming meeting; the clerk sees them and records the
attendance of 14 September 2022; a visitor reads the councillor's attendance and the meeting's."""

import re

import pytest
from django.utils import timezone

from boards.models import Meeting
from members.models import Apology, Attendance


@pytest.fixture
def e2e_demo(e2e_demo_record_open):
    """The demo with 14 September 2022's record open (tests/e2e/conftest.py): this journey records it."""
    return e2e_demo_record_open


pytestmark = pytest.mark.e2e


def test_apologies_attendance_and_the_councillors_record(people, e2e_demo):
    coming = Meeting.objects.filter(board__slug="health-and-wellbeing-board", starts_at__gt=timezone.now()).get()
    held = Meeting.objects.get(board__slug="health-and-wellbeing-board", starts_at__year=2022)

    member = people("member").sign_in("member")
    page = member.page
    page.get_by_role("link", name="Send apologies for a coming meeting").click()
    page.wait_for_load_state()
    member.check()
    page.get_by_label("Reason (optional)").fill("On leave that week")
    page.get_by_label("Substitute (optional)").select_option(label="Councillor Joan Whitfield")
    page.get_by_role("button", name=re.compile("^Send apologies")).click()
    page.wait_for_load_state()
    member.check()
    assert "You have sent apologies" in page.content()
    assert Apology.objects.standing().get(meeting=coming).substitute.username == "cllr.whitfield"

    clerk = people("clerk").sign_in("clerk")
    page = clerk.goto(f"/meetings/{coming.pk}/")
    card = page.get_by_role("region", name="Apologies received")
    assert "Councillor Ian Moncur, substitute: Councillor Joan Whitfield" in card.inner_text()
    page = clerk.goto(f"/meetings/{held.pk}/")
    page.get_by_role("region", name="Apologies received").get_by_role("link", name="Attendance").click()
    page.wait_for_load_state()
    clerk.check()
    assert "quorate" in page.get_by_role("region", name="Quorum").inner_text()
    page.get_by_role("group", name=re.compile("Councillor Peter Kenyon")).get_by_label("Absent").check()
    page.get_by_role("group", name="Other attendee 1").get_by_label("Name").fill("Dr Sam Okafor")
    page.get_by_role("group", name="Other attendee 1").get_by_label("Attended as").select_option(label="Guest")
    page.get_by_role("button", name="Save the attendance").click()
    page.wait_for_load_state()
    clerk.check()
    assert "Attendance saved." in page.content()
    assert Attendance.objects.get(meeting=held, member__username="cllr.kenyon").status == "absent"

    visitor = people("visitor")
    page = visitor.goto("/councillors/")
    page.get_by_role("link", name="Councillor Ian Moncur").first.click()
    page.wait_for_load_state()
    visitor.check()
    row = page.get_by_role("region", name="Attendance at meetings").get_by_role(
        "row", name=re.compile("Health and Wellbeing Board")
    )
    assert row.get_by_role("cell").all_inner_texts() == ["1", "1", "0", "0"]
    visitor.goto("/councillors/?by=party")
    page = visitor.goto(f"/meetings/{held.pk}/")
    attendance = page.get_by_role("region", name="Attendance")
    assert "The meeting was quorate" in attendance.inner_text()
    assert "Councillor Peter Kenyon" in attendance.inner_text() and "Dr Sam Okafor" in attendance.inner_text()
