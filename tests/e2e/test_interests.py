"""The register of members' interests in a real browser, with axe-core on every page: the member
proposes a change to an entry, the monitoring officer accepts it, a visitor reads the public register."""

import re

import pytest

from boards.models import Meeting

pytestmark = pytest.mark.e2e


def test_a_register_change_goes_from_the_member_through_legal_to_the_public(people, e2e_demo):
    member = people("member").sign_in("member")
    page = member.page
    assert page.get_by_text("Review due").count() >= 1  # the demo's register was accepted in 2022
    page.get_by_role("link", name="Keep my register of interests up to date").click()
    page.wait_for_load_state()
    member.check()
    page.get_by_role("link", name=re.compile(r"^Change Employment")).click()
    page.wait_for_load_state()
    member.check()
    page.get_by_label("Description").fill("Chair of trustees (unpaid) of Sefton Carers Centre")
    page.get_by_role("button", name="Send to the monitoring officer").click()
    page.wait_for_load_state()
    member.check()
    assert page.get_by_text("A change is waiting for the monitoring officer").count() == 1

    legal = people("legal").sign_in("legal")
    page = legal.page
    page.get_by_role("button", name="Councillors", exact=True).click()  # the menu it is in
    page.get_by_role("link", name="Register changes").click()
    page.wait_for_load_state()
    legal.check()
    assert page.get_by_text("Chair of trustees (unpaid) of Sefton Carers Centre").count() == 1
    page.get_by_role("button", name=re.compile(r"^Accept")).click()
    page.wait_for_load_state()
    legal.check()
    assert page.get_by_text("No change is waiting.").count() == 1

    visitor = people("visitor")
    page = visitor.goto("/register/")
    assert page.get_by_text("Chair of trustees (unpaid) of Sefton Carers Centre").count() == 1
    assert page.get_by_text("the member has a sensitive interest").count() == 1
    assert page.get_by_text("A house in Bootle").count() == 0
    page.get_by_role("link", name="Councillor Ian Moncur").click()
    page.wait_for_load_state()
    visitor.check()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Councillor Ian Moncur")

    # The demo's declaration on the seed report, on the meeting's public page.
    held = Meeting.objects.get(starts_at__year=2022)
    page = visitor.goto(f"/meetings/{held.pk}/")
    assert page.get_by_text("Declarations of interest", exact=True).count() == 1
    assert page.get_by_text(re.compile("Trustee of Sefton Carers Centre")).count() == 1


def test_declaring_an_interest_passes_axe_for_the_member_and_the_clerk(people, e2e_demo):
    upcoming = Meeting.objects.filter(starts_at__year__gt=2022).order_by("starts_at").first()
    member = people("member").sign_in("member")
    page = member.goto(f"/meetings/{upcoming.pk}/declare/")
    page.get_by_label("Nature of the interest").fill("My partner works for a bidder")
    page.get_by_role("button", name="Record the declaration").click()  # no item chosen: refused, kept
    page.wait_for_load_state()
    member.check()
    assert page.get_by_label("Nature of the interest").input_value() == "My partner works for a bidder"
    clerk = people("clerk").sign_in("clerk")
    clerk.goto(f"/meetings/{Meeting.objects.get(starts_at__year=2022).pk}/declarations/")
