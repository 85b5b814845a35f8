"""Decision notices of executive boards, and their call-in by scrutiny (DESIGN section 11).

An executive decision (the Cabinet's, a Cabinet Member's) is recorded in a notice published soon
after the meeting (Executive Arrangements Regulations 2012, reg. 12): the decision, the reasons, the
alternatives considered and rejected, the conflicts of interest declared and the dispensations. It
takes effect when the call-in period ends: CALL_IN_CLEAR_WORKING_DAYS clear working days after
publication, on the statutory clock of boards/clock.py; until then members of a scrutiny committee
that scrutinises the board may call it in, and once CALL_IN_SIGNATURES of them have signed, it is
suspended until the committee decides what happens to it. An urgent decision is exempt from call-in
and takes effect at once, saying why.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from boards import clock


class Notice(models.Model):
    """The published record of one executive decision: one per agenda item decided."""

    class Status(models.TextChoices):
        PUBLISHED = "published", "Published: open to call-in"
        CALLED_IN = "called_in", "Called in: implementation suspended"
        DECIDED = "decided", "Call-in considered"

    class Outcome(models.TextChoices):
        NO_FURTHER_ACTION = "no_further_action", "No further action: the decision takes effect"
        REFERRED_BACK = "referred_back", "Referred back to the decision maker"
        REFERRED_TO_COUNCIL = "referred_to_council", "Referred to full Council"

    item = models.OneToOneField("boards.AgendaItem", on_delete=models.PROTECT, related_name="notice")
    title = models.CharField(max_length=300)
    decision = models.TextField()
    reasons = models.TextField("reasons for the decision")
    alternatives = models.TextField("alternative options considered and rejected")
    conflicts = models.TextField(
        "conflicts of interest declared, and dispensations", blank=True,
        help_text="Any conflict of interest declared by a member consulted, and any dispensation granted.",
    )  # fmt: skip
    is_urgent = models.BooleanField(
        "urgent: not subject to call-in", default=False,
        help_text="Only where any delay would seriously prejudice the council's or the public's interests.",
    )  # fmt: skip
    urgency_reason = models.TextField("why it is urgent", blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PUBLISHED)
    version = models.PositiveIntegerField(default=1)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    call_in_closes_at = models.DateTimeField(
        null=True, blank=True, help_text="The end of the call-in period; none for an urgent decision."
    )
    effective_on = models.DateField(null=True, blank=True, help_text="When it takes effect; none while called in.")
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, help_text="The last change to what the notice says.")
    scrutiny_item = models.OneToOneField(
        "boards.AgendaItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="called_in_notice"
    )

    class Meta:
        ordering = ["-published_at", "-pk"]

    def __str__(self):
        return f"Decision notice {self.reference}: {self.title}"

    def get_absolute_url(self):
        return reverse("decisions:notice", args=[self.pk])

    @property
    def reference(self):
        return f"D{self.published_at:%Y}/{self.pk:04d}"

    @property
    def is_exempt(self):
        return self.item.is_exempt

    def is_open_to_call_in(self, now=None):
        now = now or timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and not self.is_urgent
            and self.call_in_closes_at is not None
            and now < self.call_in_closes_at
        )

    @property
    def state_display(self):
        """Where the decision stands, in words, as the notice and the register print it."""
        if self.status == self.Status.CALLED_IN:
            return "Called in: implementation suspended"
        if self.status == self.Status.DECIDED:
            return f"Called in, then: {self.get_outcome_display()}"
        if self.is_urgent:
            return "Urgent: not subject to call-in"
        if self.is_open_to_call_in():
            return "Open to call-in"
        return "In effect"


def call_in_period(published_on):
    """(When call-in closes, the day the decision takes effect) for a notice published on `published_on`.

    The period is CALL_IN_CLEAR_WORKING_DAYS clear working days after the day of publication (that day
    not counted), on the statutory clock: call-in closes at the end of the last of them (midnight, UK
    time), and the decision takes effect on the next working day.
    """
    last_day = clock.working_days_after(published_on, settings.CALL_IN_CLEAR_WORKING_DAYS)
    closes = timezone.make_aware(dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min))
    return closes, clock.working_days_after(last_day, 1)


class NoticeVersion(models.Model):
    """A notice as it stood before a correction: a published notice is corrected, never silently edited."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    decision = models.TextField()
    reasons = models.TextField()
    alternatives = models.TextField()
    conflicts = models.TextField(blank=True)
    corrected_at = models.DateTimeField(default=timezone.now)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    correction = models.TextField("what was corrected, and why")

    class Meta:
        ordering = ["notice", "version"]
        constraints = [models.UniqueConstraint(fields=["notice", "version"], name="notice_version_once")]

    def __str__(self):
        return f"{self.notice} (version {self.version})"


class CallIn(models.Model):
    """A request by members of a scrutiny committee to call a decision in, with their reasons."""

    notice = models.OneToOneField(Notice, on_delete=models.CASCADE, related_name="call_in")
    reasons = models.TextField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True, help_text="When enough members had signed.")

    def __str__(self):
        return f"Call-in of {self.notice}"


class Signature(models.Model):
    """One scrutiny member's signature on a call-in (the requester's is the first)."""

    call_in = models.ForeignKey(CallIn, on_delete=models.CASCADE, related_name="signatures")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["call_in", "member"], name="call_in_signed_once")]

    def __str__(self):
        return f"{self.member} on {self.call_in}"
