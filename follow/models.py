"""Following by email: anyone may follow a board, a ward or a keyword, without an account.

An address is sent nothing but its confirmation email until it confirms (double opt-in). Each
subscription has its own unguessable token, which confirms it and stops it: the links in its emails
carry it, so no one signs in. What is sent are the `Event`s recorded as agendas and minutes are
published (follow/services.py), each holding only what the public pages show.
"""

import secrets

from django.db import models
from django.utils import timezone


def new_token():
    """An unguessable token for a subscription's links (256 bits)."""
    return secrets.token_urlsafe(32)


class Address(models.Model):
    """An email address that asked to follow something: when it was last sent a confirmation email."""

    email = models.EmailField(unique=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.email


class SubscriptionQuerySet(models.QuerySet):
    def active(self):
        """Confirmed and not stopped: the subscriptions that are sent emails."""
        return self.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)


class Subscription(models.Model):
    """One address following one board, ward or keyword, each as it happens or in a daily digest."""

    class Kind(models.TextChoices):
        BOARD = "board", "Board or committee"
        WARD = "ward", "Ward"
        KEYWORD = "keyword", "Keyword"

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", "An email for each one, as it is published"
        DAILY = "daily", "One email a day listing the day's"

    address = models.ForeignKey(Address, on_delete=models.CASCADE, related_name="subscriptions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    board = models.ForeignKey("boards.Board", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    ward = models.ForeignKey("reports.Ward", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    keyword = models.CharField(max_length=100, blank=True)
    # What is followed as one value ("board:3", "ward:5", "keyword:parking"): one subscription per
    # address and thing followed, enforced by the database.
    target = models.CharField(max_length=120)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE)
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # The digest has listed the events recorded before this moment.
    digest_sent_until = models.DateTimeField(null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["address", "pk"]
        constraints = [models.UniqueConstraint(fields=["address", "target"], name="one_subscription_per_thing")]

    def __str__(self):
        return f"{self.address}: {self.description}"

    @property
    def description(self):
        """What is followed, as the pages and emails say it: "the Health and Wellbeing Board"."""
        if self.kind == self.Kind.BOARD:
            return f"the {self.board.name}" if self.board_id else "a board that no longer exists"
        if self.kind == self.Kind.WARD:
            return f"the {self.ward.name} ward" if self.ward_id else "a ward that no longer exists"
        return f"the keyword “{self.keyword}”"

    @property
    def is_active(self):
        return self.confirmed_at is not None and self.unsubscribed_at is None


class Event(models.Model):
    """Something published that followers hear of: an agenda, a supplement, minutes, a decision.

    It holds only what the public pages show. For a meeting's agenda or minutes the items, words
    and wards are read from the meeting when the email is written (follow/selectors.py), so an item
    made exempt since is not in it; `words` and `wards` are for events of other apps
    (`services.record_event`), which pass what their public page prints.
    """

    class Kind(models.TextChoices):
        AGENDA = "agenda", "Agenda published"
        SUPPLEMENT = "supplement", "Supplementary agenda published"
        MINUTES = "minutes", "Draft minutes published"
        MINUTES_APPROVED = "minutes_approved", "Minutes approved"
        DECISION = "decision", "Decision published"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    board = models.ForeignKey("boards.Board", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    meeting = models.ForeignKey("boards.Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    supplement = models.ForeignKey(
        "boards.Supplement", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=500, help_text="The public page, a path on the site.")
    words = models.TextField(blank=True, help_text="The public words a keyword is matched against.")
    wards = models.ManyToManyField("reports.Ward", blank=True, related_name="+")
    all_wards = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the immediate emails were sent.")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return self.title
