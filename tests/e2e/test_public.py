"""The public site in a real browser, on a desk and on a phone, with axe-core on every page.

Uses the browser tests' Playwright set-up (conftest.py): Debian's Chromium against a
live server, every page checked for WCAG 2.2 A/AA violations.
"""

import re

import pytest

pytestmark = pytest.mark.e2e


PHONE = {"width": 375, "height": 740}


def fits(person):
    """Nothing on the page is wider than the screen (no sideways scrolling on a phone)."""
    return person.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desk", "phone"])
def test_a_visitor_finds_the_seed_report_from_the_home_page(people, e2e_demo, viewport):
    visitor = people("visitor", viewport=viewport)
    page = visitor.goto("/")
    assert page.url.endswith("/public/")
    assert fits(visitor)
    page.get_by_role("link", name="Health and Wellbeing Board: Wednesday 14 September 2022").first.click()
    page.wait_for_load_state()
    visitor.check()
    assert fits(visitor)
    page.get_by_role("link", name=re.compile(r"^Read the report\s*: Cities Inequalities Project")).click()
    page.wait_for_load_state()
    visitor.check()
    assert page.get_by_role("heading", level=1).inner_text() == "Cities Inequalities Project"
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this report (PDF)").click()
    assert download.value.suggested_filename == "cities-inequalities-project.pdf"

    page = visitor.goto("/public/")
    page.get_by_label("Search the reports").fill("Liverpool City Region")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    visitor.check()
    assert page.get_by_role("link", name="Cities Inequalities Project").count() == 1


def test_every_public_page_passes_axe(people, e2e_demo):
    visitor = people("visitor")
    for path in [
        "/public/",
        "/calendar/",
        "/calendar/?month=2022-09",
        "/calendar/?month=not-a-month",  # the error summary
        "/boards/",
        "/boards/health-and-wellbeing-board/",
        "/forward-plan/",
        "/search/",
        "/search/?q=inequalities&date_from=2022-01-01",
        "/search/?q=inequalities&date_from=2022-13-01",
        "/open-data/",
    ]:
        visitor.goto(path)
        assert fits(visitor), path


def test_a_member_sees_their_boards_and_packs_on_my_work(people, e2e_demo):
    member = people("member").sign_in("member")
    page = member.page
    panel = page.get_by_role("region", name="My boards")
    assert panel.get_by_role("link", name="Health and Wellbeing Board", exact=True).count() == 1
    assert "Recent papers" in panel.inner_text()
