"""The daily reminder job, run by the background worker: its heartbeat queues it once a day."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from deadlines import services


@task()
def send_due_reminders_task():
    """Send the reminders due today (none twice: see services.send_due_reminders)."""
    return services.send_due_reminders()


def queue_daily_reminders(now=None):
    """A worker sweep: from REMINDER_HOUR each day, queue the reminder job once, whichever worker comes
    first. Returns whether it queued it."""
    now = timezone.localtime(now or timezone.now())
    if now.hour < settings.REMINDER_HOUR:
        return False
    with transaction.atomic():  # the day is claimed only if the job is queued with it
        if not services.daily_run_claim(job=services.REMINDERS_JOB, today=now.date()):
            return False
        send_due_reminders_task.enqueue()
    return True
