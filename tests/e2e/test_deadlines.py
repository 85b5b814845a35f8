"""Journey (issue 17): a report goes to the board's next meeting; `finance` sees its sign-off due date on
My work; the daily job runs in the worker and `finance` gets the reminder email, follows it and signs
off; democratic services see whom the report now waits for; a councillor's My work shows no drafts."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker

from boards.models import Meeting
from deadlines import tasks
from reports.models import Report
from tests.e2e.test_workflow import Demo
from tests.test_workflow import complete_draft

pytestmark = pytest.mark.e2e


def test_a_consultee_sees_a_due_date_and_is_reminded_by_the_daily_job(people, e2e_demo, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.REMINDER_WORKING_DAYS = 30  # the board's next meeting is four weeks away: remind today
    meeting = Meeting.objects.filter(starts_at__gt=timezone.now()).order_by("starts_at").first()
    report = complete_draft(Demo(e2e_demo.users), subject="Tobacco Control Strategy 2025 to 2030")
    Report.objects.filter(pk=report.pk).update(meeting=meeting)
    due = meeting.sign_off_due
    due_text = f"sign-offs due {due:%a} {due.day} {due:%b %Y}"

    officer = people("officer").sign_in("officer")
    officer.goto(f"/reports/{report.pk}/")
    officer.page.get_by_role("button", name="Submit for sign-off").click()
    officer.page.wait_for_load_state()
    officer.check()
    assert "Submitted for sign-off" in officer.page.content()

    finance = people("finance").sign_in("finance")
    finance.goto("/")
    task = finance.page.get_by_role("region", name="Waiting for your sign-off").get_by_role("listitem")
    assert report.subject in task.inner_text() and due_text in task.inner_text()

    # The daily job, as the worker runs it: its heartbeat queues the job, the worker takes it.
    mail.outbox.clear()
    assert tasks.queue_daily_reminders(timezone.localtime().replace(hour=23)) is True
    Worker(
        queue_names=["*"], interval=0.1, batch=True, backend_name="default", startup_delay=False, max_tasks=None,
        worker_id="e2e", excluded_queue_names=[],
    ).run()  # fmt: skip
    to_finance = [m for m in mail.outbox if m.to == [e2e_demo.users["finance"].email]]
    assert len(to_finance) == 1
    assert to_finance[0].subject.startswith("Reminder: sign-off due") and report.subject in to_finance[0].subject
    link = re.search(r"Open it: (\S+)", to_finance[0].body).group(1)
    assert tasks.queue_daily_reminders(timezone.localtime().replace(hour=23)) is False  # once a day

    page = finance.goto(urlsplit(link).path)
    page.get_by_label("Comment").fill("Costs agreed.")
    page.get_by_role("button", name="Sign off").click()
    page.wait_for_load_state()
    finance.check()
    assert re.search(r"The reference is FD\.\d+/\d\d", page.content())

    clerk = people("clerk").sign_in("clerk")
    page = clerk.goto("/")
    page.get_by_role("link", name=re.compile(f"1 report due for {meeting.board}")).click()
    page.wait_for_load_state()
    clerk.check()
    row = page.locator("tr", has_text=report.subject)
    assert "In consultation" in row.inner_text() and "Lewis Dwyer" in row.inner_text()
    assert "Frances Hughes" not in row.inner_text()

    member = people("member").sign_in("member")
    page = member.goto("/")
    assert page.get_by_role("heading", name="My boards").is_visible()
    assert "My drafts" not in page.content() and "Sefton Active Lifestyles Strategy" not in page.content()
