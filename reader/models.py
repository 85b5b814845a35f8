"""A member's private notes and highlights on a meeting's papers (issue 20).

A note's words, the text it quotes, the paragraph it is anchored to and that paragraph's text are kept
encrypted (Fernet: AES-128-CBC with HMAC-SHA256) under a key derived from READER_NOTES_SECRET (by
default SECRET_KEY) and the member's user id, so neither a database dump nor the backup holds them in
plain text. Only the member, through the reader, reads them: no admin, no other page, API or export.
"""

import base64
import functools
import json
import uuid

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models
from django.utils import timezone


def notes_key(user_id):
    """The Fernet key of one member's notes: HKDF-SHA256 of the notes' secret, salted, for that member."""
    return _derived_key((getattr(settings, "READER_NOTES_SECRET", "") or settings.SECRET_KEY).encode(), user_id)


@functools.lru_cache(maxsize=256)
def _fernet(key):
    return Fernet(key)


@functools.lru_cache(maxsize=256)
def _derived_key(secret, user_id):
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"committee-reports reader notes", info=f"user:{user_id}".encode()
    ).derive(secret)
    return base64.urlsafe_b64encode(derived)


class NoteQuerySet(models.QuerySet):
    def of(self, user, meeting):
        """The member's notes of a meeting, deleted ones (kept as tombstones) included."""
        return self.filter(user=user, meeting=meeting)

    def current(self):
        return self.filter(deleted=False)


class Note(models.Model):
    """A member's note or highlight on one block of a meeting's papers: private to that member."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reader_notes")
    meeting = models.ForeignKey("boards.Meeting", on_delete=models.CASCADE, related_name="reader_notes")
    client_id = models.UUIDField(help_text="Made by the member's device, so a note made offline keeps its identity.")
    revision = models.PositiveIntegerField(default=1, help_text="Raised by every change the server accepts.")
    payload = models.TextField(help_text="The note, encrypted (reader.models): never plain text.")
    deleted = models.BooleanField(default=False, help_text="Kept as a tombstone so a replayed change cannot revive it.")
    conflict_of = models.UUIDField(null=True, blank=True, help_text="The note this is a conflict copy of.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = NoteQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "client_id"], name="one_note_per_client_id")]
        indexes = [models.Index(fields=["user", "meeting"], name="reader_note_user_meeting")]

    def __str__(self):
        return f"Note {self.client_id}"  # never its words

    @classmethod
    def new_client_id(cls):
        return uuid.uuid4()

    def read(self):
        """The note's content: {"anchor", "quote", "highlight", "text", "paragraph", "seen"}."""
        if not self.payload:
            return {}
        try:
            data = _fernet(notes_key(self.user_id)).decrypt(self.payload.encode())
        except InvalidToken:
            return {"anchor": "", "quote": "", "highlight": False, "text": "", "paragraph": "", "unreadable": True}
        return json.loads(data)

    def write(self, content):
        """Encrypt `content` into the payload (not saved: the service saves)."""
        data = json.dumps(content, separators=(",", ":")).encode()
        self.payload = _fernet(notes_key(self.user_id)).encrypt(data).decode()


class NotesWarning(models.Model):
    """That a member was told their notes of a meeting will be deleted soon (retention), so once only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey("boards.Meeting", on_delete=models.CASCADE, related_name="+")
    warned_at = models.DateTimeField(default=timezone.now)
    delete_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "meeting"], name="one_notes_warning_per_meeting")]

    def __str__(self):
        return f"Notes warning for meeting {self.meeting_id}"
