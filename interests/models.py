"""The register of members' interests and the declarations members make at meetings.

The register (Localism Act 2011 ss. 29-34): each member's entries, as the monitoring officer last
accepted them. A member never writes an entry: they propose a RegisterChange (add, edit, remove),
which the monitoring officer accepts (the entry changes, the change is dated) or returns with a
reason. The changes are the register's history and are never deleted.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

REVIEW_EVERY_DAYS = 365
REGISTER_WITHIN_DAYS = 28


class Category(models.TextChoices):
    """The disclosable pecuniary interests of the Relevant Authorities (Disclosable Pecuniary
    Interests) Regulations 2012, Schedule, then the other registrable interests of the council's code."""

    EMPLOYMENT = "employment", "Employment, office, trade, profession or vocation"
    SPONSORSHIP = "sponsorship", "Sponsorship"
    CONTRACTS = "contracts", "Contracts"
    LAND = "land", "Land"
    LICENCES = "licences", "Licences"
    CORPORATE_TENANCIES = "corporate_tenancies", "Corporate tenancies"
    SECURITIES = "securities", "Securities"
    OTHER = "other", "Other registrable interest (membership of bodies and the like)"

    @classmethod
    def pecuniary(cls):
        return [c for c in cls if c != cls.OTHER]


class Whose(models.TextChoices):
    MEMBER = "member", "The member"
    PARTNER = "partner", "The member's spouse or civil partner, or a person they live with as such"


class InterestFields(models.Model):
    """What an entry says: shared by the entry and by each change proposed to it."""

    category = models.CharField(max_length=30, choices=Category.choices)
    description = models.TextField(help_text="What the interest is, as it will be published.")
    whose = models.CharField("whose interest", max_length=10, choices=Whose.choices, default=Whose.MEMBER)
    is_sensitive = models.BooleanField(
        "sensitive",
        default=False,
        help_text="Its disclosure could lead to violence or intimidation (Localism Act 2011 s. 32): the public "
        "register says only that the member has a sensitive interest.",
    )
    starts_on = models.DateField("interest held since", null=True, blank=True)

    ENTRY_FIELDS = ["category", "description", "whose", "is_sensitive", "starts_on"]

    class Meta:
        abstract = True

    @property
    def is_pecuniary(self):
        return self.category != Category.OTHER


class RegisterEntryQuerySet(models.QuerySet):
    def current(self):
        """Entries on the register now: accepted and not removed."""
        return self.filter(removed_at__isnull=True)


class RegisterEntry(InterestFields):
    """One interest on a member's register, as the monitoring officer last accepted it."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="register_entries")
    registered_at = models.DateTimeField(help_text="When the change that added it was accepted.")
    updated_at = models.DateTimeField(help_text="When the last change to it was accepted.")
    removed_at = models.DateTimeField(null=True, blank=True, help_text="When its removal was accepted.")

    objects = RegisterEntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "register entries"
        ordering = ["member", "category", "pk"]

    def __str__(self):
        return f"{self.member}: {self.get_category_display()}"


class RegisterChange(InterestFields):
    """A change to a member's register proposed by the member; accepted or returned by the monitoring officer.

    Append-only: a change is created pending and decided once; the accepted ones, by date, are
    the register's history. "confirmed" records the member's review with no change (accepted as made).
    """

    class Action(models.TextChoices):
        ADD = "add", "Add an interest"
        EDIT = "edit", "Change an interest"
        REMOVE = "remove", "Remove an interest"
        CONFIRM = "confirm", "Reviewed, no changes"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the monitoring officer"
        ACCEPTED = "accepted", "Accepted"
        RETURNED = "returned", "Returned"

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="register_changes")
    entry = models.ForeignKey(RegisterEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="changes")
    action = models.CharField(max_length=10, choices=Action.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    return_reason = models.TextField(blank=True)
    # For a confirmation, the category is blank: it changes no entry.
    category = models.CharField(max_length=30, choices=Category.choices, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"],
                condition=Q(status="pending", entry__isnull=False),
                name="one_pending_change_per_entry",
                violation_error_message="A change to this interest is already waiting for the monitoring officer.",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | ~Q(status="pending") & Q(decided_at__isnull=False),
                name="register_change_decided_when_not_pending",
            ),
        ]

    def __str__(self):
        return f"{self.member}: {self.get_action_display()} ({self.get_status_display()})"


def review_due(last_accepted_at, today=None):
    """Whether a member whose register was last accepted or reviewed then is due to review it (yearly)."""
    today = today or timezone.localdate()
    if last_accepted_at is None:
        return True
    return timezone.localtime(last_accepted_at).date() + datetime.timedelta(days=REVIEW_EVERY_DAYS) < today


class Declaration(models.Model):
    """A member's declaration of an interest in one item of a meeting's agenda."""

    class Kind(models.TextChoices):
        PECUNIARY = "pecuniary", "Disclosable pecuniary interest"
        OTHER_REGISTRABLE = "other_registrable", "Other registrable interest"
        NON_REGISTRABLE = "non_registrable", "Non-registrable interest"

    class Conduct(models.TextChoices):
        LEFT = "left_room", "Left the room for the item"
        DID_NOT_VOTE = "did_not_vote", "Stayed but did not vote"
        SPOKE_THEN_LEFT = "spoke_then_left", "Spoke as a member of the public, then left the room"
        DISPENSATION = "dispensation", "Took part under a dispensation"

    item = models.ForeignKey("boards.AgendaItem", on_delete=models.CASCADE, related_name="declarations")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="declarations")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    nature = models.TextField("nature of the interest")
    conduct = models.CharField("what the member did", max_length=20, choices=Conduct.choices)
    dispensation = models.TextField(
        "dispensation details", blank=True, help_text="Who granted it, when, and what it allows."
    )
    entry = models.ForeignKey(
        RegisterEntry,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="declarations",
        verbose_name="register entry",
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["item", "member__last_name", "pk"]

    def __str__(self):
        return f"{self.member}: {self.get_kind_display()} ({self.item})"
