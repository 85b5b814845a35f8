"""Everything that changes an officer decision: one function per action.

The officer records and edits it while it is a draft or returned (`officer_decision_record`,
`officer_decision_edit`), then submits it (`officer_decision_submit`); democratic services publish
it (`officer_decision_publish`) or return it with a comment (`officer_decision_return`). Each
transition locks the row, writes an OfficerDecisionEvent, and raises OfficerDecisionRefused with a
message a person can read, changing nothing. `officer_decisions_delete_expired` is the retention.
"""

from django.db import transaction
from django.utils import timezone

from officer_decisions.models import SCHEDULE_12A_CHOICES, OfficerDecision, OfficerDecisionEvent, keep_until

NOT_AN_OFFICER = "Only an officer who writes reports may record an officer decision."
NOT_YOURS = "Only the officer who recorded this decision may change or submit it."
NOT_DEMOCRATIC_SERVICES = "Only democratic services may publish or return an officer decision."

REQUIRED = {
    "title": "Give the decision a title.",
    "decision": "Say what was decided.",
    "decided_on": "Give the date the decision was made.",
    "officer_title": "Give your post, as it should be printed.",
    "delegated_power": "Name the delegated power the decision was made under.",
    "reasons": "Give the reasons for the decision.",
}
TEXT_FIELDS = ["title", "decision", "officer_title", "delegated_power", "reasons", "alternatives",
               "conflict_of_interest", "dispensation"]  # fmt: skip


class OfficerDecisionRefused(Exception):
    """The action cannot be done; the message says why. `field` names the form field it is about, if any."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message, self.field = message, field


def may_record(user):
    """An officer who may write reports (democratic services too), never a councillor or the public."""
    if not (user.is_authenticated and (user.is_author or user.sees_everything)):
        return False
    return not hasattr(user, "councillor")


def may_review(user):
    """Democratic services and administrators publish and return officer decisions."""
    return user.is_authenticated and user.sees_everything


def _tidy(fields):
    """The fields as stored, or OfficerDecisionRefused about the first one that is wrong."""
    tidy = {name: (fields.get(name) or "").strip() for name in TEXT_FIELDS}
    tidy["decided_on"] = fields.get("decided_on")
    for name, message in REQUIRED.items():
        if not tidy[name]:
            raise OfficerDecisionRefused(message, field=name)
    if tidy["decided_on"] > timezone.localdate():
        raise OfficerDecisionRefused("The date of the decision cannot be in the future.", field="decided_on")
    if tidy["dispensation"] and not tidy["conflict_of_interest"]:
        raise OfficerDecisionRefused(
            "A dispensation is granted for a declared conflict of interest: say what the conflict was.",
            field="conflict_of_interest",
        )
    paragraph = fields.get("exempt_paragraph")
    if paragraph is not None and paragraph not in dict(SCHEDULE_12A_CHOICES):
        raise OfficerDecisionRefused("Choose a paragraph of Schedule 12A, or say it is not exempt.", "exempt_paragraph")
    tidy["exempt_paragraph"] = paragraph
    tidy["background_papers"] = [p.strip() for p in fields.get("background_papers") or [] if p.strip()]
    tidy["keep_until"] = keep_until(tidy["decided_on"])
    return tidy


def _event(decision, user, action, from_status, comment=""):
    OfficerDecisionEvent.objects.create(
        decision=decision, actor=user, action=action, from_status=from_status, to_status=decision.status,
        comment=comment,
    )  # fmt: skip


def officer_decision_record(*, user, fields, wards=()):
    """The officer records a new decision, as a draft."""
    if not may_record(user):
        raise OfficerDecisionRefused(NOT_AN_OFFICER)
    tidy = _tidy(fields)
    with transaction.atomic():
        decision = OfficerDecision.objects.create(officer=user, **tidy)
        decision.wards.set(wards)
        _event(decision, user, "recorded", "")
    return decision


def _lock_own(decision, user):
    if not may_record(user) or decision.officer_id != user.pk:
        raise OfficerDecisionRefused(NOT_YOURS)
    locked = OfficerDecision.objects.select_for_update().get(pk=decision.pk)
    if not locked.is_editable:
        raise OfficerDecisionRefused(
            f"This decision is {locked.get_status_display().lower()}: it can no longer be changed."
        )
    return locked


def officer_decision_edit(*, decision, user, fields, wards=()):
    """The officer changes their decision while it is a draft or returned to them."""
    tidy = _tidy(fields)
    with transaction.atomic():
        decision = _lock_own(decision, user)
        for name, value in tidy.items():
            setattr(decision, name, value)
        decision.save(update_fields=list(tidy))
        decision.wards.set(wards)
        _event(decision, user, "edited", decision.status)
    return decision


def officer_decision_submit(*, decision, user):
    """The officer sends their decision to democratic services for publication."""
    with transaction.atomic():
        decision = _lock_own(decision, user)
        if decision.decided_on > timezone.localdate():
            raise OfficerDecisionRefused("The date of the decision is in the future: submit it once it is made.")
        was = decision.status
        decision.status, decision.submitted_at = OfficerDecision.Status.SUBMITTED, timezone.now()
        decision.save(update_fields=["status", "submitted_at"])
        _event(decision, user, "submitted", was)
    return decision


def _lock_submitted(decision, user):
    if not may_review(user):
        raise OfficerDecisionRefused(NOT_DEMOCRATIC_SERVICES)
    locked = OfficerDecision.objects.select_for_update().get(pk=decision.pk)
    if locked.status != OfficerDecision.Status.SUBMITTED:
        raise OfficerDecisionRefused(
            f"This decision is {locked.get_status_display().lower()}, not waiting for democratic services."
        )
    return locked


def officer_decision_publish(*, decision, user):
    """Democratic services publish a submitted decision on the public register."""
    with transaction.atomic():
        decision = _lock_submitted(decision, user)
        decision.status, decision.published_at, decision.published_by = (
            OfficerDecision.Status.PUBLISHED, timezone.now(), user,
        )  # fmt: skip
        decision.return_comment = ""
        decision.save(update_fields=["status", "published_at", "published_by", "return_comment"])
        _event(decision, user, "published", OfficerDecision.Status.SUBMITTED)
    return decision


def officer_decision_return(*, decision, user, comment):
    """Democratic services return a submitted decision to the officer, saying what to put right."""
    comment = (comment or "").strip()
    with transaction.atomic():
        decision = _lock_submitted(decision, user)
        if not comment:
            raise OfficerDecisionRefused(
                "Say why the decision is returned, so the officer can put it right.", "comment"
            )
        decision.status, decision.return_comment = OfficerDecision.Status.RETURNED, comment
        decision.save(update_fields=["status", "return_comment"])
        _event(decision, user, "returned", OfficerDecision.Status.SUBMITTED, comment)
    return decision


def officer_decisions_delete_expired(*, today=None):
    """Delete every decision (and its events) past its six years; the number deleted."""
    with transaction.atomic():
        expired = OfficerDecision.objects.past_retention(today)
        count = expired.count()
        # The wards link and the events go with them (cascade).
        expired.delete()
    return count
