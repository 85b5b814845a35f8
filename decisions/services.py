"""The only writers of decision notices, call-ins and their signatures.

Each function checks who may act and what state allows it, under a row lock on the notice (or the
agenda item), and raises NoticeRefused with a message a person can read. The clock is read after the
lock is taken, so a signature that waited for another at the last minute is judged by the time it is
actually written: the call-in deadline holds to the second.
"""

import logging
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from boards import clock
from boards import services as agenda
from boards.models import AgendaItem, Meeting
from decisions.models import CallIn, Notice, NoticeVersion, Signature, call_in_period
from follow.services import record_event

log = logging.getLogger(__name__)

HELD = {Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED}


class NoticeRefused(Exception):
    """The step cannot be taken; the message says why in plain words (`field`: the form field it is about)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def _require_clerk(user):
    if not (user.is_authenticated and user.sees_everything):
        raise NoticeRefused("Only democratic services publish decision notices and record call-in outcomes.")


def _text(value, message):
    value = (value or "").strip()
    if not value:
        raise NoticeRefused(message)
    return value


def notice_publish(*, item, user, decision, reasons, alternatives, conflicts="", is_urgent=False, urgency_reason=""):
    """Publish the notice of an executive board's decision on `item`; returns the notice.

    It takes effect when the call-in period ends (models.call_in_period), or at once when urgent.
    """
    _require_clerk(user)
    decision = _text(decision, "Enter the decision.")
    reasons = _text(reasons, "Enter the reasons for the decision.")
    alternatives = _text(alternatives, "Enter the alternative options considered and rejected, or say there were none.")
    urgency_reason = (urgency_reason or "").strip()
    if is_urgent and not urgency_reason:
        raise NoticeRefused("Say why the decision is urgent: an urgent decision cannot be called in.")
    with transaction.atomic():
        locked = AgendaItem.objects.select_for_update().select_related("meeting__board").get(pk=item.pk)
        meeting = locked.meeting
        if not meeting.board.is_executive:
            raise NoticeRefused(f"The {meeting.board} is not an executive board: its decisions have no notices.")
        if meeting.status not in HELD:
            raise NoticeRefused("A decision notice is published once the meeting has been recorded as held.")
        if Notice.objects.filter(item=locked).exists():
            raise NoticeRefused("This decision's notice is already published; correct it instead.")
        now = timezone.now()
        closes, effective = (None, timezone.localdate(now)) if is_urgent else call_in_period(timezone.localdate(now))
        notice = Notice.objects.create(
            item=locked, title=locked.title, decision=decision, reasons=reasons, alternatives=alternatives,
            conflicts=(conflicts or "").strip(), is_urgent=is_urgent, urgency_reason=urgency_reason if is_urgent else "",
            published_at=now, published_by=user, call_in_closes_at=closes, effective_on=effective,
        )  # fmt: skip
        _tell_followers(notice)
    log.info("Decision notice %s published by %s", notice.reference, user)
    return notice


def _tell_followers(notice):
    """Those who follow the board, a ward or a keyword hear of the decision, once it commits: only what
    the public notice shows (an exempt decision by its title only)."""
    item = notice.item
    report = item.report if item.report_id and not item.is_exempt else None
    words = "" if item.is_exempt else " ".join([notice.title, notice.decision, report.summary if report else ""])
    record_event(
        kind="decision", title=f"Decision: {notice.title}", url=notice.get_absolute_url(),
        board=item.meeting.board, words=words, wards=list(report.wards.all()) if report else [],
        all_wards=bool(report and report.all_wards),
    )  # fmt: skip


def notice_correct(*, notice, user, decision, reasons, alternatives, conflicts, correction):
    """Correct a published notice: the text before is kept as a version, and the correction says what changed."""
    _require_clerk(user)
    correction = _text(correction, "Say what is corrected and why: a published notice is corrected in the open.")
    decision = _text(decision, "Enter the decision.")
    reasons = _text(reasons, "Enter the reasons for the decision.")
    alternatives = _text(alternatives, "Enter the alternative options considered and rejected, or say there were none.")
    conflicts = (conflicts or "").strip()
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        if (locked.decision, locked.reasons, locked.alternatives, locked.conflicts) == (
            decision, reasons, alternatives, conflicts,
        ):  # fmt: skip
            raise NoticeRefused("Nothing was changed: the notice stays as it is.")
        NoticeVersion.objects.create(
            notice=locked, version=locked.version, decision=locked.decision, reasons=locked.reasons,
            alternatives=locked.alternatives, conflicts=locked.conflicts, corrected_by=user, correction=correction,
        )  # fmt: skip
        locked.decision, locked.reasons, locked.alternatives, locked.conflicts = (
            decision,
            reasons,
            alternatives,
            conflicts,
        )
        locked.version += 1
        locked.save(update_fields=["decision", "reasons", "alternatives", "conflicts", "version", "updated_at"])
    return locked


def may_call_in(user, notice):
    """Whether `user` sits now on a scrutiny committee that scrutinises the notice's board."""
    if not user.is_authenticated:
        return False
    board = notice.item.meeting.board
    return user.memberships.current().filter(board__in=board.scrutinised_by.filter(is_active=True)).exists()


def _lock_open(notice, user):
    """The notice locked, if `user` may still call it in now (the time read after the lock)."""
    locked = Notice.objects.select_for_update().select_related("item__meeting__board").get(pk=notice.pk)
    if not may_call_in(user, locked):
        raise NoticeRefused(
            f"Only members of a scrutiny committee that scrutinises the {locked.item.meeting.board} can call in its decisions."
        )
    if locked.is_urgent:
        raise NoticeRefused("This decision was taken as urgent, so it is not subject to call-in.")
    if locked.status != Notice.Status.PUBLISHED:
        raise NoticeRefused("This decision has already been called in.")
    if not locked.is_open_to_call_in(timezone.now()):
        closed = timezone.localtime(locked.call_in_closes_at)
        raise NoticeRefused(f"The call-in period ended at midnight at the start of {clock.in_words(closed)}.")
    return locked


def call_in_request(*, notice, user, reasons):
    """Start a call-in of `notice` with `reasons`, signed by `user`; returns the CallIn."""
    reasons = _text(reasons, "Give your reasons for calling the decision in.")
    with transaction.atomic():
        locked = _lock_open(notice, user)
        if CallIn.objects.filter(notice=locked).exists():
            raise NoticeRefused("A call-in of this decision has already been started: add your signature to it.")
        call_in = CallIn.objects.create(notice=locked, reasons=reasons, requested_by=user)
        Signature.objects.create(call_in=call_in, member=user)
        _complete_if_signed(locked, call_in)
    return call_in


def call_in_sign(*, notice, user):
    """Add `user`'s signature to the notice's call-in; returns the CallIn."""
    with transaction.atomic():
        locked = _lock_open(notice, user)
        call_in = CallIn.objects.filter(notice=locked).first()
        if call_in is None:
            raise NoticeRefused("No call-in of this decision has been started: start one with your reasons.")
        if call_in.signatures.filter(member=user).exists():
            raise NoticeRefused("You have already signed this call-in.")
        try:
            with transaction.atomic():
                Signature.objects.create(call_in=call_in, member=user)
        except IntegrityError:  # the same member twice at once: the lock makes it rare, the constraint certain
            raise NoticeRefused("You have already signed this call-in.") from None
        _complete_if_signed(locked, call_in)
    return call_in


def _complete_if_signed(notice, call_in):
    """Once enough members have signed: the decision is suspended, the scrutiny committee's next
    agenda gains the item, and democratic services are told (after the commit)."""
    if call_in.signatures.count() < settings.CALL_IN_SIGNATURES:
        return
    now = timezone.now()
    call_in.completed_at = now
    call_in.save(update_fields=["completed_at"])
    notice.status, notice.effective_on = Notice.Status.CALLED_IN, None
    notice.scrutiny_item = _place_on_scrutiny_agenda(notice)
    notice.save(update_fields=["status", "effective_on", "scrutiny_item", "updated_at"])
    transaction.on_commit(partial(_tell_democratic_services, notice.pk), robust=True)


def _place_on_scrutiny_agenda(notice):
    """The item for the call-in on the next meeting of a committee scrutinising the board, or None
    when none is coming (democratic services are told to arrange a special meeting)."""
    board = notice.item.meeting.board
    meeting = (
        Meeting.objects.filter(board__in=board.scrutinised_by.filter(is_active=True), starts_at__gte=timezone.now())
        .exclude(status__in=[Meeting.Status.CANCELLED, *HELD])
        .select_related("board__clerk")
        .order_by("starts_at")
        .first()
    )
    if meeting is None:
        return None
    clerk = meeting.board.clerk if meeting.board.clerk_id else None
    clerk = clerk or User.objects.filter(is_active=True, is_democratic_services=True).order_by("pk").first()
    if clerk is None:
        return None
    try:
        return _add_call_in_item(
            notice, meeting, clerk, "A called-in decision is considered at the committee's next meeting."
        )
    except agenda.AgendaRefused as refused:
        log.warning("Call-in of %s not placed on %s: %s", notice.reference, meeting, refused)
        return None


def earliest_with_notice(today=None):
    """The first day a meeting convened today can be held with five clear working days' notice."""
    return clock.earliest_meeting_day(today or timezone.localdate())


def scrutiny_board_for(notice):
    """The committee that hears the call-in: the one whose agenda has it, else the first active one
    scrutinising the board; None when no committee scrutinises it."""
    if notice.scrutiny_item_id:
        return notice.scrutiny_item.meeting.board
    return notice.item.meeting.board.scrutinised_by.filter(is_active=True).order_by("name", "pk").first()


def call_in_convene_meeting(*, notice, user, starts_at, venue="", urgency_reason=""):
    """Convene a special meeting of the scrutiny committee to hear a called-in decision, and put the
    call-in on its agenda (taking it off the ordinary meeting it was on); returns the meeting.

    The agenda must be open five clear working days before the meeting (Local Government Act 1972,
    s. 100B); a meeting sooner than that needs the reason it is urgent, recorded on the item."""
    _require_clerk(user)
    urgency_reason = (urgency_reason or "").strip()
    now = timezone.now()
    if starts_at <= now:
        raise NoticeRefused("That date and time have passed: choose a time still to come.", field="date")
    day, today = timezone.localtime(starts_at).date(), timezone.localdate(now)
    short_notice = not clock.is_in_time(today, day)
    if short_notice and not urgency_reason:
        earliest = earliest_with_notice(today)
        raise NoticeRefused(
            f"A meeting on {clock.in_words(day)} gives less than five clear working days' notice: "
            f"choose {clock.in_words(earliest)} or later, or give the reason it is urgent.",
            field="urgency_reason",
        )
    with transaction.atomic():
        locked = (
            Notice.objects.select_for_update(of=("self",))
            .select_related("item__meeting__board", "scrutiny_item__meeting__board")
            .get(pk=notice.pk)
        )
        if locked.status != Notice.Status.CALLED_IN:
            raise NoticeRefused("Only a called-in decision waiting for the scrutiny committee needs a meeting.")
        old = locked.scrutiny_item
        if old is not None and old.meeting.is_special and old.meeting.status != Meeting.Status.CANCELLED:
            raise NoticeRefused(f"A special meeting is already convened to hear it: {old.meeting}.")
        board = scrutiny_board_for(locked)
        if board is None:
            raise NoticeRefused(f"No committee scrutinises the {locked.item.meeting.board}.")
        if old is not None and old.meeting.status in HELD:
            raise NoticeRefused(f"The call-in was heard at {old.meeting}: record the committee's outcome instead.")
        reason = f"to hear the call-in of decision notice {locked.reference}"
        if short_notice:
            reason += f"; convened at less than five clear working days' notice, as it is urgent: {urgency_reason}"
        try:
            meeting = agenda.meeting_schedule(
                board=board, starts_at=starts_at, venue=venue, user=user, special_for=reason
            )
            item = _add_call_in_item(
                locked, meeting, user, urgency_reason or "A special meeting convened to hear a called-in decision."
            )
            if old is not None and old.meeting.status != Meeting.Status.CANCELLED:
                agenda.agenda_remove_item(item=old, user=user)  # it is heard at the special meeting instead
        except agenda.AgendaRefused as refused:
            raise NoticeRefused(str(refused), field="date") from None
        locked.scrutiny_item = item
        locked.save(update_fields=["scrutiny_item", "updated_at"])
    log.info("Special meeting %s convened for the call-in of %s by %s", meeting, locked.reference, user)
    return meeting


def _add_call_in_item(notice, meeting, user, late_reason):
    """The call-in of `notice` as an item of `meeting` (Part 2 if the decision was); `late_reason` is
    recorded as its urgency if the meeting's agenda is already out or due."""
    decided = notice.item
    return agenda.agenda_add_item(
        meeting=meeting, user=user,
        title=f"Call-in: {notice.title} ({decided.meeting.board}, {decided.meeting.date_display})",
        description=f"Decision notice {notice.reference}, called in by members of the committee.",
        is_exempt=decided.is_exempt, exempt_paragraph=(decided.exempt_paragraphs or [None])[0],
        urgency_reason=late_reason if agenda.is_late_now(meeting) else "",
    )  # fmt: skip


def _tell_democratic_services(pk):
    notice = Notice.objects.select_related("item__meeting__board", "scrutiny_item__meeting").get(pk=pk)
    recipients = [u.email for u in User.objects.filter(is_active=True, is_democratic_services=True) if u.email]
    if not recipients:
        return
    placed = (
        f"It is on the agenda of {notice.scrutiny_item.meeting}."
        if notice.scrutiny_item_id
        else "No meeting of the scrutiny committee is coming: convene a special meeting to hear it at "
        f"{settings.SITE_URL}{reverse('decisions:convene', args=[pk])}"
    )
    body = (
        f"Decision notice {notice.reference} ({notice.title}, {notice.item.meeting}) has been called in by "
        f"{settings.CALL_IN_SIGNATURES} or more members of the scrutiny committee. Its implementation is suspended "
        f"until the committee decides. {placed}\n\n{settings.SITE_URL}{reverse('decisions:notice', args=[pk])}\n"
    )
    message = EmailMessage(f"Called in: {notice.title}", body, settings.DEFAULT_FROM_EMAIL, recipients)
    try:
        get_connection(timeout=settings.EMAIL_TIMEOUT or 10).send_messages([message])
    except OSError:
        log.exception("Could not tell democratic services of the call-in of %s", notice.reference)


def call_in_outcome(*, notice, user, outcome, note=""):
    """Record what the scrutiny committee decided about a called-in decision."""
    _require_clerk(user)
    if outcome not in Notice.Outcome.values:
        raise NoticeRefused("Choose what the committee decided.")
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        if locked.status != Notice.Status.CALLED_IN:
            raise NoticeRefused("Only a called-in decision has an outcome to record.")
        now = timezone.now()
        locked.status, locked.outcome, locked.outcome_note = Notice.Status.DECIDED, outcome, (note or "").strip()
        locked.outcome_recorded_at = now
        # No further action: the decision takes effect now. Referred on: it waits for the decision maker or Council.
        locked.effective_on = timezone.localdate(now) if outcome == Notice.Outcome.NO_FURTHER_ACTION else None
        locked.save(
            update_fields=["status", "outcome", "outcome_note", "outcome_recorded_at", "effective_on", "updated_at"]
        )
    return locked
