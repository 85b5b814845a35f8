"""Journey: the clerk records a recorded vote on the seed report's item of 14 September 2022 from the
meeting's page; a visitor reads the motion, mover, seconder and each member's vote on the meeting's page."""

import re

import pytest

from boards.models import Meeting
from votes.models import Motion


@pytest.fixture
def e2e_demo(e2e_demo_record_open):
    """The demo with 14 September 2022's record open (tests/e2e/conftest.py): this journey records it."""
    return e2e_demo_record_open


pytestmark = pytest.mark.e2e


def test_the_clerk_records_a_recorded_vote_and_a_visitor_reads_it(people, e2e_demo):
    held = Meeting.objects.get(board__slug="health-and-wellbeing-board", starts_at__year=2022)

    clerk = people("clerk").sign_in("clerk")
    page = clerk.goto(f"/meetings/{held.pk}/")
    page.get_by_role("link", name=re.compile(r"^Vote: carried\W+Cities Inequalities Project")).click()
    page.wait_for_load_state()
    clerk.check()
    assert "Members present: 5" in page.content()
    page.get_by_label("Motion", exact=True).fill("(1) That the Board supports the Cities Inequalities Project.")
    page.get_by_label("Moved by").first.select_option(label="Councillor Ruth Ellison")
    page.get_by_label("Seconded by").first.select_option(label="Councillor Aisha Rahman")
    page.get_by_label("Recorded vote (each member's name and vote)").check()
    for name, vote in [
        ("Councillor Ruth Ellison", "For"),
        ("Councillor Aisha Rahman", "For"),
        ("Councillor Joan Whitfield", "For"),
        ("Councillor Peter Kenyon", "Against"),
    ]:
        page.get_by_role("group", name=name, exact=True).get_by_label(vote, exact=True).check()
    # Forgetting a member present is refused, with the message beside their name, nothing typed lost.
    page.get_by_role("button", name="Save the vote").click()
    page.wait_for_load_state()
    clerk.check()
    assert "a recorded vote names every member present" in page.content()
    assert "supports the Cities Inequalities Project" in page.get_by_label("Motion", exact=True).input_value()
    page.get_by_role("group", name="Councillor Ian Moncur", exact=True).get_by_label("Did not vote").check()
    page.get_by_role("group", name="Councillor Aisha Rahman", exact=True).get_by_label("For", exact=True).check()
    page.get_by_role("button", name="Save the vote").click()
    page.wait_for_load_state()
    clerk.check()
    assert "Vote saved." in page.content()
    motion = Motion.objects.get(item__meeting=held)
    assert (motion.method, motion.votes_for, motion.votes_against, motion.outcome) == ("recorded", 3, 1, "carried")

    visitor = people("visitor")
    page = visitor.goto(f"/meetings/{held.pk}/")
    text = page.locator(f"#item-{motion.item_id}").inner_text()
    assert "That the Board supports the Cities Inequalities Project." in text
    assert "Moved by Councillor Ruth Ellison, seconded by Councillor Aisha Rahman." in text
    assert "Carried: 3 for, 1 against, 0 abstentions (recorded vote)" in text
    assert "Councillor Peter Kenyon: against" in text and "Councillor Ian Moncur: did not vote" in text
