"""Councillors as people (party, wards, published contact details) and who attended each meeting.

A councillor's seats on boards are boards.Membership rows (with their roles and dates): this app
does not keep a second copy of them. Attendance is recorded by democratic services for each member
expected at a meeting (the board's chair, vice-chair and members in force on the meeting's date);
apologies sent in advance by a member are rows of their own until the clerk records the attendance.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from boards.models import Meeting, Membership

# The roles a board expects at its meetings; a substitute attends only in someone's place.
EXPECTED_ROLES = [Membership.Role.CHAIR, Membership.Role.VICE_CHAIR, Membership.Role.MEMBER]


class Party(models.Model):
    """A political party or group councillors belong to."""

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, blank=True, help_text="As lists print it: “Lab”, “LD”.")
    colour = models.CharField(
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Give the colour as # and six hex digits, like #d50000.")],
        help_text="Optional: shown as a small swatch beside the party's name.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "parties"

    def __str__(self):
        return self.name


class CouncillorQuerySet(models.QuerySet):
    def for_lists(self):
        """Councillors with everything the public list prints, in two queries whatever their number."""
        return (
            self.select_related("user", "party")
            .prefetch_related("wards")
            .order_by("user__last_name", "user__first_name", "pk")
        )


class Councillor(models.Model):
    """A councillor: the person behind a User (who may never sign in), with what the council publishes."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="councillor")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, null=True, blank=True, related_name="councillors")
    wards = models.ManyToManyField("reports.Ward", blank=True, related_name="councillors")
    photo = models.FileField(
        upload_to="councillors/",
        blank=True,
        help_text="Optional: a PNG or JPEG, checked and remade as figures are.",
    )
    photo_alt = models.CharField(
        "photo's alternative text",
        max_length=200,
        blank=True,
        help_text="What the photo shows, for people who cannot see it (required with a photo).",
    )
    email = models.EmailField("published email", blank=True)
    phone = models.CharField("published telephone", max_length=40, blank=True)
    postal_address = models.TextField("published postal address", blank=True)
    took_office_on = models.DateField(
        "took office on",
        null=True,
        blank=True,
        help_text="The day they took office after election: the register of interests is due 28 days later.",
    )

    objects = CouncillorQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("members:councillor", args=[self.user_id])

    def clean(self):
        if self.photo and not self.photo_alt.strip():
            raise ValidationError({"photo_alt": "Say what the photo shows, for people who cannot see it."})

    @property
    def name(self):
        return self.user.get_full_name() or self.user.username


class Attendance(models.Model):
    """One expected member's attendance at one meeting, as democratic services recorded it."""

    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        APOLOGIES = "apologies", "Apologies"
        SUBSTITUTED = "substituted", "Apologies, with a substitute"
        ABSENT = "absent", "Absent"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attendances")
    status = models.CharField(max_length=20, choices=Status.choices)
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="substitutions",
        help_text="Who attended in the member's place.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    recorded_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="one_attendance_per_member_and_meeting"),
            models.CheckConstraint(
                condition=Q(status="substituted", substitute__isnull=False)
                | (~Q(status="substituted") & Q(substitute__isnull=True)),
                name="substitute_only_with_apologies_with_substitute",
            ),
            models.CheckConstraint(
                condition=~Q(substitute=models.F("member")), name="member_is_not_their_own_substitute"
            ),
        ]

    def __str__(self):
        return f"{self.member}: {self.get_status_display()} ({self.meeting})"


class OtherAttendee(models.Model):
    """Someone at the meeting who is not a member of the board: an officer, a guest, a speaker."""

    class Role(models.TextChoices):
        OFFICER = "officer", "Officer"
        GUEST = "guest", "Guest"
        OTHER = "other", "Other"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="other_attendees")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.OFFICER)
    description = models.CharField(
        max_length=300, blank=True, help_text="Their title or why they attended: “Director of Public Health”."
    )

    class Meta:
        ordering = ["meeting", "position", "pk"]

    def __str__(self):
        return self.name


class ApologyQuerySet(models.QuerySet):
    def standing(self):
        """Apologies not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)


class Apology(models.Model):
    """Apologies a member sent before a meeting, with an optional reason and named substitute.

    Withdrawn apologies stay as rows (withdrawn_at set): history is rows. The clerk's attendance
    form starts from the standing ones.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="apologies")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="apologies")
    reason = models.CharField(max_length=500, blank=True)
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = ApologyQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "sent_at", "pk"]
        verbose_name_plural = "apologies"
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_standing_apology_per_member_and_meeting",
            )
        ]

    def __str__(self):
        return f"Apologies from {self.member} for {self.meeting}"
