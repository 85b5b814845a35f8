"""Journey: the clerk changes the Health and Wellbeing Board's usual venue and time on its settings page,
then on its members page tries to add a new councillor as vice-chair (refused beside the role: the board
has one, nothing typed lost), ends the present vice-chair's seat today and adds the councillor as
vice-chair from tomorrow. The pages are checked with axe at 1280 px and at 390 px."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import User
from boards.models import Board, BoardEvent, Membership
from members.models import Councillor

pytestmark = pytest.mark.e2e
SHOTS = "test-results"


def test_the_clerk_edits_a_boards_venue_and_time_and_changes_its_vice_chair(people, e2e_demo):
    board = Board.objects.get(slug="health-and-wellbeing-board")
    nadia = User.objects.create_user("cllr.newton", first_name="Councillor Nadia", last_name="Newton")
    Councillor.objects.create(user=nadia)
    today, tomorrow = timezone.localdate(), timezone.localdate() + dt.timedelta(days=1)

    clerk = people("clerk").sign_in("clerk")
    page = clerk.goto("/boards/")
    page.get_by_role("link", name="Settings of the Health and Wellbeing Board").click()
    page.wait_for_load_state()
    clerk.check()
    page.get_by_label("Usual venue").fill("Bootle Town Hall, Committee Room 1")
    page.get_by_label("Usual time").fill("10:30")
    page.get_by_role("button", name="Save the settings").click()
    page.wait_for_load_state()
    clerk.check()
    assert "settings are saved" in page.content()
    assert "Usual time: 14:00 → 10:30" in page.content()  # the history
    page.screenshot(path=f"{SHOTS}/board-settings.png", full_page=True)
    board.refresh_from_db()
    assert (board.default_venue, board.default_time) == ("Bootle Town Hall, Committee Room 1", dt.time(10, 30))

    page.get_by_role("link", name="Members").first.click()
    page.wait_for_load_state()
    clerk.check()
    page.get_by_label("Councillor").select_option(label="Councillor Nadia Newton")
    page.get_by_label("Role").select_option(label="Vice-Chair")
    page.get_by_label("From").fill(today.isoformat())
    page.get_by_role("button", name="Add the member").click()
    page.wait_for_load_state()
    clerk.check()
    assert "a board has one vice-chair at a time" in page.content()
    page.screenshot(path=f"{SHOTS}/board-members-refused.png", full_page=True)
    assert page.get_by_label("Role").input_value() == "vice_chair"  # nothing typed lost
    assert page.get_by_label("Councillor").input_value() == str(nadia.pk)

    page.get_by_role("link", name="Change or end Councillor Tom Garside's seat").click()
    page.wait_for_load_state()
    clerk.check()
    page.get_by_label("Last day").fill(today.isoformat())
    page.get_by_role("button", name="End the membership").click()
    page.wait_for_load_state()
    clerk.check()
    assert "Councillor Tom Garside's seat ends on" in page.content()

    page.get_by_label("Councillor").select_option(label="Councillor Nadia Newton")
    page.get_by_label("Role").select_option(label="Vice-Chair")
    page.get_by_label("From").fill(tomorrow.isoformat())
    page.get_by_role("button", name="Add the member").click()
    page.wait_for_load_state()
    clerk.check()
    assert "Councillor Nadia Newton is added to the Health and Wellbeing Board as Vice-Chair." in page.content()
    joining = page.locator("section", has=page.get_by_role("heading", name="Joining later"))
    assert joining.get_by_role("cell", name="Councillor Nadia Newton", exact=True).count() == 1
    page.screenshot(path=f"{SHOTS}/board-members.png", full_page=True)
    seats = board.memberships.current(tomorrow).filter(role=Membership.Role.VICE_CHAIR)
    assert [seat.user for seat in seats] == [nadia]
    assert [e.action for e in BoardEvent.objects.filter(board=board)] == [
        "settings_changed",
        "membership_ended",
        "member_added",
    ]

    phone = people("clerk on a phone", viewport={"width": 390, "height": 844}).sign_in("clerk")
    for name, path in [
        ("settings", f"/boards/{board.slug}/settings/"),
        ("members", f"/boards/{board.slug}/members/"),
        ("new", "/boards/new/"),
    ]:
        phone.goto(path)
        phone.page.screenshot(path=f"{SHOTS}/board-{name}-390.png", full_page=True)
        width = phone.page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
