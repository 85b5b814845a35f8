"""Everything that changes the register of interests or records a declaration: one function per action.

The member proposes (`register_propose_add`, `_edit`, `_remove`, `register_confirm`); the monitoring
officer decides (`register_change_accept`, `register_change_return`). The clerk, or the member
before the meeting, records a declaration (`declaration_record`). Each function checks who is
acting and raises ValidationError (by field where there is one) with nothing changed.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from boards.models import Meeting, Membership
from interests.models import Declaration, InterestFields, RegisterChange, RegisterEntry

NOT_YOURS = "Only the member may propose changes to their own register."
NOT_THE_MONITORING_OFFICER = "Only the monitoring officer may accept or return changes to the register."


def is_member(user):
    """Whether `user` sits on a board now (a member, chair, vice-chair or substitute): they keep a register."""
    return user.is_authenticated and Membership.objects.current().filter(user=user).exists()


def _check_fields(fields):
    change = RegisterChange(member_id=0, action=RegisterChange.Action.ADD, **fields)
    errors = {}
    if not fields.get("category"):
        errors["category"] = "Choose the kind of interest."
    if not (fields.get("description") or "").strip():
        errors["description"] = "Say what the interest is."
    if fields.get("starts_on") and fields["starts_on"] > timezone.localdate():
        errors["starts_on"] = "The date the interest was first held cannot be in the future."
    try:
        change.clean_fields(exclude=["member", "entry", "decided_by", "proposed_at", "decided_at", "return_reason"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, messages[0])
    if errors:
        raise ValidationError(errors)
    return {name: fields.get(name) for name in InterestFields.ENTRY_FIELDS} | {
        "description": fields["description"].strip(),
        "is_sensitive": bool(fields.get("is_sensitive")),
    }


def _propose(*, member, user, action, entry=None, fields=None):
    if user.pk != member.pk or not is_member(user):
        raise ValidationError(NOT_YOURS)
    with transaction.atomic():
        if entry is not None:
            entry = RegisterEntry.objects.select_for_update().filter(pk=entry.pk, member=member).current().first()
            if entry is None:
                raise ValidationError("That interest is not on your register.")
            if entry.changes.filter(status=RegisterChange.Status.PENDING).exists():
                raise ValidationError("A change to this interest is already waiting for the monitoring officer.")
        change = RegisterChange.objects.create(member=member, entry=entry, action=action, **(fields or {}))
    return change


def register_propose_add(*, member, user, fields):
    """The member proposes a new entry for their register."""
    return _propose(member=member, user=user, action=RegisterChange.Action.ADD, fields=_check_fields(fields))


def register_propose_edit(*, entry, user, fields):
    """The member proposes a change to one of their entries."""
    fields = _check_fields(fields)
    if all(getattr(entry, name) == value for name, value in fields.items()):
        raise ValidationError("Nothing has changed: edit what the register should say.")
    return _propose(member=entry.member, user=user, action=RegisterChange.Action.EDIT, entry=entry, fields=fields)


def register_propose_remove(*, entry, user):
    """The member proposes to take an entry off their register; the change keeps what it said."""
    fields = {name: getattr(entry, name) for name in InterestFields.ENTRY_FIELDS}
    return _propose(member=entry.member, user=user, action=RegisterChange.Action.REMOVE, entry=entry, fields=fields)


def register_confirm(*, member, user):
    """The member records that they reviewed their register and nothing has changed (their yearly review)."""
    if user.pk != member.pk or not is_member(user):
        raise ValidationError(NOT_YOURS)
    now = timezone.now()
    return RegisterChange.objects.create(
        member=member,
        action=RegisterChange.Action.CONFIRM,
        status=RegisterChange.Status.ACCEPTED,
        decided_at=now,
        decided_by=user,
        proposed_at=now,
    )


def _pending(change, user):
    if not user.is_monitoring_officer:
        raise ValidationError(NOT_THE_MONITORING_OFFICER)
    locked = RegisterChange.objects.select_for_update().get(pk=change.pk)
    if locked.status != RegisterChange.Status.PENDING:
        raise ValidationError(f"This change has already been {locked.get_status_display().lower()}.")
    return locked


def register_change_accept(*, change, user):
    """The monitoring officer accepts a proposed change: the register says it from now, dated."""
    with transaction.atomic():
        change = _pending(change, user)
        now = timezone.now()
        fields = {name: getattr(change, name) for name in InterestFields.ENTRY_FIELDS}
        if change.action == RegisterChange.Action.ADD:
            change.entry = RegisterEntry.objects.create(
                member_id=change.member_id, registered_at=now, updated_at=now, **fields
            )
        else:
            entry = RegisterEntry.objects.select_for_update().get(pk=change.entry_id)
            if entry.removed_at is not None:
                raise ValidationError("That interest has already been taken off the register.")
            if change.action == RegisterChange.Action.EDIT:
                for name, value in fields.items():
                    setattr(entry, name, value)
                entry.updated_at = now
                entry.save(update_fields=[*fields, "updated_at"])
            else:
                entry.removed_at = now
                entry.save(update_fields=["removed_at"])
        change.status, change.decided_at, change.decided_by = RegisterChange.Status.ACCEPTED, now, user
        change.save(update_fields=["entry", "status", "decided_at", "decided_by"])
    return change


def register_change_return(*, change, user, reason):
    """The monitoring officer returns a proposed change to the member with a reason; the register is unchanged."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the change is returned, so the member can put it right."})
    with transaction.atomic():
        change = _pending(change, user)
        change.status, change.decided_at, change.decided_by = RegisterChange.Status.RETURNED, timezone.now(), user
        change.return_reason = reason
        change.save(update_fields=["status", "decided_at", "decided_by", "return_reason"])
    return change


# Declarations at meetings ----------------------------------------------------------------------------


def may_record_declarations(user):
    """Democratic services (and administrators) record declarations for any member."""
    return user.is_authenticated and user.sees_everything


def meeting_members(meeting):
    """Who may declare at the meeting: the board's members (substitutes included) on the meeting's date."""
    from accounts.models import User

    seats = Membership.objects.current(on=meeting.date).filter(board_id=meeting.board_id)
    return User.objects.filter(pk__in=seats.values("user_id")).order_by("last_name", "first_name")


def declaration_record(*, meeting, item, member, user, kind, nature, conduct, dispensation="", entry=None):
    """Record a member's declaration of an interest in an item of the meeting.

    The clerk may record it until the minutes are approved; the member, for themselves, until the
    meeting starts.
    """
    errors = {}
    if not may_record_declarations(user) and user.pk != getattr(member, "pk", None):
        raise ValidationError("Only democratic services, or the member before the meeting, may record a declaration.")
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError("The meeting is cancelled: there is nothing to declare an interest in.")
    if meeting.status == Meeting.Status.MINUTES_APPROVED:
        raise ValidationError("The minutes of this meeting are approved: its record can no longer change.")
    if not may_record_declarations(user) and meeting.starts_at <= timezone.now():
        raise ValidationError("The meeting has started: declare your interest to the clerk at the meeting.")
    if item is None:
        errors["item"] = "Choose the agenda item the interest is in."
    elif item.meeting_id != meeting.pk:
        errors["item"] = "That item is on the agenda of another meeting: choose an item of this meeting."
    if member is None:
        errors["member"] = "Choose the member who declared the interest."
    elif not meeting_members(meeting).filter(pk=member.pk).exists():
        errors["member"] = f"{member} is not a member (or substitute) of {meeting.board} on the meeting's date."
    if kind not in Declaration.Kind.values:
        errors["kind"] = "Choose the kind of interest."
    if not (nature or "").strip():
        errors["nature"] = "Say what the interest is."
    if conduct not in Declaration.Conduct.values:
        errors["conduct"] = "Choose what the member did."
    if conduct == Declaration.Conduct.DISPENSATION and not (dispensation or "").strip():
        errors["dispensation"] = "Give the dispensation's details: who granted it, when, and what it allows."
    if entry is not None and (member is None or entry.member_id != member.pk or entry.removed_at is not None):
        errors["entry"] = "Choose an interest on this member's register, or none."
    if errors:
        raise ValidationError(errors)
    return Declaration.objects.create(
        item=item,
        member=member,
        kind=kind,
        nature=nature.strip(),
        conduct=conduct,
        dispensation=(dispensation or "").strip() if conduct == Declaration.Conduct.DISPENSATION else "",
        entry=entry,
        recorded_by=user,
    )


def declaration_remove(*, declaration, user):
    """Democratic services take off a declaration recorded in error, until the minutes are approved."""
    if not may_record_declarations(user):
        raise ValidationError("Only democratic services may remove a declaration.")
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=declaration.item.meeting_id)
        if meeting.status == Meeting.Status.MINUTES_APPROVED:
            raise ValidationError("The minutes of this meeting are approved: its record can no longer change.")
        Declaration.objects.filter(pk=declaration.pk).delete()
