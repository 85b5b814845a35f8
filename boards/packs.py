"""Agenda packs: the front sheet, then each item's papers, joined into one accessible PDF.

Each report is laid out once per version and its pages kept (reports/pdf.py), so a rebuild after
one report changes renders only that report and the front sheet. The parts are joined with pikepdf
(reports/pdfjoin.py): their tag trees are merged into one, so the pack stays a tagged PDF; uploaded
appendix pages are framed inside the margins; every page is stamped with the pack's one page
number ("Page 41") in the bottom-right corner every page keeps for it, which is also the viewer's page label;
a report's first page is stamped "Agenda Item 4"; each item gets a bookmark, and the front
sheet's contents are links to the pages where the items start. The join runs in a forked child
bounded in time and memory, so no appendix can take the worker past its bound.

Three editions: the front sheet alone, the public pack (exempt items replaced by a one-page
notice naming the item and the paragraph) and the members' pack (everything). A supplementary
agenda (items added after publication) has its own public and members' packs, with a front sheet
"Supplementary agenda" listing its items and their reasons for urgency; the agenda's packs never
take in its items. A pack corrected after publication prints its edition and what changed.
"""

import hashlib
import io
import json
import logging
import os
import resource
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

import pikepdf
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from pikepdf import Name, OutlineItem

from boards.models import EXCLUSION_RESOLUTION, AgendaPack, Council
from boards.selectors import numbered_items
from minutes.selectors import is_minutes_item, minutes_for_agenda
from reports.models import SCHEDULE_12A_PARAGRAPHS, exempt_grounds

log = logging.getLogger(__name__)

# Bounds of joining the papers into one PDF; settings of the same names override them.
PACK_JOIN_TIMEOUT = 180  # seconds
PACK_JOIN_MEMORY_MB = 1024  # megabytes of address space beyond what the worker already has
PACK_MAX_BYTES = 2 * 1024 * 1024 * 1024

# The front sheet links its contents to this placeholder address; the join points them at pages.
CONTENTS_LINK = "https://pack.invalid/item-"

PUBLIC = AgendaPack.Edition.PUBLIC
MEMBERS = AgendaPack.Edition.MEMBERS
FRONT_SHEET = AgendaPack.Edition.FRONT_SHEET


class BuiltPack(NamedTuple):
    pdf: bytes
    page_count: int
    front_pages: int
    reports_in_full: list  # the reports whose text the file holds (AgendaPack.reports_in_full)


@dataclass
class Paper:
    """One PDF document in the pack and the bookmark it gets, opened once."""

    title: str
    pdf: bytes
    document: pikepdf.Pdf = None
    foreign: bool = False  # not laid out by us (an uploaded appendix): framed inside the margins

    def __post_init__(self):
        if self.document is None:
            self.document = pikepdf.open(io.BytesIO(self.pdf))

    @property
    def page_count(self):
        return len(self.document.pages)


@dataclass
class PackItem:
    number: int
    item: object
    papers: list = field(default_factory=list)
    first_page: int | None = None

    @property
    def page_count(self):
        return sum(p.page_count for p in self.papers)

    @property
    def last_page(self):
        return self.first_page + self.page_count - 1 if self.first_page else None


def issued_in(meeting, supplement=None):
    """(number, item) of the items a pack holds: the agenda's own, or one supplement's, numbered as
    the whole published agenda numbers them."""
    wanted = supplement.pk if supplement else None
    return [(number, item) for number, item in numbered_items(meeting) if item.supplement_id == wanted]


def pack_content_key(meeting, edition, supplement=None):
    """A fingerprint of everything the edition prints; the pack is rebuilt when it changes."""
    members = [(m.user_id, m.role, str(m.user)) for m in meeting.board.memberships.current(meeting.date)]
    items = []
    for number, item in issued_in(meeting, supplement):
        # Exemption as the reports say now: a change moves the item and makes the pack stale.
        entry = [number, item.title, item.is_exempt, item.exempt_paragraphs, item.kind, item.urgency_reason]
        if edition != FRONT_SHEET and is_minutes_item(item):
            minutes = minutes_for_agenda(meeting)
            entry += [[minutes.pk, minutes.status, minutes.updated_at.isoformat()] if minutes else None]
        if _in_full(item, edition):
            report = item.report
            entry += [report.pk, report.version, report.status]
            if edition != FRONT_SHEET:
                entry += [
                    (a.pk, a.position, a.title, a.size, a.file.name, a.is_disarmed) for a in report.appendices.all()
                ]
        items.append(entry)
    fingerprint = {
        "format": 4,
        "edition": edition,
        "meeting": [meeting.board.name, meeting.starts_at.isoformat(), meeting.venue, meeting.status],
        "published": meeting.agenda_published_at.isoformat() if meeting.agenda_published_at else "",
        "supplement": [supplement.number, supplement.published_at.isoformat()] if supplement else None,
        "members": members,
        "items": items,
        "council": Council.current().fingerprint,
        "clerk": [str(meeting.board.clerk or ""), meeting.board.contact_phone, meeting.board.contact_email],
        "renderer": _renderer_fingerprint(),
    }
    return hashlib.sha256(json.dumps(fingerprint, default=str).encode()).hexdigest()


def _renderer_fingerprint():
    from reports import pdf

    return pdf.renderer_fingerprint()


def _in_full(item, edition):
    """Whether the edition prints the item's report itself (not an exempt notice, not only its title)."""
    return bool(item.report_id) and edition != FRONT_SHEET and not (edition == PUBLIC and item.is_exempt)


def _render(html):
    """HTML of our own templates to PDF bytes, through the report renderer's locked-down path."""
    from reports import pdf

    return pdf.render_html_pdf(html, fetcher=pdf.app_fetcher(media_prefixes=(pdf.BRANDING_MEDIA,)))


def render_reports(reports):
    """The reports' printed pages: kept ones, and the rest rendered side by side (and kept once approved).

    Returns {report pk: PDF bytes} for every report. A background build allows each render
    longer than a download would (PACK_RENDER_TIMEOUT).
    """
    from reports import pdf as report_pdf

    result = {}
    missing = []
    for report in reports:
        stored = report_pdf.stored_report_pages(report)
        if stored is None:
            missing.append(report)
        else:
            result[report.pk] = stored
    if not missing:
        return result
    jobs = [report_pdf.report_render_job(report) for report in missing]  # database reads stay in this thread
    timeout = getattr(settings, "PACK_RENDER_TIMEOUT", 180)
    workers = max(1, min(len(jobs), getattr(settings, "PACK_RENDER_WORKERS", os.cpu_count() or 1)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pdfs = list(pool.map(lambda job: report_pdf.render_html_pdf(job[0], fetcher=job[1], timeout=timeout), jobs))
    for report, pdf in zip(missing, pdfs, strict=True):
        report_pdf.store_report_pages(report, pdf)
        result[report.pk] = pdf
    return result


def _notice_pdf(title, lines):
    html = render_to_string(
        "boards/pdf/notice.html", {"title": title, "lines": lines, "council": Council.current().display_name}
    )
    return _render(html)


def _appendix_paper(number, appendix):
    """The appendix as rebuilt when it was uploaded, or a notice page if it was not, or cannot be read now."""
    label = f"Appendix {appendix.letter}: {appendix.title}"
    from reports.pdf import open_appendix

    try:
        data, document = open_appendix(appendix)
        return Paper(label, data, document, foreign=True)
    except Exception as exc:  # noqa: BLE001 - a broken appendix must never break the pack
        log.warning("Appendix %s of item %s could not be included: %r", appendix.pk, number, exc)
        notice = _notice_pdf(
            label,
            [
                f"Appendix {appendix.letter} to item {number}, “{appendix.title}”, could not be included in this "
                "pack because its file could not be read.",
                "Please contact democratic services for a copy.",
            ],
        )
        return Paper(label + " (not available)", notice)


def _minutes_papers(item, edition):
    """The previous meeting's published minutes, under "Minutes of the Previous Meeting": both editions
    print the public minutes; the members' pack then prints the Part 2 minutes, as it prints the exempt
    reports, and the public pack never does."""
    from minutes.pdf import exempt_minutes_pdf, minutes_pdf

    minutes = minutes_for_agenda(item.meeting)
    if minutes is None:
        return []
    papers = [Paper(f"Minutes: {minutes.meeting} ({minutes.stamp})", minutes_pdf(minutes, in_pack=True))]
    if edition == MEMBERS and minutes.exempt_body.strip():
        papers.append(Paper(f"Part 2 minutes: {minutes.meeting} (not for publication)", exempt_minutes_pdf(minutes)))
    return papers


def _item_papers(number, item, edition, rendered):
    if edition != FRONT_SHEET and is_minutes_item(item):
        return _minutes_papers(item, edition)
    if not item.report_id or edition == FRONT_SHEET:
        return []
    report = item.report
    if not _in_full(item, edition):
        return [Paper(f"Item {number}: {item.title} (exempt: not for publication)", _exempt_notice(number, item))]
    papers = [Paper(f"Report: {report.subject}", rendered[report.pk])]
    papers += [_appendix_paper(number, a) for a in report.appendices.all()]
    return papers


def _exempt_notice(number, item):
    """The one page the public pack carries in place of an exempt item: its title and paragraphs."""
    paragraphs = item.exempt_paragraphs
    lines = [f"This item is not for publication {exempt_grounds(paragraphs)}."]
    lines += [f"Paragraph {p}: {SCHEDULE_12A_PARAGRAPHS.get(p, '')}" for p in paragraphs]
    lines.append(
        "The report is available to members of the board. The press and public are likely to be excluded "
        "from the meeting while it is considered."
    )
    return _notice_pdf(f"Item {number}: {item.title}", lines)


def front_sheet_html(meeting, pack_items, edition, supplement=None, revisions=()):
    board = meeting.board
    council = Council.current()
    published = (supplement.published_at if supplement else meeting.agenda_published_at) or timezone.now()
    context = {
        "supplement": supplement,
        "revisions": [(date.fromisoformat(on), revision, change) for on, revision, change in revisions],
        "edition_number": revisions[-1][1] if revisions else 1,
        "meeting": meeting,
        "board": board,
        "council": council,
        "council_name": council.display_name,
        "public_edition": edition == PUBLIC,
        "members": meeting.board.memberships.current(meeting.date).in_role_order().select_related("user"),
        "contact": _contact(board, council),
        "published_on": timezone.localdate(published),
        "part1": [p for p in pack_items if not p.item.is_exempt],
        "part2": [p for p in pack_items if p.item.is_exempt],
        "exclusion_resolution": EXCLUSION_RESOLUTION,
        "edition": edition,
        "show_pages": edition != FRONT_SHEET,
        "paragraphs": SCHEDULE_12A_PARAGRAPHS,
    }
    return render_to_string("boards/pdf/front_sheet.html", context)


def _contact(board, council):
    """Who to ask about the meeting: the board's clerk where set, else the council's democratic services."""
    clerk = board.clerk
    name = (str(clerk) if clerk else "") or council.democratic_services_name
    role = clerk.job_title if clerk else ""
    phone = board.contact_phone or (clerk.phone if clerk else "") or council.democratic_services_phone
    email = board.contact_email or (clerk.email if clerk else "") or council.democratic_services_email
    return {"name": name, "role": role, "phone": phone, "email": email, "address": council.address}


def _front_sheet(meeting, pack_items, edition, supplement, revisions):
    return _render(front_sheet_html(meeting, pack_items, edition, supplement, revisions))


def build_pack(meeting, edition, progress=lambda percent: None, front_pages=1, supplement=None, revisions=()):
    """Build one edition of the meeting's pack, or of one supplement's pack.

    `front_pages` is a guess at the front sheet's length (the last build's), which saves laying
    it out twice when it holds. `revisions` are the corrections since publication, as
    AgendaPack.revisions holds them, printed on the front sheet.
    """
    pack_items = [PackItem(number, item) for number, item in issued_in(meeting, supplement)]
    needed = [p.item.report for p in pack_items if _in_full(p.item, edition)]
    rendered = render_reports(needed)
    progress(70)
    for pack_item in pack_items:
        pack_item.papers = _item_papers(pack_item.number, pack_item.item, edition, rendered)
    progress(80)

    # The front sheet lists the page each item starts on, which depends on its own length: lay it
    # out with a guess (one page, or what it took last time), then again until the guess holds.
    for _ in range(4):
        page = front_pages + 1
        for pack_item in pack_items:
            pack_item.first_page = page if pack_item.papers else None
            page += pack_item.page_count
        front = Paper(
            supplement.title if supplement else "Agenda",
            _front_sheet(meeting, pack_items, edition, supplement, revisions),
        )
        if front.page_count == front_pages:
            break
        front_pages = front.page_count
    progress(90)
    pdf, pages = _join_within_bounds(meeting, edition, front, pack_items, supplement)
    progress(100)
    return BuiltPack(pdf, pages, front.page_count, sorted(report.pk for report in needed))


class PackBuildError(Exception):
    """The pack could not be made within its bounds; the message says why, for the clerk."""


def _join_within_bounds(meeting, edition, front, pack_items, supplement=None):
    """`_join` in a forked child bounded in time and memory (PACK_JOIN_TIMEOUT, PACK_JOIN_MEMORY_MB).

    Whatever an appendix holds, joining it costs the worker at most that: past the bound the child
    is stopped and the build fails with the reason, and the worker itself never grows with it.
    """
    from reports import pdf as report_pdf

    timeout = getattr(settings, "PACK_JOIN_TIMEOUT", PACK_JOIN_TIMEOUT)
    memory_mb = getattr(settings, "PACK_JOIN_MEMORY_MB", PACK_JOIN_MEMORY_MB)
    str(meeting), str(meeting.board)  # read now: the child has no database
    council = Council.current().display_name
    heading = supplement.title if supplement else ""

    def work():
        pdf, pages = _join(meeting, edition, front, pack_items, council, heading)
        return pdf, {"pages": pages, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}

    started = time.monotonic()
    try:
        pdf, info = report_pdf.run_bounded(work, timeout=timeout, memory_mb=memory_mb, max_bytes=PACK_MAX_BYTES)
    except report_pdf.PdfRenderTimeout:
        raise PackBuildError(
            f"Joining the pack's papers took longer than {timeout} seconds, so it was stopped."
        ) from None
    except report_pdf.PdfRenderTooLarge:
        raise PackBuildError(
            f"Joining the pack's papers needed more than {memory_mb:,} MB of memory, so it was stopped."
        ) from None
    except report_pdf.PdfRenderError:
        raise PackBuildError("Joining the pack's papers failed; the worker's log says why.") from None
    log.info(
        "Joined %s (%s pages) in %.1f s; the join's peak was %s MB (bound: %s MB beyond the worker)",
        meeting, info["pages"], time.monotonic() - started, f"{info['peak_mb']:,}", f"{memory_mb:,}",
    )  # fmt: skip
    return pdf, info["pages"]


def _join(meeting, edition, front, pack_items, council, supplement_title=""):
    from reports import pdf as report_pdf
    from reports import pdfjoin

    out = pikepdf.new()
    parts = [pdfjoin.append(out, front.document)]
    bookmarks = []
    item_pages = {}  # the page index where an item's papers start: its number
    for pack_item in pack_items:
        if not pack_item.papers:
            continue
        starts = []
        for paper in pack_item.papers:
            part = pdfjoin.append(out, paper.document, foreign=paper.foreign, title=paper.title)
            parts.append(part)
            starts.append((paper.title, part.start))
        item_pages[starts[0][1]] = pack_item.number
        item = OutlineItem(f"{pack_item.number}. {pack_item.item.title}", starts[0][1])
        item.children.extend(OutlineItem(title, start) for title, start in starts)
        bookmarks.append(item)
    with out.open_outline() as outline:
        outline.root.extend(bookmarks)

    pdfjoin.merge_tag_trees(out, parts)
    _link_contents(out, front.page_count, pack_items)
    # One numbering: the pack's page number, printed where every page keeps room for it, and the
    # viewer's page label the same number.
    renderer = report_pdf.stamp_renderer()
    pdfjoin.stamp(out, pdfjoin.page_number_stamps(0, len(out.pages)), renderer=renderer)
    pdfjoin.stamp(out, pdfjoin.item_stamps(item_pages), pdfjoin.ITEM_LABEL, renderer=renderer)
    pdfjoin.label_pages(out, [(0, "", 1)])
    title = {PUBLIC: "Agenda pack", MEMBERS: "Members' agenda pack", FRONT_SHEET: "Agenda"}[edition]
    if supplement_title:
        title = f"{supplement_title} ({'members' if edition == MEMBERS else 'public'} pack)"
    full_title = f"{title}: {meeting.board}, {meeting.date_display}"
    out.docinfo["/Title"] = full_title
    out.docinfo["/Author"] = council
    out.docinfo["/Subject"] = f"{meeting.board} meeting of {meeting.date_display}"
    out.docinfo["/Creator"] = "Committee reports"
    out.docinfo["/CreationDate"] = timezone.now().strftime("D:%Y%m%d%H%M%S")
    with out.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = full_title
        meta["dc:creator"] = [council]
        meta["dc:language"] = ["en-GB"]
    root = out.Root
    root.Lang = pikepdf.String("en-GB")
    root.MarkInfo = pikepdf.Dictionary(Marked=True)
    root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
    root.PageMode = Name.UseOutlines
    return pdfjoin.save(out), len(out.pages)


def _link_contents(out, front_pages, pack_items):
    """Make each contents entry on the front sheet a link to the page where its item starts."""
    targets = {f"{CONTENTS_LINK}{p.number}": p.first_page - 1 for p in pack_items if p.first_page}
    for page in out.pages[:front_pages]:
        for annotation in page.obj.get("/Annots", pikepdf.Array()):
            action = annotation.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if uri in targets:
                del annotation["/A"]
                annotation.Dest = pikepdf.Array([out.pages[targets[uri]].obj, Name.Fit])
            elif uri.startswith(CONTENTS_LINK):
                del annotation["/A"]  # never leave a placeholder address in the pack
