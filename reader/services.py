"""The writers of reader/: a member's notes synced from their devices, deleted by them, and deleted by the
retention sweep after the meeting's minutes are approved (with a warning first)."""

import datetime as dt
import hashlib
import hmac
import json
import logging
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from boards import clock
from reader.anchors import ANCHOR
from reader.models import Note, NotesWarning

log = logging.getLogger(__name__)

MAX_QUOTE_CHARS = 2_000
MAX_CHANGES = 2_000  # changes in one sync
SEEN_KEPT = 50  # digests of applied changes kept per note, to tell a replay from a new change


class SyncRefused(Exception):
    """The whole sync cannot be taken (malformed); the message says why."""


@dataclass
class Change:
    """One change a device sends, checked."""

    id: uuid.UUID
    anchor: str
    quote: str
    highlight: bool
    text: str
    deleted: bool
    base: int
    rebase: bool = False
    rebase_to: str = ""  # with `rebase`: the fingerprint of the paragraph as it reads now

    @property
    def content(self):
        return {"anchor": self.anchor, "quote": self.quote, "highlight": self.highlight, "text": self.text}

    @property
    def digest(self):
        """What this change says, keyed so the digest reveals nothing of the words to a database reader."""
        message = json.dumps([self.content, self.deleted, self.rebase_to], sort_keys=True).encode()
        return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:24]


@dataclass
class SyncResult:
    conflicts: list = field(default_factory=list)
    refused: list = field(default_factory=list)


def _checked(raw, index):
    """A Change from one entry of "changes", or (id, reason) when it is refused."""
    if not isinstance(raw, dict):
        return None, "Each change must be an object."
    raw_id = raw.get("id")
    try:
        note_id = uuid.UUID(str(raw_id))
    except ValueError:
        return None, "The change's id is not a UUID."
    deleted = raw.get("deleted", False) is True
    text, quote, anchor = raw.get("text", ""), raw.get("quote", ""), raw.get("anchor", "")
    base = raw.get("base", 0)
    if not isinstance(text, str) or not isinstance(quote, str) or not isinstance(anchor, str):
        return note_id, "The note's anchor, quote and text must be text."
    if not isinstance(base, int) or isinstance(base, bool) or base < 0:
        return note_id, "The change's base must be a revision number (0 for a new note)."
    limit = settings.READER_NOTE_MAX_CHARS
    if len(text) > limit:
        return note_id, f"A note can be at most {limit:,} characters long; this one has {len(text):,}. Shorten it."
    if len(quote) > MAX_QUOTE_CHARS:
        return note_id, f"The text a note quotes can be at most {MAX_QUOTE_CHARS:,} characters; select less."
    if not deleted:
        if not ANCHOR.match(anchor) or anchor not in index:
            return note_id, "There is no such paragraph in the papers of this meeting that you can read."
        if not text.strip() and raw.get("highlight") is not True:
            return note_id, "Write a note or choose Highlight."
    change = Change(
        id=note_id,
        anchor=anchor,
        quote=quote,
        highlight=raw.get("highlight") is True,
        text=text.replace("\x00", ""),
        deleted=deleted,
        base=base,
        rebase=raw.get("rebase") is True,
    )
    if change.rebase and not deleted:
        change.rebase_to = index.get(anchor).fingerprint
    return change, None


def notes_sync(*, user, meeting, changes, index, now=None):
    """Apply a device's changes to `user`'s notes of `meeting`; every paragraph anchored is checked against
    `index` (reader.selectors.meeting_blocks: the blocks `user` may read).

    Last writer per note: a change made from the revision the server holds (`base`) replaces it. A change
    made from an older revision of a note changed since is kept beside it as a conflict copy (a new note),
    never lost and never written over the newer one; a change already applied (a replayed sync) is
    ignored. A delete from an older revision is refused, leaving the newer note. Returns a SyncResult.
    """
    if not isinstance(changes, list):
        raise SyncRefused("“changes” must be a list.")
    if len(changes) > MAX_CHANGES:
        raise SyncRefused(f"Send at most {MAX_CHANGES:,} changes at a time.")
    now = now or timezone.now()
    result = SyncResult()
    checked = []
    for raw in changes:
        change, reason = _checked(raw, index)
        if reason:
            result.refused.append(
                {"id": str(change or (raw.get("id") if isinstance(raw, dict) else "")), "reason": reason}
            )
        else:
            checked.append(change)
    if not checked:
        return result
    with transaction.atomic():
        existing = {
            note.client_id: note
            for note in Note.objects.select_for_update().filter(user=user, client_id__in=[c.id for c in checked])
        }
        writes = _Writes()
        for change in checked:
            note = existing.get(change.id)
            if note is None:
                if not change.deleted:
                    existing[change.id] = writes.create(_new(user.pk, meeting.pk, change, index, now))
                continue
            if note.meeting_id != meeting.pk:
                result.refused.append({"id": str(change.id), "reason": "This note belongs to another meeting."})
                continue
            _apply(note, change, index, now, result, writes)
        writes.save()
    return result


class _Writes:
    """The notes one sync creates and changes, written together at its end (in a few statements, not one a note)."""

    FIELDS = ["payload", "deleted", "revision", "updated_at"]

    def __init__(self):
        self.created, self.changed = {}, {}

    def create(self, note):
        self.created[note.client_id] = note
        return note

    def change(self, note):
        if note.client_id not in self.created:  # a note made in this sync is inserted as it ends up
            self.changed[note.client_id] = note

    def has(self, client_id):
        return client_id in self.created

    def save(self):
        Note.objects.bulk_create(self.created.values(), batch_size=500)
        if not self.changed:
            return
        # One parameterised UPDATE run for each note changed: Django's bulk_update builds a CASE per field
        # and row in Python, which took 0.7 s of a 500-note sync; this takes a few milliseconds.
        updated_at = Note._meta.get_field("updated_at")
        rows = [
            (
                note.payload,
                note.deleted,
                note.revision,
                updated_at.get_db_prep_value(note.updated_at, connection),
                note.pk,
            )
            for note in self.changed.values()
        ]
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE reader_note SET payload = %s, deleted = %s, revision = %s, updated_at = %s WHERE id = %s", rows
            )


def _new(user_id, meeting_id, change, index, now, conflict_of=None, client_id=None):
    """A new note (not saved) holding `change`, with the paragraph's text as it reads now."""
    note = Note(
        user_id=user_id,
        meeting_id=meeting_id,
        client_id=client_id or change.id,
        conflict_of=conflict_of,
        created_at=now,
        updated_at=now,
    )
    block = index.get(change.anchor)
    note.write({**change.content, "paragraph": block.text if block else "", "seen": [change.digest]})
    return note


def _apply(note, change, index, now, result, writes):
    content = note.read()
    seen = content.get("seen", [])
    if change.digest in seen:
        return  # applied before: a replay changes nothing
    if change.base == note.revision and not note.deleted:
        if change.deleted:
            note.deleted = True
            note.write({"seen": [*seen, change.digest][-SEEN_KEPT:]})  # the words go; what was applied stays
        else:
            paragraph = content.get("paragraph", "")
            if change.anchor != content.get("anchor") or change.rebase:
                paragraph = index.get(change.anchor).text
            note.write({**change.content, "paragraph": paragraph, "seen": [*seen, change.digest][-SEEN_KEPT:]})
        note.revision += 1
        note.updated_at = now
        writes.change(note)
        return
    if note.deleted and change.deleted:
        return  # deleted already
    if note.deleted and not content:
        result.refused.append({"id": str(change.id), "reason": "You deleted your notes of this meeting."})
        return
    if change.deleted:
        result.refused.append(
            {"id": str(change.id), "reason": "The note was changed on another device since, so it was kept."}
        )
        return
    # Both changed the note: the server's stays, the incoming change is kept beside it as a copy.
    copy_id = uuid.uuid5(change.id, change.digest)  # the same change sent again makes no second copy
    if not writes.has(copy_id) and not Note.objects.filter(user_id=note.user_id, client_id=copy_id).exists():
        copy = _new(note.user_id, note.meeting_id, change, index, now, conflict_of=note.client_id, client_id=copy_id)
        writes.create(copy)
    note.write({**content, "seen": [*seen, change.digest][-SEEN_KEPT:]})
    writes.change(note)
    result.conflicts.append(str(change.id))


def notes_delete(*, user, meeting):
    """Delete all `user`'s notes of `meeting`: their words go at once; empty tombstones stay so that a device
    still holding old changes cannot bring them back. Returns how many notes were deleted."""
    with transaction.atomic():
        notes = list(Note.objects.select_for_update().filter(user=user, meeting=meeting, deleted=False))
        for note in notes:
            note.payload = ""
            note.deleted = True
            note.revision += 1
            note.updated_at = timezone.now()
            note.save(update_fields=["payload", "deleted", "revision", "updated_at"])
        Note.objects.filter(user=user, meeting=meeting, deleted=True).exclude(payload="").update(payload="")
    return len(notes)


# Retention ------------------------------------------------------------------------------------------


def notes_delete_on(approved_at):
    """The day notes of a meeting whose minutes were approved at `approved_at` are deleted."""
    return timezone.localtime(approved_at).date() + dt.timedelta(days=settings.READER_NOTES_KEEP_DAYS)


def notes_retention_sweep(*, today=None):
    """Delete the notes of meetings whose minutes were approved READER_NOTES_KEEP_DAYS days ago or more, and
    warn (once, by email) each member whose notes go within READER_NOTES_WARN_DAYS. Returns (deleted, warned)."""
    from minutes.models import Minutes

    today = today or timezone.localdate()
    keep, warn = settings.READER_NOTES_KEEP_DAYS, settings.READER_NOTES_WARN_DAYS
    with_notes = Note.objects.values("meeting_id").distinct()
    approved = Minutes.objects.filter(meeting_id__in=with_notes, approved_at__isnull=False).select_related(
        "meeting__board"
    )
    deleted = warned = 0
    for minutes in approved:
        delete_on = notes_delete_on(minutes.approved_at)
        if delete_on <= today:
            deleted += Note.objects.filter(meeting_id=minutes.meeting_id).delete()[1].get("reader.Note", 0)
            NotesWarning.objects.filter(meeting_id=minutes.meeting_id).delete()
        elif delete_on - dt.timedelta(days=warn) <= today:
            users = (
                Note.objects.filter(meeting_id=minutes.meeting_id, deleted=False)
                .values_list("user_id", flat=True)
                .distinct()
            )
            for user_id in users:
                warned += notes_warn(user_id=user_id, meeting=minutes.meeting, delete_on=delete_on)
    if deleted:
        log.info("Retention: deleted %s reader notes (kept %s days after the minutes' approval)", deleted, keep)
    return deleted, warned


def notes_warn(*, user_id, meeting, delete_on):
    """Tell a member (once: a NotesWarning row) that their notes of `meeting` are deleted on `delete_on`.
    Returns 1 if warned now."""
    from accounts.models import User

    user = User.objects.get(pk=user_id)
    try:
        with transaction.atomic():
            NotesWarning.objects.create(user=user, meeting=meeting, delete_on=delete_on)
            if user.email and user.is_active:
                _warning_email(user, meeting, delete_on).send()
    except IntegrityError:
        return 0
    except OSError:
        log.exception("Could not send the notes retention warning for meeting %s to %s", meeting.pk, user.pk)
        return 0
    return 1


def _warning_email(user, meeting, delete_on):
    link = settings.SITE_URL + reverse("reader:meeting", args=[meeting.pk])
    body = render_to_string(
        "emails/reader_notes_warning.txt",
        {
            "recipient": user,
            "meeting": meeting,
            "delete_on": clock.in_words(delete_on),
            "link": link,
            "keep_days": settings.READER_NOTES_KEEP_DAYS,
            "council_name": settings.COUNCIL_NAME,
        },
    )
    subject = f"Your notes on the papers of {meeting} will be deleted on {clock.in_words(delete_on)}"
    connection = get_connection(timeout=settings.EMAIL_TIMEOUT or 10)
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], connection=connection)
