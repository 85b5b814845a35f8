"""The insight page in a real browser (issue 19), with axe-core on every page it loads.

A visitor sees the public figures of the demo history, with its charts and their tables, and downloads
a table as CSV; a member sees the officers' view, which counts the exempt reports of their own board
and not another board's.
"""

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest

from accounts.models import User
from insight.demo import load_history
from tests.test_insight import decided
from tests.test_public import other_board_member

pytestmark = pytest.mark.e2e


@pytest.fixture
def history(e2e_demo):
    users = {u.username: u for u in User.objects.all()}
    load_history(users, months=6)
    demo = SimpleNamespace(board=users["member"].memberships.first().board, **users)
    own = decided(demo, 1, climate="negative", exempt=True, day=dt.date(2023, 2, 1))
    own.subject = "Own board exempt decision"
    own.save(update_fields=["subject"])
    board, _ = other_board_member()
    other = decided(demo, 2, board=board, climate="negative", exempt=True, day=dt.date(2023, 2, 2))
    other.subject = "Other board exempt decision"
    other.save(update_fields=["subject"])
    return e2e_demo


def test_a_visitor_sees_the_figures_and_downloads_a_table(people, history):
    visitor = people("visitor")
    page = visitor.goto("/")
    page.get_by_role("button", name="Decisions").click()
    page.get_by_role("link", name="Climate and equality insight").click()
    page.wait_for_load_state()
    visitor.check()
    assert page.get_by_role("heading", level=1).inner_text() == "What our decisions add up to"
    assert page.get_by_text("In short").count() == 1
    assert page.locator("svg[role=img]").count() == 5
    assert "Positive impact:" in page.locator("#climate-chart-desc").text_content()
    assert page.get_by_role("table").count() == 5
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV of climate emergency declarations").click()
    csv = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert csv[0] == "Declaration,Reports,Share (%)"
    assert csv[3].startswith("Negative impact,")
    # The negative ones: every one public; the exempt ones are no part of it.
    page.get_by_role("link", name=f"{csv[3].split(',')[1]} reports: Negative impact").click()
    page.wait_for_load_state()
    visitor.check()
    listed = page.get_by_role("table").inner_text()
    assert "exempt decision" not in listed
    # Bad input: a clear message by the field.
    page = visitor.goto("/insight/?date_from=2025-05-01&date_to=2025-01-01")
    assert page.get_by_role("alert").inner_text().count("The end date must be on or after the start date.") == 1
    page = visitor.goto("/insight/?date_from=2040-01-01")
    assert "There are no published decisions since 1 January 2040 to count." in page.content()


def test_a_member_sees_the_exempt_reports_of_their_board_only(people, history):
    member = people("member").sign_in("member")
    page = member.goto("/insight/")
    assert page.get_by_text("exempt report", exact=False).count() >= 1
    page = member.goto("/insight/reports/?figure=climate:negative")
    listed = page.get_by_role("table").inner_text()
    assert "Own board exempt decision" in listed
    assert "Other board exempt decision" not in listed
    page = member.goto("/insight/?view=public")
    assert "exempt reports are counted here" not in page.content()
    page = member.goto("/insight/reports/?figure=climate:negative&view=public")
    assert "Own board exempt decision" not in page.get_by_role("table").inner_text()
