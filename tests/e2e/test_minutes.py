"""Journey: the clerk drafts the minutes of the held meeting of 14 September 2022 from its record,
edits and publishes them as a draft; a visitor reads them from the meeting's page, and their PDF."""

import re

import pytest

from boards.models import Meeting
from minutes.models import Minutes


@pytest.fixture
def e2e_demo(e2e_demo_record_open):
    """The demo with 14 September 2022's record open (tests/e2e/conftest.py): this journey records it."""
    return e2e_demo_record_open


pytestmark = pytest.mark.e2e


def test_the_clerk_drafts_and_publishes_the_minutes_and_a_visitor_reads_them(people, e2e_demo):
    held = Meeting.objects.get(board__slug="health-and-wellbeing-board", starts_at__year=2022)

    clerk = people("clerk").sign_in("clerk")
    page = clerk.goto(f"/meetings/{held.pk}/")
    page.get_by_role("link", name="Minutes", exact=True).click()
    page.wait_for_load_state()
    clerk.check()
    assert "due by" in page.get_by_role("region", name="Where they stand").inner_text()
    page.get_by_role("button", name="Draft the minutes from the record").click()
    page.wait_for_load_state()
    clerk.check()
    minutes = page.get_by_label("Minutes (public once published)")
    assert "Councillor" in minutes.input_value() and "Apologies" in minutes.input_value()
    minutes.fill(minutes.input_value() + "<p>The Chair thanked the officers.</p>")
    page.get_by_role("button", name="Save the minutes").click()
    page.wait_for_load_state()
    assert "Minutes saved." in page.content()
    page.get_by_role("button", name="Publish as a draft, subject to approval").click()
    page.wait_for_load_state()
    clerk.check()
    assert Minutes.objects.get(meeting=held).status == Minutes.Status.PUBLISHED

    visitor = people("visitor")
    page = visitor.goto(f"/meetings/{held.pk}/")
    page.get_by_role("link", name="The minutes").click()
    page.wait_for_load_state()
    visitor.check()
    assert "Draft, subject to approval" in page.content()
    assert "The Chair thanked the officers." in page.content()
    pdf = page.request.get(page.get_by_role("link", name=re.compile("as a PDF")).get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
