from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


class Board(models.Model):
    """A decision-making body: a board, committee or the Cabinet."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    default_venue = models.CharField(max_length=300, blank=True)
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clerked_boards",
        help_text="The democratic services officer who runs this board's meetings.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("boards:detail", args=[self.slug])


class MembershipQuerySet(models.QuerySet):
    def current(self, on=None):
        """Memberships in force on a date (today by default)."""
        on = on or timezone.localdate()
        return self.filter(Q(starts_on__isnull=True) | Q(starts_on__lte=on)).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=on)
        )


class Membership(models.Model):
    """A person's seat on a board, for a period."""

    class Role(models.TextChoices):
        CHAIR = "chair", "Chair"
        VICE_CHAIR = "vice_chair", "Vice-Chair"
        MEMBER = "member", "Member"
        SUBSTITUTE = "substitute", "Substitute"

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["board", "role", "user__last_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="membership_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.board})"


class Meeting(models.Model):
    """One sitting of a board, on a date, at a venue."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        AGENDA_PUBLISHED = "agenda_published", "Agenda published"
        HELD = "held", "Held"
        MINUTES_APPROVED = "minutes_approved", "Minutes approved"
        CANCELLED = "cancelled", "Cancelled"

    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField("date and time")
    venue = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self):
        return f"{self.board}, {self.date_display}"

    def get_absolute_url(self):
        return reverse("boards:meeting", args=[self.pk])

    @property
    def date(self):
        return timezone.localtime(self.starts_at).date()

    @property
    def date_display(self):
        """The date as the council prints it: "Wednesday 14 September 2022"."""
        d = self.date
        return f"{d:%A} {d.day} {d:%B %Y}"
