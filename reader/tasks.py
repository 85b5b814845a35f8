"""The reader's daily retention sweep, run by the background worker's heartbeat (run_worker SWEEPS)."""

from django.conf import settings
from django.utils import timezone

from deadlines.services import daily_run_claim
from reader import services

RETENTION_JOB = "reader_notes_retention"


def sweep_notes_retention(now=None):
    """A worker sweep: once a day from REMINDER_HOUR, whichever worker comes first, delete the notes kept
    past READER_NOTES_KEEP_DAYS after their meeting's minutes were approved and warn those about to go.
    Returns (deleted, warned), or None when it was not its time."""
    now = timezone.localtime(now or timezone.now())
    if now.hour < settings.REMINDER_HOUR:
        return None
    if not daily_run_claim(job=RETENTION_JOB, today=now.date()):
        return None
    return services.notes_retention_sweep(today=now.date())
