"""Journey: the clerk publishes the notice of a Cabinet decision of last Thursday, effective five clear
working days later; two members of the scrutiny committee call it in before the period ends; the notice
says "Called in" and the item is on the committee's next agenda; the clerk records the outcome; a visitor
follows the decision's whole story on its issue page, from the Forward Plan to implementation."""

import re

import pytest
from django.utils import timezone

from boards.models import Meeting
from decisions.models import Notice, call_in_period


@pytest.fixture
def e2e_demo(e2e_demo_executive):
    """The demo as `make run` loads it, with its Cabinet and scrutiny committee."""
    return e2e_demo_executive


pytestmark = pytest.mark.e2e
SUBJECT = "Leisure Centres Investment Programme"
PLANNED = "Better Care Fund Plan 2025 to 2027"  # on the Forward Plan, its report not yet published


def test_a_cabinet_decision_is_published_called_in_and_decided(people, e2e_demo):
    held = Meeting.objects.get(board__slug="cabinet")
    clerk = people("clerk").sign_in("clerk")
    page = clerk.goto(f"/meetings/{held.pk}/")
    page.get_by_role("link", name="Decision notices").click()
    page.wait_for_load_state()
    clerk.check()
    page.locator("li", has_text=SUBJECT).get_by_role("link", name="publish its notice").click()
    page.wait_for_load_state()
    clerk.check()
    assert (
        "that the Leisure Centres Investment Programme 2027 to 2030 be approved"
        in page.locator("#id_decision").input_value()
    )
    # Nothing typed is lost when a field the law asks for is missing.
    page.locator("#id_reasons").fill("")
    page.locator("#id_conflicts").fill("None declared at the meeting.")
    page.get_by_role("button", name="Publish the notice").click()
    page.wait_for_load_state()
    clerk.check()
    assert "This field is required." in page.content()
    assert page.locator("#id_conflicts").input_value() == ("None declared at the meeting.")
    page.locator("#id_reasons").fill("The centres' roofs and pools need repair now.")
    page.get_by_role("button", name="Publish the notice").click()
    page.wait_for_load_state()
    clerk.check()
    notice = Notice.objects.get(item__meeting=held, title=SUBJECT)
    _, effective = call_in_period(timezone.localdate())
    assert f"Effective from {effective:%A} {effective.day} {effective:%B %Y}" in page.content()

    for name, action in [("cllr.lloyd", "start"), ("cllr.brennan", "sign")]:
        member = people(name).sign_in(name)
        page = member.goto(f"/decisions/{notice.pk}/")
        if action == "start":
            page.get_by_role("link", name="Call this decision in").click()
            page.wait_for_load_state()
            member.check()
            page.locator("#id_reasons").fill("The report does not say what the programme costs in each year.")
            page.get_by_role("button", name="Call it in and sign").click()
        else:
            page.get_by_role("button", name="Sign the call-in").click()
        page.wait_for_load_state()
        member.check()
    assert "The decision is called in" in page.content()

    visitor = people("visitor")
    page = visitor.goto(f"/decisions/{notice.pk}/")
    assert "Called in: implementation suspended" in page.content()
    committee = Meeting.objects.get(board__slug="overview-and-scrutiny")
    page.get_by_role("link", name=re.compile(r"Overview and Scrutiny Committee")).first.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/meetings/{committee.pk}/")
    clerk_page = clerk.goto(f"/meetings/{committee.pk}/")
    assert f"Call-in: {SUBJECT}" in clerk_page.content()

    page = clerk.goto(f"/decisions/{notice.pk}/")
    page.get_by_label("No further action: the decision takes effect").check()
    page.get_by_role("button", name="Record the outcome").click()
    page.wait_for_load_state()
    clerk.check()
    page = visitor.goto(f"/decisions/{notice.pk}/")
    assert "No further action: the decision takes effect" in page.content()
    page = visitor.goto("/decisions/")
    assert SUBJECT in page.content() and "Called in, then: No further action" in page.content()

    # The whole story, from the notice: in order, each step saying whether it is done.
    page = visitor.goto(f"/decisions/{notice.pk}/")
    page.get_by_role("link", name="The story of this decision, step by step").click()
    page.wait_for_load_state()
    visitor.check()
    assert page.url.endswith(f"/issues/{notice.item.report_id}/")
    assert page.get_by_role("heading", level=1).inner_text() == SUBJECT
    steps = page.get_by_role("list").filter(has=page.locator(".story-step")).get_by_role("listitem")
    story = [" ".join(text.split()) for text in steps.all_inner_texts()]
    expected = [
        "Notice given in the Forward Plan",
        "The report published with the agenda",
        "Decided by the Cabinet at its meeting",
        f"Decision notice {notice.reference} published",
        "Called in by members of the Overview and Scrutiny Committee",
        "The outcome of the call-in: No further action",
        "In effect",
        "Implementation, as the report plans it: When the call-in period ends.",
    ]
    assert len(story) == len(expected), story
    for step, words in zip(story, expected, strict=True):
        assert words in step, (words, story)
    assert all(step.startswith("Done") for step in story[:-1]), story
    assert story[-1].startswith("The decision is in effect"), story
    # Each step leads to its page: the report, the meeting, the notice.
    page.get_by_role("link", name="Decided by the Cabinet at its meeting").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/meetings/{held.pk}/")

    # A key decision still to be taken has its story from the Forward Plan, before its report is published.
    page = visitor.goto("/forward-plan/")
    entry = page.get_by_role("region", name=PLANNED)
    entry.get_by_role("link", name="The story of this decision, step by step").click()
    page.wait_for_load_state()
    visitor.check()
    story = [" ".join(text.split()) for text in page.locator(".story-step").all_inner_texts()]
    assert story[0].startswith("Done") and "Notice given in the Forward Plan" in story[0], story
    assert story[-1].startswith("Planned") and "To be decided by the Health and Wellbeing Board" in story[-1], story
