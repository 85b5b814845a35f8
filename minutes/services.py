"""Democratic services' work on minutes: one function per action, each in one transaction.

Which meeting's action approves which minutes: the clerk records the approval on the meeting whose
minutes they are (the existing "Record that the minutes were approved" on its page), and the
approving meeting is the board's next meeting, whose agenda carries them under "Minutes of the
Previous Meeting" (minutes/selectors.py). That meeting must have taken place: its date must have
come. Approval makes the minutes final and sets the recorded meeting's status to "minutes
approved", which locks its attendance (members/services.py), declarations (interests/services.py),
decisions (boards/services.py), votes (the votes app, at merge) and these minutes.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from boards import clock
from boards import services as board_services
from boards.models import Meeting
from boards.tasks import agenda_changed
from follow import services as follow
from minutes.drafting import draft_minutes
from minutes.models import Minutes
from minutes.selectors import next_meeting
from reports.html import sanitize_html

log = logging.getLogger(__name__)

MAX_LENGTH = 200_000


class MinutesRefused(Exception):
    """The change to the minutes cannot be made; the message says why in plain words."""


def _require_clerk(user):
    if not (user.is_authenticated and user.sees_everything):
        raise MinutesRefused("Only democratic services can write the minutes.")


def may_be_minuted(meeting):
    """Whether a meeting's minutes may be drafted: once it is recorded as held or its date has come."""
    if meeting.status == Meeting.Status.CANCELLED:
        return False
    return meeting.status in {Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED} or (
        meeting.date <= timezone.localdate()
    )


def minutes_due(meeting):
    """The day the draft minutes are due: MINUTES_DRAFT_WORKING_DAYS working days after the meeting."""
    return clock.working_days_after(meeting.date, settings.MINUTES_DRAFT_WORKING_DAYS)


def _lock(meeting):
    """The meeting locked, and its minutes (or None), refusing once they are approved."""
    locked = Meeting.objects.select_for_update().select_related("board").get(pk=meeting.pk)
    if not may_be_minuted(locked):
        raise MinutesRefused("Minutes are written once the meeting has been held (from its date onwards).")
    minutes = Minutes.objects.select_for_update().filter(meeting=locked).first()
    if locked.status == Meeting.Status.MINUTES_APPROVED or (minutes and minutes.is_final):
        raise MinutesRefused("The minutes of this meeting are approved: they can no longer change.")
    return locked, minutes


def _agenda_takes_them(meeting, change):
    """The next meeting's agenda prints the published minutes: a published agenda's packs are rebuilt."""
    following = next_meeting(meeting)
    if following is None or not following.is_published:
        return
    locked = Meeting.objects.select_for_update().select_related("board").get(pk=following.pk)
    agenda_changed(locked, change)


def minutes_draft(*, meeting, user):
    """Draft the minutes from the meeting's record, replacing what was there (not once approved)."""
    _require_clerk(user)
    with transaction.atomic():
        locked, minutes = _lock(meeting)
        body, exempt_body = draft_minutes(locked)
        now = timezone.now()
        if minutes is None:
            minutes = Minutes(meeting=locked)
        minutes.body = sanitize_html(body)
        minutes.exempt_body = sanitize_html(exempt_body)
        minutes.drafted_at = now
        minutes.updated_by = user
        minutes.save()
        if minutes.is_public:
            _agenda_takes_them(locked, "The draft minutes of the previous meeting were drafted again.")
    log.info("Minutes drafted from the record: meeting %s, by %s", meeting.pk, user)
    return minutes


def minutes_save(*, meeting, user, body, exempt_body):
    """Save the clerk's edit of the minutes, sanitised like a report's sections."""
    _require_clerk(user)
    body, exempt_body = sanitize_html(body or ""), sanitize_html(exempt_body or "")
    if len(body) > MAX_LENGTH or len(exempt_body) > MAX_LENGTH:
        raise MinutesRefused(f"The minutes may be at most {MAX_LENGTH:,} characters long.")
    with transaction.atomic():
        locked, minutes = _lock(meeting)
        if minutes is None:
            raise MinutesRefused("Draft the minutes from the record first.")
        if (minutes.body, minutes.exempt_body) == (body, exempt_body):
            return minutes
        minutes.body, minutes.exempt_body, minutes.updated_by = body, exempt_body, user
        minutes.save(update_fields=["body", "exempt_body", "updated_by", "updated_at"])
        if minutes.is_public:
            _agenda_takes_them(locked, "The draft minutes of the previous meeting were corrected.")
    return minutes


def minutes_publish(*, meeting, user):
    """Publish the minutes as a draft, subject to approval: public, and on the next meeting's agenda."""
    _require_clerk(user)
    with transaction.atomic():
        locked, minutes = _lock(meeting)
        if minutes is None:
            raise MinutesRefused("Draft the minutes from the record first.")
        if minutes.status != Minutes.Status.DRAFT:
            raise MinutesRefused("These minutes are already published as a draft, subject to approval.")
        if not minutes.body.strip():
            raise MinutesRefused("The minutes are empty: draft them from the record or write them first.")
        minutes.status = Minutes.Status.PUBLISHED
        minutes.published_at = timezone.now()
        minutes.updated_by = user
        minutes.save(update_fields=["status", "published_at", "updated_by", "updated_at"])
        _agenda_takes_them(locked, "The draft minutes of the previous meeting were added.")
        follow.minutes_published(locked)  # its followers are emailed once this commits
    log.info("Minutes published as a draft: meeting %s, by %s", meeting.pk, user)
    return minutes


def minutes_approve(*, meeting, user):
    """Record that the board's next meeting approved the minutes of `meeting` as a correct record.

    The minutes become final, stamped "Approved" with the date, and `meeting`'s record is locked
    (boards.services.meeting_approve_minutes). Refused before the approving meeting has taken place,
    and for minutes not yet published as a draft. A meeting with no minutes written here (kept on
    paper before the system) may still be recorded as approved, as before.
    """
    _require_clerk(user)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        minutes = Minutes.objects.select_for_update().filter(meeting=locked).first()
        approving = next_meeting(locked)
        if locked.status == Meeting.Status.HELD and approving and approving.date > timezone.localdate():
            raise MinutesRefused(
                f"Minutes are approved at the board's next meeting ({approving.date_display}), "
                "which has not been held yet."
            )
        if minutes is not None and minutes.status == Minutes.Status.DRAFT and locked.status == Meeting.Status.HELD:
            raise MinutesRefused("Publish the minutes as a draft first: the board approves the minutes it was sent.")
        try:
            board_services.meeting_approve_minutes(meeting=locked, user=user)
        except board_services.AgendaRefused as exc:
            raise MinutesRefused(str(exc)) from None
        if minutes is not None:
            minutes.status = Minutes.Status.APPROVED
            minutes.approved_at = timezone.now()
            minutes.approved_at_meeting = approving
            minutes.updated_by = user
            minutes.save(update_fields=["status", "approved_at", "approved_at_meeting", "updated_by", "updated_at"])
            follow.minutes_approved(locked)
    log.info("Minutes approved: meeting %s, by %s", meeting.pk, user)
    return locked
