"""Reads about minutes that several apps need: which meeting's minutes an agenda takes, and which
meeting approves them.

The minutes go under the standard item "Minutes of the Previous Meeting" of the board's next meeting
(not cancelled) after the one they record; that next meeting is also where they are approved. Both
are worked out from the meetings as they stand, never stored, so a meeting scheduled after the
minutes were published still takes them.
"""

from boards.models import STANDARD_ITEMS, AgendaItem, Meeting
from minutes.models import Minutes

MINUTES_ITEM_TITLE = STANDARD_ITEMS[2][0]  # "Minutes of the Previous Meeting"


def next_meeting(meeting):
    """The board's next meeting (not cancelled) after `meeting`, or None."""
    return (
        Meeting.objects.filter(board_id=meeting.board_id, starts_at__gt=meeting.starts_at)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("starts_at", "pk")
        .first()
    )


def previous_meeting(meeting):
    """The board's meeting (not cancelled) before `meeting`, or None."""
    return (
        Meeting.objects.filter(board_id=meeting.board_id, starts_at__lt=meeting.starts_at)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("-starts_at", "-pk")
        .first()
    )


def is_minutes_item(item):
    return item.kind == AgendaItem.Kind.STANDARD and item.title == MINUTES_ITEM_TITLE


def minutes_item(meeting):
    """The meeting's "Minutes of the Previous Meeting" item, or None."""
    return meeting.items.filter(kind=AgendaItem.Kind.STANDARD, title=MINUTES_ITEM_TITLE).first()


def minutes_for_agenda(meeting):
    """The published minutes `meeting`'s agenda takes under "Minutes of the Previous Meeting", or None."""
    previous = previous_meeting(meeting)
    if previous is None:
        return None
    return Minutes.objects.public().filter(meeting=previous).first()


def public_minutes(meeting_pk):
    """The minutes of meeting `meeting_pk` the public may read (published or approved), or None."""
    return (
        Minutes.objects.public()
        .filter(meeting_id=meeting_pk)
        .select_related("meeting__board", "approved_at_meeting")
        .first()
    )
