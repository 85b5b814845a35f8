"""Decisions officers take under delegated powers, and the public register of them.

The Openness of Local Government Bodies Regulations 2014, regulation 7: a written record of the
decision, its date, the reasons, the alternatives considered and rejected, any conflict of
interest declared and dispensation granted; published with its background papers and kept for
six years. An officer records it, democratic services publish it (or return it with a comment).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from reports.models import SCHEDULE_12A_PARAGRAPHS, Ward

KEEP_FOR_YEARS = 6
SCHEDULE_12A_CHOICES = [(n, f"Paragraph {n}: {text}") for n, text in SCHEDULE_12A_PARAGRAPHS.items()]


def keep_until(decided_on):
    """The last day a decision made on `decided_on` is kept: six years on (29 February: the 28th)."""
    try:
        return decided_on.replace(year=decided_on.year + KEEP_FOR_YEARS)
    except ValueError:
        return decided_on.replace(year=decided_on.year + KEEP_FOR_YEARS, day=28)


class OfficerDecisionQuerySet(models.QuerySet):
    def published(self):
        """Decisions on the public register."""
        return self.filter(status=OfficerDecision.Status.PUBLISHED)

    def past_retention(self, today=None):
        """Decisions whose six years are over: kept until `keep_until`, deleted the day after."""
        return self.filter(keep_until__lt=today or timezone.localdate())


class OfficerDecision(models.Model):
    """A decision an officer took under delegated powers, as recorded by them and published by democratic services."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Waiting for democratic services"
        PUBLISHED = "published", "Published"
        RETURNED = "returned", "Returned to the officer"

    title = models.CharField(max_length=300)
    decision = models.TextField("the decision")
    decided_on = models.DateField("date of the decision")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="officer_decisions")
    officer_title = models.CharField(
        "decision taken by (post)", max_length=200, help_text="The post of the officer, as printed on the record."
    )
    delegated_power = models.TextField(
        "delegated power relied on", help_text="The scheme of delegation or resolution that gives the power."
    )
    reasons = models.TextField("reasons for the decision")
    alternatives = models.TextField("alternative options considered and rejected", blank=True)
    conflict_of_interest = models.TextField(
        "conflict of interest declared",
        blank=True,
        help_text="Any conflict of interest declared by a member consulted about the decision; blank if none.",
    )
    dispensation = models.TextField(
        "dispensation granted", blank=True, help_text="Any dispensation granted in respect of that conflict."
    )
    background_papers = models.JSONField(default=list, blank=True, help_text="Titles of the background papers.")
    wards = models.ManyToManyField(Ward, blank=True, verbose_name="wards affected")
    exempt_paragraph = models.PositiveSmallIntegerField(
        "exempt information",
        null=True,
        blank=True,
        choices=SCHEDULE_12A_CHOICES,
        help_text="The paragraph of Schedule 12A the record falls under; the public see only its title, date and maker.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    return_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    keep_until = models.DateField(help_text="Six years after the decision: deleted the day after.")
    updated_at = models.DateTimeField(auto_now=True, help_text="The last change to the record, for the open data API.")

    objects = OfficerDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="officer_decision_published_has_date",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("officer_decisions:detail", args=[self.pk])

    @property
    def is_exempt(self):
        return self.exempt_paragraph is not None

    @property
    def not_for_publication(self):
        """What the public record says instead of an exempt decision's text."""
        return f"Not for publication: paragraph {self.exempt_paragraph}" if self.is_exempt else ""

    @property
    def exempt_reason(self):
        """The grounds in full, as the register page and the open data print them."""
        if not self.is_exempt:
            return ""
        return f"{self.not_for_publication} of Part 1 of Schedule 12A to the Local Government Act 1972"

    @property
    def maker_display(self):
        return f"{self.officer}, {self.officer_title}"

    @property
    def is_editable(self):
        return self.status in {self.Status.DRAFT, self.Status.RETURNED}


class OfficerDecisionEvent(models.Model):
    """One step in an officer decision's life: who, when, from which status to which, and any comment."""

    decision = models.ForeignKey(OfficerDecision, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    comment = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.decision}: {self.action}"
