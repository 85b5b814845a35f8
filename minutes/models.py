"""The minutes of a meeting (Local Government Act 1972, Schedule 12, paragraph 41).

Drafted by the system from the meeting's record (minutes/drafting.py), edited by democratic
services, published as a draft "subject to approval", and signed as a correct record at the board's
next meeting, after which they are final and the meeting's record is locked.

The Part 2 minutes (items the press and public were excluded from) are a separate field, so no page
or PDF the public can reach has them to print: the public minutes name a Part 2 item only as the
agenda does.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords


class MinutesQuerySet(models.QuerySet):
    def public(self):
        """Minutes the public may read: published as a draft, subject to approval, or approved."""
        return self.filter(status__in=Minutes.PUBLIC_STATUSES)


class Minutes(models.Model):
    """The minutes of one meeting: the public minutes and the Part 2 (exempt) minutes."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft (not published)"
        PUBLISHED = "published", "Draft, subject to approval"
        APPROVED = "approved", "Approved"

    # The statuses in which the public minutes are public: the one home of that fact.
    PUBLIC_STATUSES = (Status.PUBLISHED, Status.APPROVED)

    meeting = models.OneToOneField("boards.Meeting", on_delete=models.CASCADE, related_name="minutes")
    body = models.TextField("minutes", blank=True, help_text="The public minutes (sanitised HTML).")
    exempt_body = models.TextField(
        "Part 2 minutes", blank=True, help_text="The minutes of the exempt items: never published (sanitised HTML)."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    drafted_at = models.DateTimeField(help_text="When the system last drafted them from the record.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_at_meeting = models.ForeignKey(
        "boards.Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="minutes_approved_here",
        editable=False,
        help_text="The meeting that approved them as a correct record (the board's next meeting).",
    )

    objects = MinutesQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "minutes"

    def __str__(self):
        return f"Minutes: {self.meeting}"

    def get_absolute_url(self):
        return reverse("minutes:minutes", args=[self.meeting_id])

    @property
    def is_public(self):
        """Whether the public may read these minutes (the same statuses as Minutes.objects.public())."""
        return self.status in self.PUBLIC_STATUSES

    @property
    def is_final(self):
        return self.status == self.Status.APPROVED

    @property
    def stamp(self):
        """What the minutes are stamped with: "Draft, subject to approval" or "Approved 9 November 2022"."""
        if self.is_final:
            if self.approved_at:
                day = timezone.localtime(self.approved_at).date()
                return f"Approved {day.day} {day:%B %Y}"
            return "Approved"
        return "Draft, subject to approval"
