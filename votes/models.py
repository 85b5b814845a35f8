"""Votes at meetings: the motion on an agenda item, its amendments, and how each was decided.

A separate app rather than part of `members`: members records who was there, this records what
they decided, reading attendance (members) and declarations (interests) to check it. The minutes
read it through votes.selectors.item_records.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Method(models.TextChoices):
    SHOW_OF_HANDS = "hands", "Show of hands"
    RECORDED = "recorded", "Recorded vote (each member's name and vote)"


class Outcome(models.TextChoices):
    CARRIED = "carried", "Carried"
    LOST = "lost", "Lost"


class Choice(models.TextChoices):
    FOR = "for", "For"
    AGAINST = "against", "Against"
    ABSTAIN = "abstain", "Abstained"
    DID_NOT_VOTE = "none", "Did not vote"


class Result(models.Model):
    """How a motion or an amendment was decided: the counts (for a recorded vote, the totals of the
    names), the outcome the service works out from them, and the chair's casting vote on a tie."""

    votes_for = models.PositiveSmallIntegerField("for", default=0)
    votes_against = models.PositiveSmallIntegerField("against", default=0)
    abstentions = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    casting_vote = models.CharField(
        "chair's casting vote",
        max_length=10,
        blank=True,
        choices=[(Choice.FOR.value, "For"), (Choice.AGAINST.value, "Against")],
        help_text="Only on a tie: the chair's second, casting vote decides.",
    )

    class Meta:
        abstract = True

    @property
    def outcome_phrase(self):
        """ "carried" or "lost", and "on the Chair's casting vote" when that decided a tie, as a sentence
        continues it (the minutes, the clerk's meeting page)."""
        outcome = self.get_outcome_display().lower()
        return f"{outcome} on the Chair's casting vote" if self.casting_vote else outcome

    @property
    def outcome_display(self):
        """The outcome as a sentence starts with it: "Carried", "Lost on the Chair's casting vote"."""
        phrase = self.outcome_phrase
        return phrase[:1].upper() + phrase[1:]

    @property
    def counts_display(self):
        """ "6 for, 0 against, 1 abstention", as the public page and minutes print it."""
        abstentions = f"{self.abstentions} abstention{'' if self.abstentions == 1 else 's'}"
        return f"{self.votes_for} for, {self.votes_against} against, {abstentions}"


class Motion(Result):
    """The motion put to the meeting on one agenda item, as moved, and its result."""

    item = models.OneToOneField("boards.AgendaItem", on_delete=models.CASCADE, related_name="motion")
    text = models.TextField("motion")
    mover = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seconder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField("how it was voted on", max_length=10, choices=Method.choices)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self):
        return f"Motion on {self.item}"


class Amendment(Result):
    """An amendment moved to the motion, voted on by a show of hands before the motion itself."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="amendments")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField("amendment")
    mover = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seconder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["motion", "position", "pk"]

    def __str__(self):
        return f"Amendment {self.position} to {self.motion}"


class MemberVote(models.Model):
    """One member's vote in a recorded vote on a motion: every member present has a row."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="member_votes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField("vote", max_length=10, choices=Choice.choices)

    class Meta:
        ordering = ["motion", "member__last_name", "member__first_name", "pk"]
        constraints = [models.UniqueConstraint(fields=["motion", "member"], name="one_vote_per_member")]

    def __str__(self):
        return f"{self.member}: {self.get_choice_display()}"
