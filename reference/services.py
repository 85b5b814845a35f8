"""Every change to a reference list's entries, one function each, in one transaction, each recorded as a
ReferenceEvent. A change that may not happen raises ReferenceRefused, naming the form field it concerns,
and changes nothing. Entries are never deleted: retiring one keeps it on the reports that use it."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from accounts import services as people
from accounts.services import PeopleRefused
from reference.models import ReferenceEvent

UNCHANGED = object()


class ReferenceRefused(Exception):
    """The change may not be made; `field` is the form field the reason belongs beside, if any."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def may_manage_lists(user):
    """Only administrators change the reference lists."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def _name(ref, entry):
    return getattr(entry, ref.name_field)


def _record(ref, entry, by, action, note=""):
    ReferenceEvent.objects.create(
        list_slug=ref.slug, entry_id=entry.pk, entry_name=_name(ref, entry), actor=by, action=action, note=note
    )


def _require(by):
    if not may_manage_lists(by):
        raise ReferenceRefused("Only an administrator can change the reference lists.")


def _duplicate(ref, value, exclude_pk=None):
    same = ref.model.objects.filter(**{f"{ref.name_field}__iexact": value})
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    return same.first()


def _save(ref, entry, fields):
    """full_clean and save `entry`; a duplicate name (checked again inside the transaction) is refused."""
    twin = _duplicate(ref, _name(ref, entry), entry.pk)
    if twin is not None:
        state = "" if twin.is_active else " (retired: restore it instead)"
        raise ReferenceRefused(f"There is already {ref.a_noun} called “{_name(ref, twin)}”{state}.", ref.name_field)
    try:
        entry.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ReferenceRefused(messages[0], field) from error
    try:
        with transaction.atomic():
            entry.save(update_fields=fields) if fields else entry.save()
    except IntegrityError as error:  # another administrator saved the same name meanwhile
        raise ReferenceRefused(f"That {ref.noun} already exists.", ref.name_field) from error


def _set_holder(entry, holder, by):
    # Who holds a post is a role: accounts/services.py writes it and the people's history.
    try:
        return people.post_set_holder(post=entry, holder=holder, by=by)
    except PeopleRefused as refusal:
        raise ReferenceRefused(str(refusal), "holder") from refusal


def entry_add(*, ref, by, values, holder=None):
    """Add an entry at the end of the list, active (a post with its holder, if one is named)."""
    _require(by)
    with transaction.atomic():
        entry = ref.model(**values)
        if ref.ordered:
            last = ref.model.objects.select_for_update().aggregate(last=Max("position"))["last"]
            entry.position = (last or 0) + 1
        _save(ref, entry, None)
        _record(ref, entry, by, "added")
        if holder is not None:
            _set_holder(entry, holder, by)
    return entry


def entry_edit(*, ref, entry, by, values, holder=UNCHANGED):
    """Rename or otherwise change an entry (a post's holder too); the reports that use it print the new name."""
    _require(by)
    with transaction.atomic():
        locked = ref.model.objects.select_for_update().get(pk=entry.pk)
        if holder is not UNCHANGED:
            locked.holder = _set_holder(locked, holder, by).holder
        before = {name: getattr(locked, name) for name in values}
        changed = [name for name, value in values.items() if before[name] != value]
        if not changed:
            return locked
        for name in changed:
            setattr(locked, name, values[name])
        _save(ref, locked, changed)
        notes = []
        for name in changed:
            label = ref.model._meta.get_field(name).verbose_name
            notes.append(f"{label.capitalize()}: “{before[name] or 'none'}” to “{values[name] or 'none'}”")
        _record(ref, locked, by, "edited", "; ".join(notes))
    return locked


def _set_active(ref, entry, by, active):
    _require(by)
    with transaction.atomic():
        locked = ref.model.objects.select_for_update().get(pk=entry.pk)
        if locked.is_active == active:
            state = "in use" if active else "retired"
            raise ReferenceRefused(f"“{_name(ref, locked)}” is already {state}.")
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        _record(ref, locked, by, "restored" if active else "retired")
    return locked


def entry_retire(*, ref, entry, by):
    """No longer offer the entry on reports; those that use it keep it."""
    return _set_active(ref, entry, by, False)


def entry_restore(*, ref, entry, by):
    """Offer a retired entry again, in its old place."""
    return _set_active(ref, entry, by, True)


def entry_move(*, ref, entry, by, direction):
    """Swap an entry in use with the next one in use above or below it; positions are renumbered 1, 2, 3...

    Retired entries keep their places, so a restored one comes back where it was.
    """
    _require(by)
    if not ref.ordered:
        raise ReferenceRefused(f"The {ref.title.lower()} are kept in alphabetical order.")
    if direction not in {"up", "down"}:
        raise ReferenceRefused("Move an entry up or down.")
    with transaction.atomic():
        rows = list(ref.entries().select_for_update())
        for number, row in enumerate(rows, start=1):
            if row.position != number:
                row.position = number
                row.save(update_fields=["position"])
        here = next((row for row in rows if row.pk == entry.pk), None)
        if here is None or not here.is_active:
            raise ReferenceRefused("Only an entry in use can be moved.")
        live = [row for row in rows if row.is_active]
        index = live.index(here) + (-1 if direction == "up" else 1)
        if not 0 <= index < len(live):
            raise ReferenceRefused(f"“{_name(ref, here)}” is already {'first' if direction == 'up' else 'last'}.")
        other = live[index]
        here.position, other.position = other.position, here.position
        here.save(update_fields=["position"])
        other.save(update_fields=["position"])
        _record(
            ref, here, by, f"moved_{direction}", f"{'Above' if direction == 'up' else 'Below'} “{_name(ref, other)}”"
        )
    return here
