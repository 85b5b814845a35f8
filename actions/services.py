"""Everything that changes an action: recording it (`action_create`) and reporting on it (`action_update`).

Each is one transaction with its row locked, writes an ActionUpdate, and raises ActionRefused with a
message a person can read (naming the form field it is about), changing nothing.
"""

from django.db import transaction
from django.utils import timezone

from actions.models import HELD, Action, ActionUpdate
from boards.models import AgendaItem, Meeting

NOT_A_RECORDER = "Only democratic services and the board's clerk may record actions arising from its decisions."
NOT_AN_UPDATER = "Only the action's owner and democratic services may update it."


class ActionRefused(Exception):
    """The action cannot be done; the message says why. `field` names the form field it is about, if any."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message, self.field = message, field


def may_record(user, board):
    """Democratic services (and administrators) and the board's own clerk record actions on its decisions."""
    return user.is_authenticated and (user.sees_everything or board.clerk_id == user.pk)


def may_update(user, action):
    """The owner reports progress on their action; democratic services on anyone's."""
    return user.is_authenticated and (user.sees_everything or action.owner_id == user.pk)


def not_ready_reason(item):
    """Why no action can be recorded on `item` yet ("" when one can): the meeting held, a decision recorded."""
    if item.meeting.status not in HELD:
        return "Actions are recorded once the meeting has been held and its decisions recorded."
    if not item.decision.strip():
        return "Record the board's decision on this item first: an action arises from a decision."
    return ""


def due_date_problem(due_on, meeting):
    """What is wrong with `due_on` for an action arising at `meeting`, or "": it cannot be before the meeting."""
    if due_on < meeting.date:
        return f"The due date cannot be before the meeting the decision was made at ({meeting.date_display})."
    return ""


def action_create(*, item, user, description, owner, due_on):
    """Record an action arising from the decision on `item`, not started, owned by `owner`, due on `due_on`."""
    description = (description or "").strip()
    with transaction.atomic():
        # The meeting is locked as boards/services.py locks it, so the decision cannot change underneath.
        meeting = Meeting.objects.select_for_update().select_related("board").get(pk=item.meeting_id)
        if not may_record(user, meeting.board):
            raise ActionRefused(NOT_A_RECORDER)
        item = AgendaItem.objects.select_related("meeting").get(pk=item.pk)
        if reason := not_ready_reason(item):
            raise ActionRefused(reason)
        if not description:
            raise ActionRefused("Say what is to be done.", "description")
        if owner is None:
            raise ActionRefused("Choose the officer responsible for the action.", "owner")
        if not owner.is_active:
            raise ActionRefused(f"{owner}'s account is no longer in use: choose someone who can take it on.", "owner")
        if due_on is None:
            raise ActionRefused("Give the date the action is due.", "due_on")
        if problem := due_date_problem(due_on, meeting):
            raise ActionRefused(problem, "due_on")
        action = Action.objects.create(item=item, description=description, owner=owner, due_on=due_on, created_by=user)
        ActionUpdate.objects.create(action=action, actor=user, from_status="", to_status=action.status)
    return action


def _note_needed(was, status):
    """What a note must say for this change, or "" when none is needed."""
    if was == Action.Status.DONE:
        return "This action is done: say why it is being changed."
    if was == Action.Status.DROPPED:
        return "This action was dropped: say why it is being changed."
    if status == Action.Status.DONE:
        return "Say what was done, so the record shows how the action was completed."
    if status == Action.Status.DROPPED:
        return "Say why the action is dropped."
    if status == was:
        return "Nothing to record: change the status or write a note on progress."
    return ""


def action_update(*, action, user, status, note=""):
    """The owner (or democratic services) moves the action to `status`, with a note where one is needed."""
    note = (note or "").strip()
    with transaction.atomic():
        locked = Action.objects.select_for_update().get(pk=action.pk)
        if not may_update(user, locked):
            raise ActionRefused(NOT_AN_UPDATER)
        if status not in Action.Status.values:
            raise ActionRefused("Choose the action's status from the list.", "status")
        was = locked.status
        if not note and (needed := _note_needed(was, status)):
            raise ActionRefused(needed, "note")
        locked.status, locked.updated_at = status, timezone.now()
        locked.save(update_fields=["status", "updated_at"])
        ActionUpdate.objects.create(action=locked, actor=user, from_status=was, to_status=status, note=note)
    return locked
