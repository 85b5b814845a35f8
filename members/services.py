"""The one writer of councillors, attendance and apologies: each change is one function, in one transaction.

A councillor's record is made when someone is invited as one (accounts.services.user_invite).

Attendance is democratic services' record of a meeting; apologies are the member's own, sent
before the meeting and withdrawn by them until it starts. There is no boards.MeetingEvent kind
for either, so none is written: the rows and their history (django-simple-history on Attendance)
are the record.
"""

import logging

from django.db import transaction
from django.utils import timezone

from boards.models import Meeting
from members.models import Apology, Attendance, Councillor, OtherAttendee
from members.selectors import expected_memberships, is_expected_at, substitute_candidates

log = logging.getLogger(__name__)


class AttendanceRefused(Exception):
    """The change cannot be made. `errors` maps a field's key ("member_<id>", "others") to its message;
    the message as a whole says why in plain words."""

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.errors = errors or {}


def councillor_create(*, user):
    """Record that `user` is a councillor (party, wards and the rest are filled in later); returns the Councillor."""
    councillor, _ = Councillor.objects.get_or_create(user=user)
    return councillor


def _lock_meeting_for_attendance(meeting):
    locked = Meeting.objects.select_for_update().select_related("board").get(pk=meeting.pk)
    if locked.status == Meeting.Status.CANCELLED:
        raise AttendanceRefused("This meeting was cancelled, so it has no attendance to record.")
    if locked.status == Meeting.Status.MINUTES_APPROVED:
        raise AttendanceRefused("The minutes of this meeting are approved, so its attendance can no longer change.")
    return locked


def attendance_record(*, meeting, user, entries, others=()):
    """Record who attended `meeting`: `entries` maps each expected member's user id to (status, substitute
    user or None); `others` is a list of (name, role, description) for everyone else who attended.

    Every expected member needs a status; "apologies with a substitute" needs a substitute, who may
    not be a member the meeting expects nor stand in for two members. Replaces what was recorded.
    """
    if not (user.is_authenticated and user.sees_everything):
        raise AttendanceRefused("Only democratic services record attendance.")
    with transaction.atomic():
        locked = _lock_meeting_for_attendance(meeting)
        if locked.date > timezone.localdate():
            raise AttendanceRefused("Attendance is recorded from the day of the meeting onwards.")
        expected = {m.user_id: m.user for m in expected_memberships(locked)}
        candidates = {u.pk: u for u in substitute_candidates(locked)}
        errors = {}
        if set(entries) - set(expected):
            raise AttendanceRefused("Those people are not members expected at this meeting; reload the page.")
        standing_in = {}
        for member_id in expected:
            status, substitute = entries.get(member_id, ("", None))
            key = f"member_{member_id}"
            if status not in Attendance.Status.values:
                errors[key] = "Choose whether they were present, sent apologies or were absent."
            elif status == Attendance.Status.SUBSTITUTED:
                if substitute is None:
                    errors[key] = "Name the substitute who attended in their place."
                elif substitute.pk not in candidates:
                    errors[key] = (
                        f"{substitute} cannot substitute: a member expected at this meeting attends in their own "
                        "right. Choose one of the board's substitutes or another councillor."
                    )
                elif substitute.pk in standing_in:
                    errors[key] = f"{substitute} is already substituting for {standing_in[substitute.pk]}."
                else:
                    standing_in[substitute.pk] = expected[member_id]
        others = [(name.strip(), role, description.strip()) for name, role, description in others if name.strip()]
        if any(role not in OtherAttendee.Role.values for _, role, _ in others):
            errors["others"] = "Choose officer, guest or other for each other attendee."
        if errors:
            raise AttendanceRefused("The attendance was not saved: see the messages beside the fields.", errors)
        locked.attendances.exclude(member_id__in=expected).delete()
        for member_id in expected:
            status, substitute = entries[member_id]
            Attendance.objects.update_or_create(
                meeting=locked,
                member_id=member_id,
                defaults={
                    "status": status,
                    "substitute": substitute if status == Attendance.Status.SUBSTITUTED else None,
                    "recorded_by": user,
                },
            )
        locked.other_attendees.all().delete()
        OtherAttendee.objects.bulk_create(
            OtherAttendee(meeting=locked, position=position, name=name[:200], role=role, description=description[:300])
            for position, (name, role, description) in enumerate(others, start=1)
        )
    log.info("Attendance recorded: meeting %s by %s", meeting.pk, user)
    return locked


def _lock_meeting_for_apologies(meeting, user):
    locked = Meeting.objects.select_for_update().select_related("board").get(pk=meeting.pk)
    if not is_expected_at(user, locked):
        raise AttendanceRefused("Only a member expected at this meeting can send apologies for it.")
    if locked.status == Meeting.Status.CANCELLED:
        raise AttendanceRefused("This meeting was cancelled: no apologies are needed.")
    if locked.starts_at <= timezone.now() or locked.status in {Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED}:
        raise AttendanceRefused("This meeting has started or been held: apologies are sent before it.")
    return locked


def apology_send(*, meeting, user, reason="", substitute=None):
    """A member sends apologies for a coming meeting, with an optional reason and named substitute.

    Sending again changes the reason and substitute of the apologies already sent.
    """
    with transaction.atomic():
        locked = _lock_meeting_for_apologies(meeting, user)
        if substitute is not None and not substitute_candidates(locked).filter(pk=substitute.pk).exists():
            raise AttendanceRefused(
                f"{substitute} cannot substitute at this meeting: choose one of the board's substitutes or another "
                "councillor who is not a member of it.",
                {"substitute": "Choose one of the board's substitutes or another councillor."},
            )
        apology = locked.apologies.standing().filter(member=user).first()
        if apology is None:
            apology = Apology(meeting=locked, member=user)
        apology.reason = reason.strip()[:500]
        apology.substitute = substitute
        apology.save()
    log.info("Apologies sent: meeting %s by %s", meeting.pk, user)
    return apology


def apology_withdraw(*, meeting, user):
    """A member withdraws the apologies they sent, before the meeting: they will attend after all."""
    with transaction.atomic():
        locked = _lock_meeting_for_apologies(meeting, user)
        apology = locked.apologies.standing().filter(member=user).first()
        if apology is None:
            raise AttendanceRefused("You have no apologies to withdraw for this meeting.")
        apology.withdrawn_at = timezone.now()
        apology.save(update_fields=["withdrawn_at"])
    return apology
