"""Reads of boards, meetings and agendas that several apps need: the agenda's numbering and parts,
the meetings a report may be written for, the reports waiting for an agenda.

These only read. Services, packs, tasks, views, the public site and reports/ all come here for them,
so none of them imports another's module for a read. This is the one module of boards/ that reports/
imports at module level (tests/test_architecture.py).
"""

from django.utils import timezone

from boards.models import AgendaItem, Board, Meeting
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


def agenda_parts(numbered):
    """Numbered items split into (Part 1, Part 2), keeping their numbers."""
    return (
        [(n, item) for n, item in numbered if not item.is_exempt],
        [(n, item) for n, item in numbered if item.is_exempt],
    )


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


def coming_meetings(weeks=8, limit=10):
    """The next `weeks` weeks' meetings (not cancelled), soonest first, for their deadlines."""
    soon = timezone.now() + timezone.timedelta(weeks=weeks)
    meetings = (
        Meeting.objects.upcoming()
        .filter(starts_at__lte=soon)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("board")
    )
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
