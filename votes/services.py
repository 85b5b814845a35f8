"""The one writer of motions, amendments and votes: one function, in one transaction.

Democratic services record the vote on an item after it is taken at the meeting. Everything is
checked against the record made first: the attendance (members), because only members present may
move, second or vote, and the declarations of interest (interests), because a member with a
disclosable pecuniary interest may not vote on the item (Localism Act 2011 s. 31(4)) unless they
hold a dispensation (s. 33). Saving replaces what was recorded for the item.
"""

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from boards.models import AgendaItem, Meeting
from votes.models import Amendment, Choice, MemberVote, Method, Motion, Outcome
from votes.selectors import voters

log = logging.getLogger(__name__)


class VoteRefused(Exception):
    """The vote cannot be saved. `errors` maps a field's name (as the form names it: "mover",
    "votes_for", "member_<user id>", "amendment-<n>-mover") to its message; the message as a whole
    says why in plain words."""

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.errors = errors or {}


@dataclass
class Ballot:
    """One question put: its text, mover and seconder (Users or None) and how it went.
    `counts` is (for, against, abstentions) for a show of hands; `names` maps a user id to a Choice
    for a recorded vote; `casting_vote` is "", "for" or "against"."""

    text: str
    mover: object = None
    seconder: object = None
    counts: tuple = (0, 0, 0)
    names: dict = field(default_factory=dict)
    casting_vote: str = ""


def voting_open(meeting):
    """Why votes cannot be recorded at `meeting` now, or "" when they can: the meeting must have
    been held (or its time passed) and its minutes not yet approved."""
    if meeting.status == Meeting.Status.CANCELLED:
        return "This meeting was cancelled: there is no vote to record."
    if meeting.status == Meeting.Status.MINUTES_APPROVED:
        return "The minutes of this meeting are approved, so its votes can no longer change."
    if meeting.status != Meeting.Status.HELD and meeting.starts_at > timezone.now():
        return "Votes are recorded once the meeting has been held."
    return ""


def _outcome(votes_for, votes_against, casting_vote, errors, prefix):
    """Carried or lost from the counts; a tie needs the chair's casting vote, and only a tie takes one."""
    if votes_for == votes_against:
        if casting_vote not in {Choice.FOR, Choice.AGAINST}:
            errors[f"{prefix}casting_vote"] = (
                "The votes are tied: tick the chair's casting vote and say which way the chair voted."
            )
            return ""
        return Outcome.CARRIED if casting_vote == Choice.FOR else Outcome.LOST
    if casting_vote:
        errors[f"{prefix}casting_vote"] = "The votes are not tied, so the chair has no casting vote."
    return Outcome.CARRIED if votes_for > votes_against else Outcome.LOST


def _check_people(ballot, who, errors, prefix):
    present = who.present_ids
    for role in ("mover", "seconder"):
        person = getattr(ballot, role)
        if person is None:
            errors[f"{prefix}{role}"] = f"Choose the {role}."
        elif person.pk not in present:
            errors[f"{prefix}{role}"] = (
                f"{person} was not present at the meeting (absent, or sent apologies): choose a member present."
            )
        elif person.pk in who.barred:
            errors[f"{prefix}{role}"] = f"{who.barred[person.pk]}, so cannot take part in it."
    if ballot.mover is not None and ballot.seconder is not None and ballot.mover.pk == ballot.seconder.pk:
        errors[f"{prefix}seconder"] = "The seconder must be another member than the mover."
    if not ballot.text.strip():
        errors[f"{prefix}text"] = "Enter the text as it was moved."


def _check_counts(counts, who, errors, prefix):
    if any(n is None or n < 0 for n in counts):
        errors[f"{prefix}votes_for"] = "Enter the number for, against and abstaining (0 for none)."
        return
    may_vote = len(who.may_vote)
    if sum(counts) > may_vote:
        barred = f" ({len(who.barred)} of them may not vote on this item)" if who.barred else ""
        errors[f"{prefix}votes_for"] = (
            f"{sum(counts)} votes and abstentions, but {len(who.present)} members were present{barred}: "
            f"at most {may_vote}."
        )


def _check_names(names, who, errors):
    """A recorded vote names every member present once; no one absent; no one barred voting."""
    present = who.present_ids
    by_id = {user.pk: user for user in who.present}
    for user_id, choice in names.items():
        if user_id not in present:
            errors[f"member_{user_id}"] = (
                "This person was not present at the meeting (absent, or sent apologies with no one attending "
                "for them), so cannot be recorded as voting."
            )
        elif choice not in Choice.values:
            errors[f"member_{user_id}"] = "Choose for, against, abstained or did not vote."
        elif user_id in who.barred and choice != Choice.DID_NOT_VOTE:
            errors[f"member_{user_id}"] = (
                f"{who.barred[user_id]} and holds no dispensation: record them as “did not vote”."
            )
    missing = [by_id[user_id] for user_id in present - set(names)]
    for user in missing:
        errors[f"member_{user.pk}"] = (
            f"Record {user}'s vote: a recorded vote names every member present ({len(present)}), "
            "“did not vote” included."
        )


def record_vote(*, item, user, method, motion, amendments=()):
    """Record the vote on `item`: `motion` and each of `amendments` are Ballots; `method` is how the
    motion was put (Method). Amendments are decided by a show of hands. Replaces what was recorded."""
    if not (user.is_authenticated and user.sees_everything):
        raise VoteRefused("Only democratic services record votes.")
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
        item = AgendaItem.objects.select_related("report").get(pk=item.pk, meeting=meeting)
        reason = voting_open(meeting)
        if reason:
            raise VoteRefused(reason)
        who = voters(item)
        if not who.recorded:
            raise VoteRefused("Record the meeting's attendance first: a vote is checked against the members present.")
        errors = {}
        _check_people(motion, who, errors, "")
        if method not in Method.values:
            errors["method"] = "Choose a show of hands or a recorded vote."
            counts = (0, 0, 0)
        elif method == Method.RECORDED:
            _check_names(motion.names, who, errors)
            choices = list(motion.names.values())
            counts = (choices.count(Choice.FOR), choices.count(Choice.AGAINST), choices.count(Choice.ABSTAIN))
        else:
            counts = tuple(motion.counts)
            _check_counts(counts, who, errors, "")
        outcome = _outcome(counts[0], counts[1], motion.casting_vote, errors, "") if "votes_for" not in errors else ""
        decided = []
        for number, amendment in enumerate(amendments, start=1):
            prefix = f"amendment-{number}-"
            _check_people(amendment, who, errors, prefix)
            _check_counts(tuple(amendment.counts), who, errors, prefix)
            result = ""
            if f"{prefix}votes_for" not in errors:
                result = _outcome(amendment.counts[0], amendment.counts[1], amendment.casting_vote, errors, prefix)
            decided.append((amendment, result))
        if errors:
            raise VoteRefused("The vote was not saved: see the messages beside the fields.", errors)
        Motion.objects.filter(item=item).delete()
        saved = Motion.objects.create(
            item=item,
            text=motion.text.strip(),
            mover=motion.mover,
            seconder=motion.seconder,
            method=method,
            votes_for=counts[0],
            votes_against=counts[1],
            abstentions=counts[2],
            outcome=outcome,
            casting_vote=motion.casting_vote,
            recorded_by=user,
        )
        Amendment.objects.bulk_create(
            Amendment(
                motion=saved,
                position=number,
                text=amendment.text.strip(),
                mover=amendment.mover,
                seconder=amendment.seconder,
                votes_for=amendment.counts[0],
                votes_against=amendment.counts[1],
                abstentions=amendment.counts[2],
                outcome=result,
                casting_vote=amendment.casting_vote,
            )
            for number, (amendment, result) in enumerate(decided, start=1)
        )
        if method == Method.RECORDED:
            MemberVote.objects.bulk_create(
                MemberVote(motion=saved, member_id=user_id, choice=choice) for user_id, choice in motion.names.items()
            )
    log.info("Vote recorded: item %s of meeting %s by %s (%s)", item.pk, meeting.pk, user, outcome)
    return saved
