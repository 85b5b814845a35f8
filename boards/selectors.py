"""Reads of boards, meetings and agendas that several apps need: the agenda's numbering and parts,
the meetings a report may be written for, the reports waiting for an agenda.

These only read. Services, packs, tasks, views, the public site and reports/ all come here for them,
so none of them imports another's module for a read. This is the one module of boards/ that reports/
imports at module level (tests/test_architecture.py).
"""

from django.utils import timezone

from boards.models import AgendaItem, AgendaPack, Board, Meeting
from reports.models import Report


def number_items(items):
    """Agenda items of one meeting in order, numbered: the published agenda's Part 1 then Part 2, each
    by position, then each supplement's items the same way, so a late item never renumbers a pack."""
    ordered = sorted(items, key=lambda item: (item.supplement_id or 0, item.part, item.position, item.pk))
    return list(enumerate(ordered, start=1))


def numbered_items(meeting, *, waiting=False):
    """The agenda in order, each item with its number: Part 1 first, then Part 2; then each supplement's.

    The parts come from each report's exemption as it is now, read here, never from a copy.
    Items waiting for a supplement to be published are left out unless `waiting` (the clerk's page).
    """
    items = meeting.items.select_related("report", "report__report_of", "supplement")
    if not waiting:
        items = items.issued()
    return number_items(items)


# What numbering and the lists of agendas read of an item: its place, title and part (its report's exemption).
LISTED = ("id", "meeting_id", "title", "report_id", "own_is_exempt", "position", "supplement_id", "report__is_exempt")


def numbered_agendas(meetings, *, waiting=False):
    """`numbered_items` for many meetings in one query: {meeting id: [(number, item), ...]}.

    For pages that list meetings with their agendas (the feeds, the API): one query, not one per meeting.
    Every meeting asked for has an entry, empty when it has no items. Each item is read for what numbering
    and the lists print (LISTED), its report for its exemption alone: a calendar of a thousand meetings
    spent two thirds of its 0.9 s at 10,000 reports building their twelve thousand items, reports and
    supplements whole, reports' texts and all (issue 21).
    """
    meetings = {meeting.pk: meeting for meeting in meetings}
    if not meetings:
        return {}
    items = AgendaItem.objects.filter(meeting_id__in=meetings).select_related("report").only(*LISTED)
    if not waiting:
        items = items.issued()
    by_meeting = {pk: [] for pk in meetings}
    for item in items:
        item.meeting = meetings[item.meeting_id]  # as `meeting.items` would give it, without a query
        by_meeting[item.meeting_id].append(item)
    return {pk: number_items(found) for pk, found in by_meeting.items()}


def agenda_parts(numbered):
    """Numbered items split into (Part 1, Part 2), keeping their numbers."""
    return (
        [(n, item) for n, item in numbered if not item.is_exempt],
        [(n, item) for n, item in numbered if item.is_exempt],
    )


def mark_withheld(packs):
    """Set `withheld` on each pack: true for an edition other than the members' that holds the text of a
    report exempt now (`AgendaPack.holds_exempt_text`, for many packs in one query). Returns the packs."""
    packs = list(packs)
    public = [pack for pack in packs if pack.edition != AgendaPack.Edition.MEMBERS]
    held = {pk for pack in public for pk in pack.reports_in_full}
    exempt_now = set()
    if held:
        exempt_now = set(Report.objects.filter(pk__in=held).exclude(is_exempt=False).values_list("pk", flat=True))
    for pack in packs:
        pack.withheld = pack.edition != AgendaPack.Edition.MEMBERS and bool(exempt_now & set(pack.reports_in_full))
    return packs


def item_numbers(meeting):
    """Each item's number on the meeting's agenda, by item id."""
    return {item.pk: number for number, item in numbered_items(meeting)}


def active_boards():
    """Boards that reports may be written to."""
    return Board.objects.filter(is_active=True)


def all_boards():
    """Every board, active or not."""
    return Board.objects.all()


def meetings_for_reports():
    """Meetings a report may name as its meeting: any not cancelled, soonest first."""
    return Meeting.objects.exclude(status=Meeting.Status.CANCELLED).select_related("board").order_by("starts_at")


def _coming(weeks):
    """The next `weeks` weeks' meetings, not cancelled, soonest first."""
    soon = timezone.now() + timezone.timedelta(weeks=weeks)
    return (
        Meeting.objects.upcoming()
        .filter(starts_at__lte=soon)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("board")
    )


def coming_meetings(weeks=8, limit=10):
    """The next `weeks` weeks' meetings (not cancelled), soonest first, for their deadlines."""
    return list(_coming(weeks)[:limit])


def meetings_clerked_by(user, weeks=8, limit=10):
    """Democratic services' coming meetings: those of the boards `user` clerks (every board's, when
    they clerk none) in the next `weeks` weeks, not cancelled, soonest first."""
    meetings = _coming(weeks)
    if Board.objects.filter(clerk=user).exists():
        meetings = meetings.filter(board__clerk=user)
    return list(meetings[:limit])


def reports_not_on_an_agenda():
    """Approved reports not yet on any agenda, for democratic services to place."""
    placed = AgendaItem.objects.filter(report__isnull=False).values("report_id")
    return (
        Report.objects.filter(status=Report.Status.APPROVED)
        .exclude(pk__in=placed)
        .select_related("board", "meeting", "meeting__board")
        .order_by("meeting__starts_at", "pk")
    )


def agenda_item_of(report):
    """The agenda item a report is on, with its meeting and board, or None."""
    return AgendaItem.objects.filter(report=report).select_related("meeting__board").first()


def programme_rows(board, starts):
    """For each start time of a programme of `board`'s meetings: the date, its bank holiday ("" on
    a working day) and its clashes, (meeting, why) for each meeting of the board that day and each
    meeting of any board at that very time (cancelled ones left out). One query for them all."""
    from boards.clock import bank_holiday

    days = {timezone.localtime(starts_at).date() for starts_at in starts}
    others = (
        Meeting.objects.filter(starts_at__date__in=days)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("board")
        .order_by("starts_at", "pk")
    )
    by_day = {}
    for meeting in others:
        by_day.setdefault(meeting.date, []).append(meeting)
    rows = []
    for starts_at in starts:
        day = timezone.localtime(starts_at).date()
        clashes = []
        for meeting in by_day.get(day, []):
            if meeting.board_id == board.pk:
                clashes.append((meeting, f"The {board} already meets that day, at {meeting.time_display}"))
            elif meeting.starts_at == starts_at:
                clashes.append((meeting, f"The {meeting.board} meets at the same time"))
        rows.append({"starts_at": starts_at, "day": day, "holiday": bank_holiday(day), "clashes": clashes})
    return rows
