"""Reminders of a report's due dates, and the record that the daily job ran."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Reminder(models.Model):
    """One reminder email sent: to one person, about one report's step due on one day. Sent once."""

    class Step(models.TextChoices):
        SIGN_OFF = "sign_off", "Sign-off"
        APPROVAL = "approval", "Approval"

    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="reminders")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    step = models.CharField(max_length=20, choices=Step.choices)
    due_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["report", "person", "step", "due_on"], name="one_reminder_per_due_date")
        ]

    def __str__(self):
        return f"{self.get_step_display()} of report {self.report_id} due {self.due_on}, to {self.person}"


class DailyRun(models.Model):
    """The last day a daily job was started, so that however many workers run, it starts once a day."""

    job = models.CharField(max_length=50, unique=True)
    last_run_on = models.DateField()

    def __str__(self):
        return f"{self.job}: {self.last_run_on}"
