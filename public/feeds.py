"""Feeds: RSS and Atom of published agendas (Django's syndication framework), and iCalendar of meetings.

iCalendar is written here (RFC 5545): a few properties, CRLF line ends, lines folded at 75
octets, text escaped. Times are in UTC, so no VTIMEZONE is needed.
"""

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_safe

from boards.models import Board, Meeting
from boards.public_cache import cached_public_page
from boards.selectors import agenda_parts, numbered_agendas
from decisions.models import Notice
from minutes.models import Minutes
from public import queries

# How long a meeting is shown in calendars: the council does not record an end time.
MEETING_LENGTH = dt.timedelta(hours=2)


def site_host():
    """The site's own host name, from SITE_URL: calendar UIDs must not depend on the host a request named."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def site_url(path):
    """An absolute URL on the configured site, for ids that must stay the same whoever asks."""
    return f"{settings.SITE_URL}{path}"


class CouncilFeed(Feed):
    """What the council's feeds share: all boards, or one board's (`slug`); the council as author.

    A subclass names what it lists (`listing`, in the feed's title) and how to find its entries.
    """

    listing = ""

    def get_object(self, request, slug=None):
        if slug is None:
            return None
        return get_object_or_404(Board, slug=slug, is_active=True)

    def title(self, board):
        where = board.name if board else "all boards and committees"
        return f"{settings.COUNCIL_NAME}: {self.listing}, {where}"

    def link(self, board):
        return reverse("public:calendar") + (f"?board={board.slug}" if board else "")

    def author_name(self):
        return settings.COUNCIL_NAME

    def author_link(self):
        return site_url(reverse("public:home"))

    def item_author_name(self, item):
        return settings.COUNCIL_NAME  # RSS has no feed author without an email address: each item says it

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        """An IRI of the site's own (not the request's) host: a reader keys its entries on it."""
        return site_url(item.get_absolute_url())

    item_guid_is_permalink = True


class AgendaFeed(CouncilFeed):
    """The latest published agendas, newest first; optionally of one board.

    A meeting cancelled after its agenda was published stays, saying so, so that a reader learns of
    it. An entry's date (RSS pubDate, Atom updated) is the last change to what it prints: the
    meeting's details or agenda, a supplement, a cancellation.
    """

    description_template = "public/feeds/agenda_description.html"
    listing = "published agendas"

    def description(self, board):
        return "Agendas as they are published, with links to the meeting page, the reports and the agenda pack."

    def items(self, board):
        meetings = (
            Meeting.objects.filter(agenda_published_at__isnull=False)  # cancelled ones too, saying so
            .select_related("board")
            .annotate(last_supplement=Max("supplements__published_at"))
        )
        if board:
            meetings = meetings.filter(board=board)
        meetings = list(meetings.order_by("-agenda_published_at", "-pk")[:50])
        # Each agenda and which of its reports are public, read for all the meetings at once and
        # kept on each meeting (this Feed instance serves every request, so it holds no state).
        agendas = numbered_agendas([m for m in meetings if m.status != Meeting.Status.CANCELLED])
        public_pks = set(
            queries.public_reports().filter(agenda_item__meeting__in=meetings).values_list("pk", flat=True)
        )
        for meeting in meetings:
            meeting.numbered_agenda = agendas.get(meeting.pk, [])
            meeting.public_report_pks = public_pks
        return meetings

    def item_title(self, meeting):
        if meeting.status == Meeting.Status.CANCELLED:
            return f"Cancelled: {meeting.board}, {meeting.date_display}"
        return f"Agenda: {meeting.board}, {meeting.date_display}"

    def item_updateddate(self, meeting):
        """The last change to what the entry prints (see the class's note)."""
        return max(filter(None, [meeting.agenda_published_at, meeting.calendar_changed_at, meeting.last_supplement]))

    def item_pubdate(self, meeting):
        return self.item_updateddate(meeting)  # RSS has one date: a reader sees a changed entry by it

    def get_context_data(self, item, **kwargs):
        context = super().get_context_data(item=item, **kwargs)
        if item.status == Meeting.Status.CANCELLED:
            context.update({"meeting": item, "cancelled": True})
            return context
        part1, part2 = agenda_parts(item.numbered_agenda)
        public_pks = item.public_report_pks
        context.update(
            {
                "meeting": item,
                "part1": [(n, i, i.report_id in public_pks) for n, i in part1],
                "part2_count": len(part2),
            }
        )
        return context


class AtomAgendaFeed(AgendaFeed):
    feed_type = Atom1Feed

    def subtitle(self, board):
        return self.description(board)

    def item_pubdate(self, meeting):
        return meeting.agenda_published_at  # Atom's <published>; <updated> moves with each change


class MinutesFeed(CouncilFeed):
    """Minutes as they are published, newest first; optionally of one board.

    Draft minutes ("Draft, subject to approval") and approved ones alike; an entry's date (RSS
    pubDate, Atom updated) is the last change to the minutes, so their approval is news too. Only
    the public minutes are read: a Part 2 minute is never in them.
    """

    description_template = "public/feeds/minutes_description.html"
    listing = "minutes"

    def description(self, board):
        return "Minutes of meetings as they are published as a draft, and again when they are approved."

    def items(self, board):
        minutes = Minutes.objects.public().select_related("meeting__board")
        if board:
            minutes = minutes.filter(meeting__board=board)
        return minutes.order_by("-updated_at", "-pk")[:50]

    def item_title(self, minutes):
        return f"Minutes ({minutes.stamp}): {minutes.meeting.board}, {minutes.meeting.date_display}"

    def item_updateddate(self, minutes):
        return minutes.updated_at

    def item_pubdate(self, minutes):
        return minutes.updated_at

    def get_context_data(self, item, **kwargs):
        context = super().get_context_data(item=item, **kwargs)
        context.update({"minutes": item, "meeting": item.meeting})
        return context


class AtomMinutesFeed(MinutesFeed):
    feed_type = Atom1Feed

    def subtitle(self, board):
        return self.description(board)

    def item_pubdate(self, minutes):
        return minutes.published_at


class DecisionsFeed(CouncilFeed):
    """The executive's decision notices, newest change first; optionally of one board.

    An entry's date is the notice's last change: its publication, a correction, its call-in, the
    outcome. A decision taken in private is an entry by its agenda title and where it stands only.
    """

    description_template = "public/feeds/decision_description.html"
    listing = "decisions"

    def description(self, board):
        return "Decision notices of the council's executive: each decision, when it takes effect, and any call-in."

    def link(self, board):
        return reverse("decisions:register") + (f"?board={board.slug}" if board else "")

    def items(self, board):
        notices = Notice.objects.select_related("item__meeting__board")
        if board:
            notices = notices.filter(item__meeting__board=board)
        return notices.order_by("-updated_at", "-pk")[:50]

    def item_title(self, notice):
        return f"{notice.title}: {notice.state_display}"

    def item_updateddate(self, notice):
        return notice.updated_at

    def item_pubdate(self, notice):
        return notice.updated_at

    def get_context_data(self, item, **kwargs):
        context = super().get_context_data(item=item, **kwargs)
        context.update({"notice": item})
        return context


class AtomDecisionsFeed(DecisionsFeed):
    feed_type = Atom1Feed

    def subtitle(self, board):
        return self.description(board)

    def item_pubdate(self, notice):
        return notice.published_at


# iCalendar ---------------------------------------------------------------------------------------


def ical_escape(text):
    """TEXT value escaping (RFC 5545, 3.3.11)."""
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def ical_fold(line):
    """Fold a content line into lines of at most 75 octets, never splitting a UTF-8 character.

    An ASCII line (most of them) is cut by slicing: a calendar of a thousand meetings, their agendas in
    their descriptions, spent most of its 0.9 s in the character-by-character loop below."""
    if line.isascii():
        if len(line) <= 75:
            return line
        # A continuation line starts with one space, counted in its 75.
        return "\r\n ".join([line[:75], *(line[start : start + 74] for start in range(75, len(line), 74))])
    out = []
    current = ""
    size = 0
    for char in line:
        width = len(char.encode())
        if size + width > 75:
            out.append(current)
            current, size = " ", 1  # a continuation line starts with one space, counted in its 75
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _utc(value):
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _shows_agenda(meeting):
    return meeting.is_published and meeting.status != Meeting.Status.CANCELLED


def _event(request, meeting, numbered):
    """One meeting as a VEVENT; `numbered` is its agenda, numbered (read for all the meetings at once)."""
    url = request.build_absolute_uri(meeting.get_absolute_url())
    lines = [f"{meeting.board}, {meeting.date_display} at {meeting.time_display}."]
    if _shows_agenda(meeting):
        part1, part2 = agenda_parts(numbered)
        lines.append("Agenda:")
        lines += [f"{number}. {item.title}" for number, item in part1]
        exempt = len(part2)
        if exempt:
            lines.append(f"Part 2: {exempt} item{'s' if exempt != 1 else ''} not for publication.")
    elif meeting.status != Meeting.Status.CANCELLED:
        lines.append("The agenda is published at least five clear working days before the meeting.")
    lines.append(f"Agenda and papers: {url}")
    changed = _utc(max(filter(None, [meeting.calendar_changed_at, meeting.agenda_published_at])))
    properties = [
        ("UID", f"meeting-{meeting.pk}@{site_host()}"),
        # When this version of the event was made: the same on every fetch until it changes again.
        ("DTSTAMP", changed),
        ("LAST-MODIFIED", changed),
        ("DTSTART", _utc(meeting.starts_at)),
        ("DTEND", _utc(meeting.starts_at + MEETING_LENGTH)),
        ("SUMMARY", ical_escape(f"{meeting.board}{' (cancelled)' if meeting.status == 'cancelled' else ''}")),
        ("LOCATION", ical_escape(meeting.venue or meeting.board.default_venue)),
        ("DESCRIPTION", ical_escape("\n".join(lines))),
        ("URL", url),
        ("STATUS", "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED"),
        ("SEQUENCE", str(meeting.ical_sequence)),
    ]
    return ["BEGIN:VEVENT", *(f"{name}:{value}" for name, value in properties if value), "END:VEVENT"]


def calendar_response(request, meetings, name):
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{ical_escape(settings.COUNCIL_NAME)}//Committee reports//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ical_escape(name)}",
    ]
    meetings = list(meetings)
    agendas = numbered_agendas([meeting for meeting in meetings if _shows_agenda(meeting)])
    for meeting in meetings:
        lines += _event(request, meeting, agendas.get(meeting.pk, []))
    lines.append("END:VCALENDAR")
    body = "".join(ical_fold(line) + "\r\n" for line in lines)
    response = HttpResponse(body.encode(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    response["Cache-Control"] = "public, max-age=300"
    return response


# Calendars carry at most this many meetings, the latest first in the query (clients sort by date).
CALENDAR_LIMIT = 1000


@require_safe
@cached_public_page()
def meetings_ical(request):
    meetings = Meeting.objects.select_related("board").order_by("-starts_at")[:CALENDAR_LIMIT]
    return calendar_response(request, meetings, f"{settings.COUNCIL_NAME}: meetings")


@require_safe
@cached_public_page()
def board_meetings_ical(request, slug):
    board = get_object_or_404(Board, slug=slug, is_active=True)
    meetings = board.meetings.select_related("board").order_by("-starts_at")[:CALENDAR_LIMIT]
    return calendar_response(request, meetings, f"{settings.COUNCIL_NAME}: {board.name}")
