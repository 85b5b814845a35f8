"""What an event may tell a follower, read when the email is written: only what the public pages show.

For a meeting's agenda or minutes: the board, the Part 1 items by their titles, the public reports'
subjects, summaries and wards (public.queries.public_reports, the public site's one gate), and Part 2
only as a count, as the agenda feed prints it. Exemption is read now, never from a copy (DESIGN 6).
"""

import re
from dataclasses import dataclass, field

from boards.models import AgendaItem
from boards.selectors import agenda_parts, numbered_items
from follow.models import Event, Subscription
from public.queries import public_reports


@dataclass
class Content:
    """What an email about one event prints, and what subscriptions are matched against."""

    lines: list = field(default_factory=list)
    words: str = ""
    ward_ids: set = field(default_factory=set)
    all_wards: bool = False


def _meeting_content(event):
    numbered = numbered_items(event.meeting)
    if event.kind == Event.Kind.SUPPLEMENT:
        numbered = [(n, item) for n, item in numbered if item.supplement_id == event.supplement_id]
    part1, part2 = agenda_parts(numbered)
    shown = [(n, item) for n, item in part1 if item.kind != AgendaItem.Kind.STANDARD]
    reports = public_reports().filter(agenda_item__in=[item for _, item in shown]).prefetch_related("wards")
    content = Content()
    if event.kind in {Event.Kind.AGENDA, Event.Kind.SUPPLEMENT}:
        content.lines = [f"{n}. {item.title}" for n, item in shown]
        if part2:
            content.lines.append(f"Part 2: {len(part2)} item{'s' if len(part2) != 1 else ''} not for publication.")
    words = [event.meeting.board.name] + [f"{item.title} {item.description}" for _, item in shown]
    for report in reports:
        words += [report.subject, report.summary]
        content.ward_ids |= {ward.pk for ward in report.wards.all()}
        content.all_wards |= report.all_wards
    content.words = "\n".join(words)
    return content


def event_content(event):
    """The event's `Content`: read from its meeting now, or what the app that recorded it passed."""
    if event.meeting_id and event.kind != Event.Kind.DECISION:
        return _meeting_content(event)
    return Content(
        words=event.words,
        ward_ids={ward.pk for ward in event.wards.all()},
        all_wards=event.all_wards,
    )


def keyword_pattern(keyword):
    """A keyword as a whole word or phrase, in any case, any run of spaces between its words."""
    words = [re.escape(word) for word in keyword.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def matches(subscription, event, content):
    """Whether `subscription` follows what `event` is about."""
    if subscription.kind == Subscription.Kind.BOARD:
        return subscription.board_id is not None and subscription.board_id == event.board_id
    if subscription.kind == Subscription.Kind.WARD:
        return subscription.ward_id is not None and (content.all_wards or subscription.ward_id in content.ward_ids)
    return bool(subscription.keyword.strip()) and bool(keyword_pattern(subscription.keyword).search(content.words))
