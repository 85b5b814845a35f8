"""Democratic services' work on agendas: one function per action, each in one transaction.

Every change to an agenda raises the meeting's `agenda_version`, which marks its packs stale and
queues a rebuild once the transaction commits. Once the agenda is published its packs never take
in a new item: items added then wait in the meeting's open supplement, issued with its own packs
when democratic services publish it; a correction to the published agenda (an item's exemption,
the order, an item withdrawn) is a new edition of its packs with a note of what changed.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from boards import clock
from boards.models import STANDARD_ITEMS, AgendaItem, Board, BoardEvent, Meeting, MeetingEvent, Membership, Supplement
from boards.selectors import numbered_items
from boards.tasks import agenda_changed
from follow import services as follow
from reports.models import Report, ReportEvent
from reports.services import (
    TransitionRefused,
    report_defer,
    report_place_on_agenda,
    report_publish,
    report_take_off_agenda,
)

log = logging.getLogger(__name__)


class AgendaRefused(Exception):
    """The agenda change cannot be made; the message says why in plain words."""


def _require_clerk(user):
    if not (user.is_authenticated and user.sees_everything):
        raise AgendaRefused("Only democratic services can change agendas.")


def _record(meeting, user, action, *, item=None, from_status="", note=""):
    """Write the meeting's event row for one change (in the caller's transaction)."""
    return MeetingEvent.objects.create(
        meeting=meeting,
        item=item,
        actor=user if user and user.is_authenticated else None,
        action=action,
        from_status=from_status or meeting.status,
        to_status=meeting.status,
        note=note,
    )


def _lock_meeting(meeting):
    locked = Meeting.objects.select_for_update().select_related("board").get(pk=meeting.pk)
    if locked.status == Meeting.Status.CANCELLED:
        raise AgendaRefused("This meeting is cancelled, so its agenda cannot change.")
    if locked.status in {Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED}:
        raise AgendaRefused("This meeting has been held, so its agenda cannot change.")
    if locked.date < timezone.localdate():
        raise AgendaRefused("This meeting's date has passed, so its agenda cannot change.")
    return locked


def ensure_standard_items(meeting):
    """Give a meeting's agenda its standard items, once."""
    if meeting.items.filter(kind=AgendaItem.Kind.STANDARD).exists():
        return
    for position, (title, description) in enumerate(STANDARD_ITEMS, start=1):
        AgendaItem.objects.create(
            meeting=meeting, position=position, kind=AgendaItem.Kind.STANDARD, title=title, description=description
        )


def is_late_now(meeting):
    return timezone.localdate() > meeting.report_deadline


def key_decision_problem(report, meeting):
    """Why a key decision may not be taken at this meeting, or "" when it may."""
    if not report.is_key_decision:
        return ""
    if not report.in_forward_plan or not report.forward_plan_date:
        return "This key decision is not on the Forward Plan."
    if not report.forward_plan_accepted_on:
        return "This key decision waits for democratic services to accept it onto the Forward Plan."
    # Notice runs from the day the public could see it: not before the clerk accepted it.
    days = clock.forward_plan_clear_days(report.forward_plan_notice_date, meeting.date)
    if days < clock.FORWARD_PLAN_CLEAR_DAYS:
        return f"This key decision has been on the Forward Plan for only {days} clear days; 28 are needed."
    return ""


def _check_lateness(meeting, urgency_reason):
    """Whether an item added now is late; a late item must say why it is urgent."""
    late = is_late_now(meeting) or meeting.is_published
    if late and not urgency_reason.strip():
        raise AgendaRefused(f"{why_late(meeting)}: record the reason for urgency.")
    return late


def why_late(meeting):
    """Why an item added now is late, as the clerk is told ("" when it is not): what is true now."""
    if meeting.is_published:
        return "The agenda is published: anything added now goes in a supplement, as a late item"
    if is_late_now(meeting):
        return "The report deadline for this meeting has passed, so this is a late item"
    return ""


def _next_position(meeting):
    """The position after the agenda's last item (the standard items go first, once)."""
    ensure_standard_items(meeting)
    return (meeting.items.aggregate(Max("position"))["position__max"] or 0) + 1


def agenda_add_report(*, meeting, report, user, urgency_reason=""):
    """Place an approved report on the agenda, in Part 2 if it is exempt."""
    _require_clerk(user)
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status != Report.Status.APPROVED:
            raise AgendaRefused(f"“{report.title}” is not approved yet, so it cannot go on an agenda.")
        if report.board_id != locked.board_id:
            raise AgendaRefused(f"“{report.title}” is a report to the {report.board}, not the {locked.board}.")
        if AgendaItem.objects.filter(report=report).exists():
            raise AgendaRefused(f"“{report.title}” is already on an agenda.")
        if report.is_exempt and not report.exempt_paragraph_list:
            raise AgendaRefused(
                f"“{report.title}” is exempt but names no paragraph of Schedule 12A; "
                "its author must add one before it can go on an agenda."
            )
        late = _check_lateness(locked, urgency_reason)
        urgency_reason = urgency_reason.strip()
        item = AgendaItem.objects.create(
            meeting=locked,
            position=_next_position(locked),
            kind=AgendaItem.Kind.REPORT,
            title=report.subject,
            report=report,
            is_late=late,
            urgency_reason=urgency_reason,
            supplement=_open_supplement(locked),
            added_by=user,
        )
        report = report_place_on_agenda(
            report=report,
            meeting=locked,
            user=user,
            comment=f"{locked}" + (f" (late item: {urgency_reason})" if late else ""),
        )
        item.report = report
        _record(
            locked,
            user,
            "report_added",
            item=item,
            note=item.title + (f" (late item: {urgency_reason})" if late else ""),
        )
        agenda_changed(locked)
    return item


def _open_supplement(meeting):
    """Where an item added now goes: None before the agenda is published, else the meeting's open
    (unpublished) supplement, opened when first needed."""
    if not meeting.is_published:
        return None
    supplement = meeting.supplements.filter(published_at__isnull=True).first()
    if supplement is None:
        number = (meeting.supplements.aggregate(Max("number"))["number__max"] or 0) + 1
        supplement = Supplement.objects.create(meeting=meeting, number=number)
    return supplement


def agenda_add_item(*, meeting, user, title, description="", is_exempt=False, exempt_paragraph=None, urgency_reason=""):
    """Add an item that is not a report (a presentation, an update)."""
    _require_clerk(user)
    title = title.strip()
    if not title:
        raise AgendaRefused("Give the item a title.")
    if is_exempt and exempt_paragraph not in range(1, 8):
        raise AgendaRefused("An exempt item needs the paragraph of Schedule 12A that justifies excluding the public.")
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        if locked.items.filter(title=title).exists():  # a double submit, most likely
            raise AgendaRefused(f"“{title}” is already on this agenda.")
        late = _check_lateness(locked, urgency_reason)
        item = AgendaItem.objects.create(
            meeting=locked,
            position=_next_position(locked),
            kind=AgendaItem.Kind.OTHER,
            title=title,
            description=description,
            own_is_exempt=is_exempt,
            own_exempt_paragraph=exempt_paragraph if is_exempt else None,
            is_late=late,
            urgency_reason=urgency_reason.strip(),
            supplement=_open_supplement(locked),
            added_by=user,
        )
        _record(locked, user, "item_added", item=item, note=title + (" (late item)" if late else ""))
        agenda_changed(locked)
    return item


def agenda_remove_item(*, item, user):
    """Take an item off the agenda (standard items stay)."""
    _require_clerk(user)
    with transaction.atomic():
        locked = _lock_meeting(item.meeting)
        item = (
            AgendaItem.objects.select_for_update(of=("self",))
            .select_related("supplement")
            .get(pk=item.pk, meeting=locked)
        )
        if item.kind == AgendaItem.Kind.STANDARD:
            raise AgendaRefused("Standard items stay on every agenda.")
        waiting = item.supplement is not None and not item.supplement.is_published
        if locked.is_published and item.report_id and not waiting:
            raise AgendaRefused(
                "The agenda is published, so its reports stay on it; record a withdrawal at the meeting instead."
            )
        if item.report_id:
            report_take_off_agenda(report=item.report, meeting=locked, user=user)
        _record(locked, user, "item_removed", note=item.title)
        item.delete()
        if waiting and not item.supplement.items.exists():
            item.supplement.delete()  # nothing waits for it now
        agenda_changed(locked, "" if waiting else f"“{item.title}” was withdrawn from the agenda.")


def agenda_reorder(*, meeting, user, order):
    """Put the agenda's movable items in `order` (a list of item ids), keeping each in its part.

    The standard items stay first; exempt items stay in Part 2. Posting the same order twice
    gives the same agenda, so a double submit cannot lose an order.
    """
    _require_clerk(user)
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        movable = {item.pk: item for item in locked.items.select_for_update().exclude(kind=AgendaItem.Kind.STANDARD)}
        try:
            ids = [int(pk) for pk in order]
        except (TypeError, ValueError):
            raise AgendaRefused("The new order could not be read; reload the page and try again.") from None
        if sorted(ids) != sorted(movable):
            raise AgendaRefused("The agenda has changed since this page was loaded; reload it and try again.")
        first = len(STANDARD_ITEMS) + 1
        changed = False
        for position, pk in enumerate(ids, start=first):
            item = movable[pk]
            if item.position != position:
                item.position = position
                item.save(update_fields=["position"])
                changed = True
        if changed:
            _record(locked, user, "reordered")
            agenda_changed(locked, "The order of the items changed.")
        return changed


def publication_checks(meeting):
    """The checks "Publish agenda" runs: (passed, message) pairs, in the order shown.

    Each report item is checked against its report as it is now: an item and its report that
    disagree (an exempt report naming no paragraph, one not saying whether it is exempt, one
    now for another board or meeting) stop publication until the clerk or the author acts.
    """
    items = [item for _, item in numbered_items(meeting)]
    report_items = [item for item in items if item.report_id]
    today = timezone.localdate()
    checks = [
        (not meeting.is_published, "The agenda has not been published already."),
        (meeting.status == Meeting.Status.SCHEDULED, "The meeting is scheduled (not cancelled or held)."),
        (meeting.date >= today, "The meeting is not in the past."),
        (bool(report_items), "At least one report is on the agenda."),
        (
            all(item.report.status in {Report.Status.APPROVED, Report.Status.PUBLISHED} for item in report_items),
            "Every report on the agenda is approved.",
        ),
        (
            all(item.report.board_id == meeting.board_id for item in report_items)
            and all(item.report.meeting_id in {None, meeting.pk} for item in report_items),
            "Every report on the agenda is a report to this board for this meeting.",
        ),
        (
            all(item.report.is_exempt is not None for item in report_items),
            "Every report on the agenda says whether it is exempt.",
        ),
        (
            all(item.exempt_paragraphs for item in items if item.is_exempt),
            "Every Part 2 item names its paragraph of Schedule 12A.",
        ),
        (
            all(item.urgency_reason.strip() for item in items if item.is_late),
            "Every late item has its reason for urgency recorded.",
        ),
    ]
    return checks


def publication_warnings(meeting):
    """Things to know before publishing that do not stop it."""
    warnings = []
    today = timezone.localdate()
    if not clock.is_in_time(today, meeting.date):
        warnings.append(
            f"Published today, the agenda would give only {clock.clear_working_days_between(today, meeting.date)} "
            "clear working days' notice; five are required. Items may need the chair's agreement as urgent."
        )
    for _, item in numbered_items(meeting):
        if item.report_id and (problem := key_decision_problem(item.report, meeting)):
            warnings.append(f"{item.title}: {problem}")
    return warnings


def exemption_changes(meeting):
    """Report items whose exemption changed after they were placed on this agenda (or that were released
    for publication): (number, item, event) for the latest change of each, for the clerk's page. The
    item has moved part already."""
    numbered = {item.report_id: (number, item) for number, item in numbered_items(meeting) if item.report_id}
    if not numbered:
        return []
    placed = {}
    changed = {}
    events = ReportEvent.objects.filter(
        report_id__in=numbered, action__in=["placed_on_agenda", "exemption_changed", "released"]
    ).select_related("actor")
    for event in events.order_by("at", "pk"):
        if event.action == "placed_on_agenda":
            placed[event.report_id] = event
            changed.pop(event.report_id, None)  # placed again: earlier changes were before this placing
        else:
            changed[event.report_id] = event
    return [(*numbered[pk], event) for pk, event in changed.items() if pk in placed]


def agenda_publish(*, meeting, user):
    """Publish the agenda: record when, publish its reports, open the public edition, build the packs."""
    _require_clerk(user)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().select_related("board").get(pk=meeting.pk)
        failed = [message for passed, message in publication_checks(locked) if not passed]
        if failed:
            raise AgendaRefused("The agenda cannot be published yet. Not met: " + " ".join(failed))
        before = locked.status
        locked.agenda_published_at = timezone.now()
        locked.agenda_published_by = user
        locked.status = Meeting.Status.AGENDA_PUBLISHED
        locked.save(update_fields=["agenda_published_at", "agenda_published_by", "status"])
        _record(locked, user, "agenda_published", from_status=before)
        _publish_reports((item for _, item in numbered_items(locked)), user)
        agenda_changed(locked)
        follow.agenda_published(locked)  # its followers are emailed once this commits
    return locked


def _publish_reports(items, user):
    """Publish the approved reports of `items` (the agenda's, or a supplement's), as it is published."""
    for item in items:
        if item.report_id and item.report.status == Report.Status.APPROVED:
            try:
                report_publish(report=item.report, user=user)
            except TransitionRefused as exc:
                raise AgendaRefused(f"“{item.title}” could not be published: {exc}") from None


def checks_for_supplement(supplement):
    """The checks "Publish supplementary agenda" runs: (passed, message) pairs, as for the agenda."""
    items = list(supplement.items.select_related("report"))
    report_items = [item for item in items if item.report_id]
    return [
        (not supplement.is_published, "The supplementary agenda has not been published already."),
        (bool(items), "At least one item waits for it."),
        (
            all(item.report.status in {Report.Status.APPROVED, Report.Status.PUBLISHED} for item in report_items),
            "Every report in it is approved.",
        ),
        (
            all(item.report.is_exempt is not None for item in report_items),
            "Every report in it says whether it is exempt.",
        ),
        (all(item.exempt_paragraphs for item in items if item.is_exempt), "Every Part 2 item names its paragraph."),
        (all(item.urgency_reason.strip() for item in items), "Every item has its reason for urgency recorded."),
    ]


def supplement_publish(*, meeting, user):
    """Publish the meeting's open supplement: its items join the public agenda, its reports are
    published and its own packs are built. The agenda's packs do not change."""
    _require_clerk(user)
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        supplement = locked.supplements.select_for_update().filter(published_at__isnull=True).first()
        if supplement is None:
            raise AgendaRefused("No items are waiting for a supplementary agenda.")
        failed = [message for passed, message in checks_for_supplement(supplement) if not passed]
        if failed:
            raise AgendaRefused(f"{supplement.title} cannot be published yet. Not met: " + " ".join(failed))
        supplement.published_at = timezone.now()
        supplement.published_by = user
        supplement.save(update_fields=["published_at", "published_by"])
        _record(locked, user, "supplement_published", note=supplement.title)
        _publish_reports(supplement.items.select_related("report"), user)
        agenda_changed(locked)
        follow.supplement_published(locked, supplement)
    return supplement


def meeting_schedule(*, board, starts_at, venue, user, special_for=""):
    """Put a meeting of `board` in the diary; its date must not have passed. `special_for` names the
    business a special meeting is convened for (it is then marked special).

    A bank holiday is not refused here: the programme page shows it and leaves it unticked, and a
    clerk who ticks it (or types it on /meetings/new/) has chosen it."""
    _require_clerk(user)
    if timezone.localtime(starts_at).date() < timezone.localdate():
        raise AgendaRefused("The meeting's date has passed; choose today or a later date.")
    with transaction.atomic():
        Board.objects.select_for_update().get(pk=board.pk)  # two submits at once: one meeting
        _refuse_same_time(board, starts_at)
        meeting = Meeting.objects.create(
            board=board, starts_at=starts_at, venue=venue or board.default_venue, is_special=bool(special_for)
        )
        ensure_standard_items(meeting)
        note = f"Special meeting: {special_for}" if special_for else str(meeting)
        _record(meeting, user, "scheduled", note=note)
    return meeting


def _refuse_same_time(board, starts_at, moving=None):
    """Refuse a second meeting of `board` at `starts_at` (a cancelled one, or the one `moving`, aside).
    The caller holds the board's lock."""
    same_time = board.meetings.filter(starts_at=starts_at).exclude(status=Meeting.Status.CANCELLED)
    if moving is not None:
        same_time = same_time.exclude(pk=moving.pk)
    if same_time.exists():
        raise AgendaRefused(f"The {board} already meets at that time.")


def meeting_schedule_programme(*, board, starts, venue, user):
    """Schedule a programme of meetings of `board` (one at each of `starts`), all or none, each as
    `meeting_schedule` schedules one."""
    _require_clerk(user)
    if not starts:
        raise AgendaRefused("Tick at least one date: no meeting was created.")
    meetings = []
    with transaction.atomic():
        for starts_at in sorted(starts):
            try:
                meetings.append(meeting_schedule(board=board, starts_at=starts_at, venue=venue, user=user))
            except AgendaRefused as exc:
                day = timezone.localtime(starts_at).date()
                raise AgendaRefused(f"{clock.in_words(day)}: {exc} No meeting was created.") from None
    return meetings


def _where_and_when(meeting):
    """ "Wednesday 14 September 2022, 2.00 pm, Town Hall": a meeting's date, time and venue in words."""
    return f"{meeting.date_display}, {meeting.time_display}, {meeting.venue or 'venue to be confirmed'}"


def meeting_move(*, meeting, starts_at, venue, user, bank_holiday_ok=False):
    """Move a meeting not yet held to another date, time or venue. A published agenda's packs are
    built again as a new edition saying so, and the board's members are emailed once this commits."""
    _require_clerk(user)
    day = timezone.localtime(starts_at).date()
    if day < timezone.localdate():
        raise AgendaRefused("That date has passed; choose today or a later date.")
    holiday = clock.bank_holiday(day)
    if holiday and not bank_holiday_ok:
        raise AgendaRefused(
            f"{clock.in_words(day)} is a bank holiday ({holiday}): "
            "tick “Meet on the bank holiday” to move the meeting there all the same."
        )
    with transaction.atomic():
        Board.objects.select_for_update().get(pk=meeting.board_id)  # the same lock as meeting_schedule's
        locked = Meeting.objects.select_for_update().select_related("board").get(pk=meeting.pk)
        if locked.status not in {Meeting.Status.SCHEDULED, Meeting.Status.AGENDA_PUBLISHED}:
            raise AgendaRefused(f"{_where_it_stands(locked)}, so it cannot be moved.")
        if locked.date < timezone.localdate():
            raise AgendaRefused("This meeting's date has passed: record it as held, or cancel it, instead.")
        venue = (venue or "").strip() or locked.board.default_venue
        if locked.starts_at == starts_at and locked.venue == venue:
            raise AgendaRefused("The date, time and venue are as they were: nothing to change.")
        _refuse_same_time(locked.board, starts_at, moving=locked)
        before = _where_and_when(locked)
        locked.starts_at, locked.venue = starts_at, venue
        locked.save(update_fields=["starts_at", "venue"])
        after = _where_and_when(locked)
        _record(locked, user, "moved", note=f"From {before} to {after}.")
        if locked.is_published:
            # The packs print the date, time and venue: their new edition says what changed.
            agenda_changed(locked, f"The meeting was moved: it is now on {after}.")
            transaction.on_commit(lambda: _tell_members_of_move(locked.pk, before))
    return locked


def _tell_members_of_move(meeting_id, before):
    """Email each member of the board (on the new date) that the meeting moved; a mail server that is
    down is logged, never raised into the move, which has committed."""
    meeting = Meeting.objects.select_related("board").get(pk=meeting_id)
    seats = meeting.board.memberships.current(meeting.date).filter(user__is_active=True).select_related("user")
    addresses = sorted({seat.user.email for seat in seats if seat.user.email})
    body = render_to_string(
        "emails/meeting_moved.txt",
        {
            "meeting": meeting,
            "before": before,
            "url": settings.SITE_URL + meeting.get_absolute_url(),
            "council_name": settings.COUNCIL_NAME,
        },
    )
    subject = f"Meeting moved: {meeting.board}, now {meeting.date_display}, {meeting.time_display}"
    # One email each: members do not see each other's addresses.
    outgoing = [EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in addresses]
    if not outgoing:
        return
    try:
        get_connection(timeout=settings.EMAIL_TIMEOUT or 10).send_messages(outgoing)
    except OSError:
        log.exception("Could not tell the members of %s that it moved", meeting)


def _where_it_stands(meeting):
    """The meeting's status as a sentence, for a refusal."""
    return {
        Meeting.Status.HELD: "This meeting is already recorded as held",
        Meeting.Status.MINUTES_APPROVED: "The minutes of this meeting are already recorded as approved",
        Meeting.Status.CANCELLED: "This meeting is cancelled",
    }.get(meeting.status, f"This meeting is {meeting.get_status_display().lower()}")


def meeting_cancel(*, meeting, user):
    """Cancel a meeting that has not been held; a published agenda stays visible, marked cancelled."""
    _require_clerk(user)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status in {Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED, Meeting.Status.CANCELLED}:
            raise AgendaRefused(f"{_where_it_stands(locked)}, so it cannot be cancelled.")
        before = locked.status
        locked.status = Meeting.Status.CANCELLED
        locked.save(update_fields=["status"])
        _record(locked, user, "cancelled", from_status=before)
        for item in locked.items.filter(report__isnull=False):
            _defer_report(item, user, locked)
    return locked


def _defer_report(item, user, meeting):
    """Take a cancelled meeting's report off its agenda: approved again, waiting for another meeting.

    The item stays on the cancelled agenda, saying so. A report its agenda had published goes back
    to approved (its meeting will not take it, and it is published again with its next agenda).
    """
    report = item.report
    # The item stays on the cancelled agenda without its report, so it keeps the report's
    # exemption as it stands now as its own (whichever paragraph is named first).
    item.own_is_exempt = item.is_exempt
    item.own_exempt_paragraph = (item.exempt_paragraphs or [None])[0]
    item.report = None
    item.description = "Deferred: the meeting was cancelled; the report will go to a later meeting."
    item.save(update_fields=["report", "description", "own_is_exempt", "own_exempt_paragraph"])
    report_defer(report=report, user=user, comment=f"{meeting} was cancelled")


def meeting_mark_held(*, meeting, user):
    """Record that a meeting took place (from its date onwards)."""
    _require_clerk(user)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status not in {Meeting.Status.SCHEDULED, Meeting.Status.AGENDA_PUBLISHED}:
            raise AgendaRefused(f"{_where_it_stands(locked)}.")
        if locked.date > timezone.localdate():
            raise AgendaRefused("A meeting can be marked as held from its date onwards.")
        before = locked.status
        locked.status = Meeting.Status.HELD
        locked.save(update_fields=["status"])
        _record(locked, user, "held", from_status=before)
    return locked


def meeting_approve_minutes(*, meeting, user):
    """Record that the board approved the minutes of a meeting it held: its decisions are then final."""
    _require_clerk(user)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status == Meeting.Status.MINUTES_APPROVED:
            raise AgendaRefused(f"{_where_it_stands(locked)}.")
        if locked.status != Meeting.Status.HELD:
            raise AgendaRefused("Minutes are approved once the meeting has been recorded as held.")
        locked.status = Meeting.Status.MINUTES_APPROVED
        locked.save(update_fields=["status"])
        _record(locked, user, "minutes_approved", from_status=Meeting.Status.HELD)
    return locked


def meeting_record_decisions(*, meeting, user, decisions):
    """Record what the board decided on each item of a meeting it has held; returns how many changed.

    `decisions` maps agenda item ids of this meeting to the decision's text; an empty text clears
    it. Decisions can be corrected until the minutes are approved.
    """
    _require_clerk(user)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status != Meeting.Status.HELD:
            raise AgendaRefused(
                "Decisions are recorded once the meeting has been recorded as held, and until its minutes are approved."
            )
        items = {item.pk: item for item in locked.items.all()}
        if set(decisions) - set(items):
            raise AgendaRefused("Those items are not on this meeting's agenda.")
        changed = []
        for pk, text in decisions.items():
            item, text = items[pk], text.strip()
            if item.decision != text:
                item.decision = text
                item.save(update_fields=["decision"])
                _record(locked, user, "decision_recorded", item=item, note=text or "Decision cleared.")
                changed.append(item)
    if changed:
        log.info("Decisions recorded: meeting %s, items %s, by %s", meeting.pk, [i.pk for i in changed], user)
    return len(changed)


# Boards and their members ------------------------------------------------------------------------------


class BoardRefused(Exception):
    """The change to a board or a seat may not be made; `field` is the form field the reason belongs beside."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


# What a board's settings page changes, with the names its history gives them, in the order it lists them.
BOARD_SETTINGS = {
    "name": "Name",
    "default_venue": "Usual venue",
    "default_time": "Usual time",
    "clerk": "Clerk",
    "contact_email": "Contact email",
    "contact_phone": "Contact telephone",
    "quorum": "Quorum",
    "report_deadline_days": "Report deadline (working days)",
    "is_executive": "Executive",
}


def _require_board_manager(user):
    if not (user.is_authenticated and user.sees_everything):
        raise BoardRefused("Only democratic services can change boards and their members.")


def _record_board(board, user, action, *, membership=None, note=""):
    """Write the board's event row for one change (in the caller's transaction)."""
    return BoardEvent.objects.create(
        board=board, membership=membership, actor=user if user.is_authenticated else None, action=action, note=note
    )


def _refuse_taken_name(name, board=None):
    others = Board.objects.filter(name__iexact=name)
    if board is not None:
        others = others.exclude(pk=board.pk)
    if others.exists():
        raise BoardRefused(f"There is already a board called “{name}”: choose another name.", field="name")


def _free_slug(name):
    """A slug for a new board's address, unused and not one of the boards pages' own words ("new")."""
    base = slugify(name)[:190] or "board"
    candidate, number = base, 1
    while candidate == "new" or Board.objects.filter(slug=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _shown(board, field):
    """A setting's value as the history prints it."""
    value = getattr(board, field)
    if field == "default_time":
        return f"{value:%H:%M}"
    if field == "is_executive":
        return "yes" if value else "no"
    return str(value) if value not in (None, "") else "none"


def board_create(*, user, name, scrutinises=(), **settings_):
    """Add a board (active, no members yet) with its settings."""
    _require_board_manager(user)
    name = name.strip()
    if not name:
        raise BoardRefused("Give the board a name.", field="name")
    with transaction.atomic():
        _refuse_taken_name(name)
        board = Board(name=name, slug=_free_slug(name), **settings_)
        board.full_clean()
        board.save()
        board.scrutinises.set(scrutinises)
        _record_board(board, user, "created", note=name)
    return board


def board_update(*, board, user, scrutinises=None, **changes):
    """Change a board's settings (any of BOARD_SETTINGS, and the boards it scrutinises); the history says what changed."""
    _require_board_manager(user)
    if set(changes) - set(BOARD_SETTINGS):
        raise BoardRefused("Those are not settings of a board.")
    if "name" in changes:
        changes["name"] = changes["name"].strip()
        if not changes["name"]:
            raise BoardRefused("Give the board a name.", field="name")
    with transaction.atomic():
        locked = Board.objects.select_for_update().get(pk=board.pk)
        if "name" in changes:
            _refuse_taken_name(changes["name"], locked)
        notes = []
        for field, value in changes.items():
            before = _shown(locked, field)
            setattr(locked, field, value)
            if _shown(locked, field) != before:
                notes.append(f"{BOARD_SETTINGS[field]}: {before} → {_shown(locked, field)}")
        if scrutinises is not None:
            scrutinises = [b for b in scrutinises if b.pk != locked.pk]
            before = sorted(b.name for b in locked.scrutinises.all())
            after = sorted(b.name for b in scrutinises)
            if before != after:
                locked.scrutinises.set(scrutinises)
                notes.append(f"Scrutinises: {', '.join(before) or 'none'} → {', '.join(after) or 'none'}")
        if notes:
            locked.full_clean(exclude=["slug", "scrutinises"])
            locked.save()
            _record_board(locked, user, "settings_changed", note="; ".join(notes))
    return locked, notes


def board_set_active(*, board, user, active):
    """Retire a board (it keeps its page, meetings and papers, and leaves the lists) or reinstate it."""
    _require_board_manager(user)
    with transaction.atomic():
        locked = Board.objects.select_for_update().get(pk=board.pk)
        if locked.is_active == active:
            raise BoardRefused(f"The {locked} is {'active' if active else 'retired'} already.")
        if not active and locked.meetings.upcoming().exclude(status=Meeting.Status.CANCELLED).exists():
            raise BoardRefused(f"The {locked} has meetings to come: move or cancel them before retiring it.")
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        _record_board(locked, user, "reinstated" if active else "retired")
    return locked


def _period_words(starts_on, ends_on):
    start = clock.in_words(starts_on) if starts_on else "the start"
    return f"from {start}" + (f" to {clock.in_words(ends_on)}" if ends_on else "")


def _refuse_clashing_seats(board, user, role, starts_on, ends_on, leaving=None):
    """Refuse a seat that overlaps the person's other seat on the board, or a second chair or vice-chair.
    The caller holds the board's lock; `leaving` is the seat this one replaces (not counted)."""
    others = board.memberships.overlapping(starts_on, ends_on).select_related("user")
    if leaving is not None:
        others = others.exclude(pk=leaving.pk)
    own = others.filter(user=user).first()
    if own is not None:
        raise BoardRefused(
            f"{user} already has a seat on the {board} ({own.get_role_display()}, "
            f"{_period_words(own.starts_on, own.ends_on)}): change or end that one instead.",
            field="user",
        )
    if role in {Membership.Role.CHAIR, Membership.Role.VICE_CHAIR}:
        holder = others.filter(role=role).first()
        if holder is not None:
            raise BoardRefused(
                f"{holder.user} is {holder.get_role_display()} {_period_words(holder.starts_on, holder.ends_on)}: "
                f"a board has one {holder.get_role_display().lower()} at a time. End that seat or change its role first.",
                field="role",
            )


def membership_add(*, board, user, member, role, starts_on, ends_on=None):
    """Give a councillor a seat on a board, in a role, from a date (to a date, or open)."""
    _require_board_manager(user)
    if ends_on is not None and ends_on < starts_on:
        raise BoardRefused("The last day is before the first: choose a later last day.", field="ends_on")
    with transaction.atomic():
        locked = Board.objects.select_for_update().get(pk=board.pk)
        _refuse_clashing_seats(locked, member, role, starts_on, ends_on)
        seat = Membership.objects.create(board=locked, user=member, role=role, starts_on=starts_on, ends_on=ends_on)
        _record_board(
            locked, user, "member_added", membership=seat,
            note=f"{member}, {seat.get_role_display()}, {_period_words(starts_on, ends_on)}",
        )  # fmt: skip
    return seat


def membership_change_role(*, membership, user, role, on):
    """Change a seat's role from a date: the seat ends the day before and a new one in the new role
    starts that day (so the record says who was chair when); a seat not yet begun by then just changes."""
    _require_board_manager(user)
    with transaction.atomic():
        Board.objects.select_for_update().get(pk=membership.board_id)
        seat = Membership.objects.select_related("board", "user").get(pk=membership.pk)
        if seat.role == role:
            raise BoardRefused(f"{seat.user} is {seat.get_role_display()} already.", field="role")
        if seat.ends_on is not None and on > seat.ends_on:
            raise BoardRefused(f"The seat ends on {clock.in_words(seat.ends_on)}: choose a day up to then.", field="on")
        before = seat.get_role_display()
        if seat.starts_on is None or on > seat.starts_on:
            _refuse_clashing_seats(seat.board, seat.user, role, on, seat.ends_on, leaving=seat)
            new = Membership.objects.create(
                board=seat.board, user=seat.user, role=role, starts_on=on, ends_on=seat.ends_on
            )
            seat.ends_on = on - dt.timedelta(days=1)
            seat.save(update_fields=["ends_on"])
        else:
            if on < seat.starts_on:
                raise BoardRefused(
                    f"The seat starts on {clock.in_words(seat.starts_on)}: choose that day or later.", field="on"
                )
            _refuse_clashing_seats(seat.board, seat.user, role, seat.starts_on, seat.ends_on, leaving=seat)
            seat.role = role
            seat.save(update_fields=["role"])
            new = seat
        _record_board(
            seat.board, user, "role_changed", membership=new,
            note=f"{seat.user}: {before} → {new.get_role_display()} from {clock.in_words(on)}",
        )  # fmt: skip
    return new


def membership_end(*, membership, user, on):
    """End a seat on a date (its last day). Never deleted: attendance and declarations refer to it."""
    _require_board_manager(user)
    with transaction.atomic():
        Board.objects.select_for_update().get(pk=membership.board_id)
        seat = Membership.objects.select_related("board", "user").get(pk=membership.pk)
        if seat.starts_on is not None and on < seat.starts_on:
            raise BoardRefused(
                f"The seat starts on {clock.in_words(seat.starts_on)}: its last day cannot be before that.",
                field="ends_on",
            )
        if seat.ends_on is not None and seat.ends_on <= on:
            raise BoardRefused(f"The seat ends on {clock.in_words(seat.ends_on)} already.", field="ends_on")
        seat.ends_on = on
        seat.save(update_fields=["ends_on"])
        _record_board(
            seat.board, user, "membership_ended", membership=seat,
            note=f"{seat.user} ({seat.get_role_display()}): last day {clock.in_words(on)}",
        )  # fmt: skip
    return seat
