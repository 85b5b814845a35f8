"""Reads of the members' reader: which meetings a person may read, their papers in reading order,
the blocks a note can be anchored to, the pack's page numbers, and search within a meeting."""

import io
import logging
import re
from functools import cached_property

import pikepdf
from django.core.cache import cache
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.utils import timezone
from django.utils.safestring import mark_safe

from boards.models import AgendaPack, Meeting
from boards.selectors import number_items
from reader.anchors import BlockIndex, normalise, report_blocks
from reports.models import Appendix, Report, SignOff

log = logging.getLogger(__name__)


def may_read_papers_of(user, board):
    """Whether `user` may read a board's papers in the reader: as the members' pack is gated, democratic
    services and administrators, and the board's members (membership in force today)."""
    if not user.is_authenticated:
        return False
    return user.sees_everything or board.memberships.current().filter(user=user).exists()


def readable_meetings(user):
    """Meetings whose papers `user` may read: published, not cancelled, of a board they sit on (every
    board's for democratic services)."""
    if not user.is_authenticated:
        return Meeting.objects.none()
    meetings = Meeting.objects.published().select_related("board")
    if user.sees_everything:
        return meetings
    boards = user.memberships.current().values("board_id")
    return meetings.filter(board_id__in=boards)


def meetings_to_read(user, recent=12):
    """(upcoming, recent): the meetings `user` may read still to come, soonest first, and the last
    `recent` past ones, latest first."""
    start_of_today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    meetings = readable_meetings(user)
    upcoming = list(meetings.filter(starts_at__gte=start_of_today).order_by("starts_at")[:50])
    past = list(meetings.filter(starts_at__lt=start_of_today).order_by("-starts_at")[:recent])
    return upcoming, past


def get_meeting_to_read(user, pk):
    """The meeting `pk` if `user` may read its papers in the reader, else 404 (never 403)."""
    meeting = readable_meetings(user).filter(pk=pk).first()
    if meeting is None:
        raise Http404("No such meeting")
    return meeting


# Everything the reader prints of a report, fetched for the reports wanted in a fixed number of queries.
REPORT_PARTS = (
    "board",
    "meeting__board",
    "report_of",
    "portfolio",
    "wards",
    "recommendations",
    "implications__type",
    "core_purposes__purpose",
    "sections",
    Prefetch("appendices", queryset=Appendix.objects.order_by("position", "pk")),
    Prefetch("sign_offs", queryset=SignOff.objects.select_related("kind")),
)
# What a report's blocks (reader.anchors.report_blocks) read besides the report's own fields.
BLOCK_PARTS = (
    "recommendations",
    "sections",
    Prefetch("appendices", queryset=Appendix.objects.order_by("position", "pk")),
)


class ReaderItem:
    """One agenda item as the reader shows it: its number, whether it is exempt and whether `user` may
    open it, and its report (with every part the reader prints) when they may."""

    def __init__(self, number, item, readable):
        self.number, self.item, self.pk = number, item, item.pk
        self.is_exempt = item.is_exempt
        self.report = item.report if item.report_id and readable else None
        self.withheld = bool(item.report_id) and not readable
        self.pages = {}

    @property
    def title(self):
        return self.item.title

    @cached_property
    def view(self):
        """What the item's fragment prints (item_view), worked out once."""
        return item_view(self) if self.report is not None else None

    @property
    def exempt_notice(self):
        return f"NOT FOR PUBLICATION {self.item.exempt_grounds}" if self.is_exempt else ""


def reader_items(user, meeting, *, only=None, parts="all", pages=True):
    """The issued agenda in order as ReaderItems, the reports' parts fetched in a fixed number of queries:
    every report's (`parts="all"`), only the first readable one's (`"first"`: the shell prints the rest
    as they are scrolled to), or every report's blocks alone (`"blocks"`: for notes and search); with
    `pages`, each item's pages in the members' pack.

    An exempt report `user` may not see (none, for the members and democratic services the gate lets
    in, but the rule is read here again, from the report now) is named only, as the agenda names it.
    `only`: the pk of the one item wanted. `parts="none"`: no report's parts (item_html fetches them
    when it renders an item).
    """
    items = list(meeting.items.issued().select_related("report", "supplement"))
    numbered = number_items(items)
    report_ids = [item.report_id for _, item in numbered if item.report_id]
    visible = set(Report.objects.visible_to(user).filter(pk__in=report_ids).values_list("pk", flat=True))
    out = []
    for number, item in numbered:
        if only is not None and item.pk != only:
            continue
        item.meeting = meeting
        out.append(ReaderItem(number, item, item.report_id in visible))
    wanted = [entry.report for entry in out if entry.report is not None]
    if parts == "blocks":
        prefetch_related_objects(wanted, *BLOCK_PARTS)
    elif parts in {"all", "first"}:
        prefetch_related_objects(wanted[:1] if parts == "first" else wanted, *REPORT_PARTS)
    if pages:
        found = pack_pages(meeting)
        for entry in out:
            entry.pages = found.get(entry.number, {})
    return out


def meeting_blocks(user, meeting, items=None):
    """A BlockIndex of every block `user` may note in the meeting's papers."""
    items = reader_items(user, meeting, parts="blocks", pages=False) if items is None else items
    blocks = []
    for entry in items:
        if entry.report is None:
            continue
        for block in report_blocks(entry.report):
            block.item = entry.pk
            blocks.append(block)
    return BlockIndex(blocks)


# How long an item's fragment is kept; its key holds everything it prints, so this bounds memory only.
ITEM_SECONDS = 600


def item_html(meeting, entry):
    """The item's fragment (reader/_item.html) as the shell and the item's address print it, kept in the
    cache under a key of everything it prints, so an item already read by anyone allowed to read it is
    not rendered again: the public stamp (boards.public_cache: every published report's version, so a
    correction, a release or an exemption change moves it; boards, posts, packs, the agenda items), the
    item (its number, title, description, exemption, whether its report is withheld from this person),
    the report's own row (version, edition, PDF version, exemption), its appendices' rows (a conversion
    finishing after publication) and the pack pages. The fragment prints nothing of the person: who may
    read it was decided before (get_meeting_to_read, reader_items)."""
    from django.template.loader import render_to_string

    from boards.public_cache import digest, public_stamp, remembered

    report = entry.report
    facts = [remembered(public_stamp), meeting.pk, entry.pk, entry.number, entry.item.title, entry.item.description]
    facts += [entry.is_exempt, entry.exempt_notice, entry.withheld, entry.pages]
    if report is not None:
        facts += [report.pk, report.version, report.edition, report.pdf_version, report.is_exempt, report.updated_at]
        facts.append(
            list(report.appendices.order_by("pk").values_list("pk", "position", "title", "page_count", "conversion"))
        )
    key = f"reader-item:{entry.pk}:{digest(facts)}"
    html = cache.get(key)
    if html is None:
        if report is not None:
            prefetch_related_objects([report], *REPORT_PARTS)
        html = render_to_string("reader/_item.html", {"meeting": meeting, "entry": entry})
        cache.set(key, str(html), ITEM_SECONDS)
    return mark_safe(html)  # noqa: S308 - the template's own output, escaped as it rendered it


# The members' pack's page numbers -------------------------------------------------------------------

_ITEM_BOOKMARK = re.compile(r"^(\d+)\. ")
_APPENDIX_BOOKMARK = re.compile(r"^Appendix ([A-Z]|\d+): ")


def pack_pages(meeting):
    """{item number: {"first": page, "report": (first, last), "appendices": {letter: first}}} of the
    meeting's members' pack as last built, read from its bookmarks (kept in the cache per build), or {}
    while it has none. The pack is one numbering, printed on every page, so these are the numbers
    members see in the PDF."""
    pack = (
        AgendaPack.objects.filter(meeting=meeting, edition=AgendaPack.Edition.MEMBERS, supplement__isnull=True)
        .exclude(file="")
        .only("pk", "file", "content_key", "page_count")
        .first()
    )
    if pack is None or not pack.content_key:
        return {}
    key = f"reader:pack-pages:{pack.pk}:{pack.content_key}"
    pages = cache.get(key)
    if pages is None:
        try:
            pages = _read_pack_pages(pack)
        except Exception as exc:  # noqa: BLE001 - page numbers are a help, never a reason for an error page
            log.warning("The page numbers of pack %s could not be read: %r", pack.pk, exc)
            pages = {}
        cache.set(key, pages, 60 * 60 * 24)
    return pages


def _read_pack_pages(pack):
    with pack.file.open("rb") as handle:
        document = pikepdf.open(io.BytesIO(handle.read()))
    index = {page.objgen: number for number, page in enumerate((p.obj for p in document.pages), start=1)}
    total = len(document.pages)
    found = {}
    with document.open_outline() as outline:
        items = []
        for entry in outline.root:
            match = _ITEM_BOOKMARK.match(entry.title or "")
            if not match:
                continue
            first = _page_of(entry, document, index)
            items.append((int(match[1]), first, entry))
        for position, (number, first, entry) in enumerate(items):
            ends = (items[position + 1][1] - 1) if position + 1 < len(items) else total
            info = {"first": first, "last": ends, "appendices": {}}
            starts = [(child.title or "", _page_of(child, document, index)) for child in entry.children]
            for child_position, (title, page) in enumerate(starts):
                last = starts[child_position + 1][1] - 1 if child_position + 1 < len(starts) else ends
                if title.startswith("Report: "):
                    info["report"] = (page, last)
                appendix = _APPENDIX_BOOKMARK.match(title)
                if appendix:
                    info["appendices"][appendix[1]] = page
            found[number] = info
    return found


def _page_of(entry, document, index):
    destination = entry.destination
    if destination is None and entry.action is not None:
        destination = entry.action.get("/D")
    if isinstance(destination, int):
        return destination + 1
    if destination is not None and len(destination):
        return index.get(destination[0].objgen)
    return None


# Search within a meeting --------------------------------------------------------------------------

MAX_RESULTS = 100


def search_meeting(user, meeting, query, items=None):
    """The blocks of the meeting's papers `user` may read that hold every word of `query` (any case),
    in reading order, with the item titles that match too: [(ReaderItem, Block or None)]."""
    words = [w.lower() for w in normalise(query).split()][:10]
    if not words:
        return []
    items = reader_items(user, meeting, parts="blocks") if items is None else items
    index = meeting_blocks(user, meeting, items)
    by_pk = {entry.pk: entry for entry in items}
    results = []
    for entry in items:
        if all(word in entry.title.lower() for word in words):
            results.append((entry, None))
    for block in index.blocks:
        text = block.text.lower()
        if all(word in text for word in words):
            results.append((by_pk[block.item], block))
        if len(results) >= MAX_RESULTS:
            break
    return results


# A member's notes -----------------------------------------------------------------------------------


def notes_of(user, meeting, index):
    """`user`'s current notes of `meeting`, each placed in the papers as they read now (`index`):
    [{"id", "anchor", "quote", "highlight", "text", "revision", "updated_at", "state", "diff", ...}]."""
    from reader.models import Note

    out = []
    for note in Note.objects.filter(user=user, meeting=meeting, deleted=False).order_by("created_at", "pk"):
        content = note.read()
        placement = index.place(content.get("anchor", ""), content.get("paragraph", ""))
        block = placement.block
        entry = {
            "id": str(note.client_id),
            "anchor": placement.anchor or content.get("anchor", ""),
            "made_on": content.get("anchor", ""),
            "quote": content.get("quote", ""),
            "highlight": bool(content.get("highlight")),
            "text": content.get("text", ""),
            "revision": note.revision,
            "updated_at": note.updated_at.isoformat(),
            "state": placement.state,
            "number": block.number if block else "",
            "label": block.label if block else "",
            "item": block.item if block else None,
            "conflict_of": str(note.conflict_of) if note.conflict_of else None,
        }
        if placement.state == "changed":
            entry["diff"] = placement.diff
            entry["paragraph"] = content.get("paragraph", "")
        out.append(entry)
    return out


def item_view(entry):
    """What the item fragment prints of a ReaderItem's report: the text blocks' HTML, the numbered body,
    the recommendations and the appendices with their pages (and pack pages where known)."""
    from reader.anchors import report_blocks
    from reports.models import appendix_letter

    report = entry.report
    _, html, sections = report_blocks(report, with_html=True)
    recommendations = [
        (f"r{report.pk}-recommendations-p{n}", n, recommendation)
        for n, recommendation in enumerate(report.recommendations.all(), start=1)
    ]
    appendix_starts = entry.pages.get("appendices", {})
    appendices = []
    for index, appendix in enumerate(report.appendices.all()):
        letter = appendix_letter(index)
        first = appendix_starts.get(letter)
        pages = [
            (page, f"ap{appendix.pk}-{page}", first + page - 1 if first else None)
            for page in range(1, (appendix.page_count or 0) + 1)
        ]
        appendices.append({"appendix": appendix, "letter": letter, "first": first, "pages": pages})
    return {"html": html, "sections": sections, "recommendations": recommendations, "appendices": appendices}


def marked(text, query, width=300):
    """`text` cut to about `width` characters around the first word of `query` found, as [(piece,
    is_match)] for the template to mark (escaped, never trusted as HTML)."""
    words = [re.escape(w) for w in normalise(query).split()[:10] if w]
    if not words:
        return [(text[:width], False)]
    pattern = re.compile("(" + "|".join(words) + ")", re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, (first.start() if first else 0) - width // 3)
    cut = text[start : start + width]
    pieces = [(piece, bool(pattern.fullmatch(piece))) for piece in pattern.split(cut) if piece]
    if start > 0:
        pieces.insert(0, ("…", False))
    if start + width < len(text):
        pieces.append(("…", False))
    return pieces
