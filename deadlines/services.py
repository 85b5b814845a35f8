"""The writers of deadlines/: reminder emails, each recorded once sent, and the claim of a daily run."""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from boards import clock
from deadlines import selectors
from deadlines.models import DailyRun, Reminder

log = logging.getLogger(__name__)

REMINDERS_JOB = "due_reminders"


def remind_on(due_on):
    """The day a reminder of a step due on `due_on` goes: REMINDER_WORKING_DAYS working days before it."""
    return clock.working_days_before(due_on, settings.REMINDER_WORKING_DAYS)


def send_due_reminders(*, today=None):
    """Email everyone a report on its way waits for, from REMINDER_WORKING_DAYS working days before the
    step's due date: once per report, person, step and due date (a `Reminder` row), however often it runs.

    A reminder day missed (the job did not run) is caught up by the next run; a due date that moves
    (the report names another meeting) is a new due date, reminded again. Returns how many were sent.
    """
    today = today or timezone.localdate()
    kinds = selectors.active_kinds()
    reports = list(selectors.on_their_way())
    sent_before = set(
        Reminder.objects.filter(report__in=reports).values_list("report_id", "person_id", "step", "due_on")
    )
    sent = 0
    for report in reports:
        for step, due_on, person in selectors.due_steps(report, kinds):
            if remind_on(due_on) > today or not person.email or not person.is_active:
                continue
            if (report.pk, person.pk, step, due_on) in sent_before:
                continue
            sent += reminder_send(report=report, person=person, step=step, due_on=due_on, today=today)
    return sent


def reminder_send(*, report, person, step, due_on, today):
    """Send one reminder and record it, or neither: 1 if it was sent now, 0 if it had been already or failed."""
    try:
        with transaction.atomic():
            # Recorded first, under the unique constraint: a second run at the same moment waits for
            # this one and then finds the row. A failed send rolls the row back, to be tried next run.
            Reminder.objects.create(report=report, person=person, step=step, due_on=due_on)
            _email(report, person, step, due_on, today).send()
    except IntegrityError:
        return 0
    except OSError:  # smtplib's errors are OSErrors too
        log.exception("Could not send the %s reminder for report %s to %s", step, report.pk, person.pk)
        return 0
    return 1


def _email(report, person, step, due_on, today):
    if step == Reminder.Step.SIGN_OFF:
        what, link = "sign-off", reverse("reports:consult", args=[report.pk])
    else:
        what, link = "approval", reverse("reports:detail", args=[report.pk])
    overdue = due_on < today
    body = render_to_string(
        "emails/due_reminder.txt",
        {
            "recipient": person,
            "report": report,
            "what": what,
            "due": clock.in_words(due_on),
            "overdue": overdue,
            "meeting": report.meeting,
            "link": settings.SITE_URL + link,
            "council_name": settings.COUNCIL_NAME,
        },
    )
    state = "overdue since" if overdue else "due"
    subject = " ".join(f"Reminder: {what} {state} {clock.in_words(due_on)}: {report.title}".split())
    connection = get_connection(timeout=settings.EMAIL_TIMEOUT or 10)
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email], connection=connection)


def daily_run_claim(*, job, today):
    """Claim `job`'s run for `today`: True for the one caller that claims it, False for any other that day."""
    DailyRun.objects.get_or_create(job=job, defaults={"last_run_on": today - dt.timedelta(days=1)})
    return DailyRun.objects.filter(job=job, last_run_on__lt=today).update(last_run_on=today) == 1
