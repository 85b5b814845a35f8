"""Journey: the clerk records an action arising from the board's decision of 14 September 2022 (a due
date before the meeting is refused, nothing typed lost); its owner marks it in progress, then done (with
the note a finished action needs); the public see it on the tracker."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from actions.models import Action
from boards.models import Meeting

pytestmark = pytest.mark.e2e
WHAT = "Publish the project's findings on the council's website, with a summary in plain English."


def test_an_action_is_recorded_worked_on_and_seen_by_the_public(people, e2e_demo):
    meeting = Meeting.objects.get(starts_at__year=2022)
    clerk = people("clerk").sign_in("clerk")
    page = clerk.goto(f"/meetings/{meeting.pk}/")
    page.get_by_role("link", name=re.compile("Record an action")).click()
    page.wait_for_load_state()
    clerk.check()
    page.get_by_label("What is to be done").fill(WHAT)
    page.get_by_label("Officer responsible").select_option(label="Eleanor Moulton, Consultant in Public Health")
    page.get_by_label("Due date").fill("2022-09-01")
    page.get_by_role("button", name="Record the action").click()
    page.wait_for_load_state()
    clerk.check()
    assert "The due date cannot be before the meeting the decision was made at" in page.content()
    assert page.get_by_label("What is to be done").input_value() == WHAT
    due = timezone.localdate() + dt.timedelta(days=28)
    page.get_by_label("Due date").fill(due.isoformat())
    page.get_by_role("button", name="Record the action").click()
    page.wait_for_load_state()
    clerk.check()
    assert "Action recorded" in page.content()
    action = Action.objects.get(description=WHAT)
    assert action.status == Action.Status.NOT_STARTED

    officer = people("officer").sign_in("officer")
    page = officer.page
    page.get_by_role("link", name=re.compile("Publish the project's findings")).first.click()
    page.wait_for_load_state()
    officer.check()
    page.get_by_label("In progress").check()
    page.get_by_label("Note").fill("Summary drafted; with the communications team.")
    page.get_by_role("button", name="Record the update").click()
    page.wait_for_load_state()
    officer.check()
    assert "Update recorded" in page.content()
    page.get_by_label("Done").check()
    page.get_by_role("button", name="Record the update").click()
    page.wait_for_load_state()
    officer.check()
    assert "Say what was done, so the record shows how the action was completed." in page.content()
    page.get_by_label("Note").fill("Published on the council's website on 1 December.")
    page.get_by_role("button", name="Record the update").click()
    page.wait_for_load_state()
    officer.check()
    action.refresh_from_db()
    assert action.status == Action.Status.DONE
    assert [u.to_status for u in action.updates.all()] == ["not_started", "in_progress", "done"]

    visitor = people("visitor")
    page = visitor.goto("/actions/")
    row = page.locator("tr", has_text="Publish the project's findings")
    assert "Done" in row.inner_text() and "Eleanor Moulton, Consultant in Public Health" in row.inner_text()
    page.get_by_label("Status").select_option(label="Done")
    page.get_by_role("button", name="Show actions").click()
    page.wait_for_load_state()
    visitor.check()
    assert "2 actions found" in page.content()
    page.get_by_role("link", name=re.compile("Publish the project's findings")).click()
    page.wait_for_load_state()
    visitor.check()
    assert "Published on the council's website on 1 December." in page.content()
    assert "Record the update" not in page.content()
