"""The sign-off journey in a real browser: the demo users submit, sign off, return and approve.

Uses the browser tests' Playwright set-up (conftest.py): Debian's Chromium against a
live server, with axe-core checking every page visited for WCAG 2.2 A/AA violations.
"""

import re

import pytest

from reports.models import Report, SignOff
from tests.test_workflow import complete_draft

pytestmark = pytest.mark.e2e


class Demo:
    """The demo users as `complete_draft` expects them."""

    def __init__(self, users):
        self.__dict__.update(users)
        self.seed = Report.objects.get(subject="Cities Inequalities Project")


def open_task(person, heading, subject):
    """From My work, follow the report under `heading`."""
    person.goto("/")
    section = person.page.get_by_role("region", name=heading)
    section.get_by_role("link", name=subject).click()
    person.page.wait_for_load_state()
    person.check()


def test_the_sign_off_journey_in_the_browser(people, e2e_demo):
    report = complete_draft(Demo(e2e_demo.users), subject="Tobacco Control Strategy 2025 to 2030")

    officer = people("officer").sign_in("officer")
    officer.goto(f"/reports/{report.pk}/edit/")
    officer.page.get_by_role("textbox", name="Summary", exact=True).fill("A new strategy to reduce smoking.")
    officer.page.get_by_role("button", name="Save draft").click()
    officer.page.wait_for_load_state()
    officer.goto(f"/reports/{report.pk}/")
    officer.page.get_by_role("button", name="Submit for sign-off").click()
    officer.page.wait_for_load_state()
    officer.check()
    assert "Submitted for sign-off" in officer.page.content()

    for username, prefix in [("finance", "FD"), ("legal", "LD")]:
        consultee = people(username).sign_in(username)
        open_task(consultee, "Waiting for your sign-off", report.subject)
        assert "This is the first time you have opened this report." in consultee.page.content()
        consultee.page.get_by_label("Comment").fill("Content agreed.")
        consultee.page.get_by_role("button", name="Sign off").click()
        consultee.page.wait_for_load_state()
        consultee.check()
        assert re.search(rf"The reference is {prefix}\.\d+/\d\d", consultee.page.content())

    references = [s.reference for s in SignOff.objects.filter(report=report, voided_at__isnull=True)]
    assert len(references) == 2

    director = people("director").sign_in("director")
    open_task(director, "Waiting for your approval", report.subject)
    for reference in references:
        assert reference in director.page.content()
    director.page.get_by_role("button", name="Approve this report").click()
    director.page.wait_for_load_state()
    director.check()
    assert "Approved." in director.page.content()
    report.refresh_from_db()
    assert report.status == Report.Status.APPROVED

    director.goto(f"/reports/{report.pk}/history/")
    director.page.get_by_role("button", name="Compare side by side").click()
    director.page.wait_for_load_state()
    director.check()
    assert "A new strategy to reduce smoking" in director.page.content()


def test_a_returned_report_in_the_browser(people, e2e_demo):
    report = complete_draft(Demo(e2e_demo.users), subject="Sexual Health Strategy 2025 to 2030")
    officer = people("officer").sign_in("officer")
    officer.goto(f"/reports/{report.pk}/")
    officer.page.get_by_role("button", name="Submit for sign-off").click()
    officer.page.wait_for_load_state()

    legal = people("legal").sign_in("legal")
    open_task(legal, "Waiting for your sign-off", report.subject)
    legal.page.get_by_role("button", name="Return to author").click()  # without a comment first
    legal.page.wait_for_load_state()
    legal.check()
    assert "returning a report needs a comment" in legal.page.content()
    legal.page.get_by_label("Comment").fill("Please add the legal basis in section 2.")
    legal.page.get_by_role("button", name="Return to author").click()
    legal.page.wait_for_load_state()
    legal.check()
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT

    officer.goto("/")
    returned = officer.page.get_by_role("region", name="Returned to you with comments")
    assert "Please add the legal basis in section 2." in returned.inner_text()
    returned.get_by_role("link", name=report.subject).click()
    officer.page.wait_for_load_state()
    # The editor page itself is checked by the drafting journeys; here it is the comments on it.
    banner = officer.page.get_by_role("region", name=re.compile("Returned to the author by Lewis Dwyer"))
    assert "Please add the legal basis in section 2." in banner.inner_text()
