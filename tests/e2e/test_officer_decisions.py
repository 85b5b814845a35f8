"""Officer decisions in a real browser, with axe-core on every page: the officer records one (a
future date refused, what was typed kept), checks and submits it, democratic services publish it,
a visitor finds it on the register; the demo's exempt decision shows only its title, date and maker."""

import datetime as dt

import pytest
from django.utils import timezone

from officer_decisions.models import OfficerDecision

pytestmark = pytest.mark.e2e

TITLE = "Hire of a community health bus for the summer"


def test_an_officer_decision_goes_from_the_officer_through_the_clerk_to_the_register(people, e2e_demo):
    officer = people("officer").sign_in("officer")
    page = officer.goto("/officer-decisions/")
    page.get_by_role("link", name="Record an officer decision").click()
    page.wait_for_load_state()
    officer.check()
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_decision").fill("To hire a health bus for eight weeks at a cost of £9,000.")
    future = timezone.localdate() + dt.timedelta(days=3)
    page.locator("#id_decided_on").fill(future.isoformat())
    page.locator("#id_delegated_power").fill("Scheme of Delegation, paragraph 4.5.")
    page.locator("#id_reasons").fill("To offer health checks at summer events.")
    page.locator("#id_background_papers").fill("Events programme\nQuotation from the hire company")
    page.get_by_role("button", name="Save and check").click()
    page.wait_for_load_state()
    officer.check()
    assert page.get_by_text("The date of the decision cannot be in the future.").count() >= 1
    assert page.locator("#id_title").input_value() == TITLE
    page.locator("#id_decided_on").fill((timezone.localdate() - dt.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Save and check").click()
    page.wait_for_load_state()
    officer.check()
    assert page.get_by_text("Quotation from the hire company").count() == 1
    page.get_by_role("button", name="Submit to democratic services").click()
    page.wait_for_load_state()
    officer.check()  # My officer decisions
    assert OfficerDecision.objects.get(title=TITLE).status == OfficerDecision.Status.SUBMITTED

    clerk = people("clerk").sign_in("clerk")
    page = clerk.page
    page.get_by_role("button", name="Decisions", exact=True).click()  # the menu it is in
    page.get_by_role("link", name="Decisions to publish").click()
    page.wait_for_load_state()
    clerk.check()
    page.get_by_role("button", name=f"Publish {TITLE}").click()
    page.wait_for_load_state()
    clerk.check()

    visitor = people("visitor")
    page = visitor.goto("/officer-decisions/")
    page.get_by_label("Title contains").fill("health bus")
    page.get_by_role("button", name="Show decisions").click()
    page.wait_for_load_state()
    visitor.check()
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_load_state()
    visitor.check()
    assert page.get_by_text("To hire a health bus for eight weeks").count() == 1

    exempt = OfficerDecision.objects.published().get(exempt_paragraph__isnull=False)
    page = visitor.goto(exempt.get_absolute_url())
    assert page.get_by_text("Not for publication: paragraph 3", exact=False).count() == 1
    assert page.get_by_text("revised price schedule", exact=False).count() == 0
