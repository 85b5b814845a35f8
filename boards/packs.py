"""Agenda packs: the front sheet, then each item's papers, joined into one accessible PDF.

Each report is rendered once and kept (reports/pdf.py stores approved reports' PDFs), so a
rebuild after one report changes renders only that report and the front sheet. The parts are
joined with pypdf; their tag trees are merged into one, so the pack stays a tagged PDF; the pack
gets a bookmark per item and continuous page numbers stamped in the top margin, and the front
sheet's contents are links to the pages where the items start.

Three editions: the front sheet alone, the public pack (exempt items replaced by a one-page
notice naming the item and the paragraph) and the members' pack (everything).
"""

import hashlib
import io
import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import NamedTuple

import pikepdf
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone
from pikepdf import Name, OutlineItem

from boards.models import EXCLUSION_RESOLUTION, AgendaPack
from boards.services import numbered_items
from reports.models import SCHEDULE_12A_PARAGRAPHS
from reports.pdfcheck import PdfProblem

log = logging.getLogger(__name__)

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


def pack_content_key(meeting, edition):
    """A fingerprint of everything the edition prints; the pack is rebuilt when it changes."""
    members = [(m.user_id, m.role) for m in meeting.board.memberships.current()]
    items = []
    for number, item in numbered_items(meeting):
        # Exemption as the reports say now: a change moves the item and makes the pack stale.
        entry = [number, item.title, item.is_exempt, item.exempt_paragraphs, item.kind]
        if _in_full(item, edition):
            report = item.report
            entry += [report.pk, report.version, report.status]
            if edition != FRONT_SHEET:
                entry += [(a.pk, a.position, a.title, a.size) for a in report.appendices.all()]
        items.append(entry)
    fingerprint = {
        "format": 4,
        "edition": edition,
        "meeting": [meeting.board.name, meeting.starts_at.isoformat(), meeting.venue, meeting.status],
        "published": meeting.agenda_published_at.isoformat() if meeting.agenda_published_at else "",
        "members": members,
        "items": items,
        "council": settings.COUNCIL_NAME,
    }
    return hashlib.sha256(json.dumps(fingerprint, default=str).encode()).hexdigest()


def _in_full(item, edition):
    """Whether the edition prints the item's report itself (not an exempt notice, not only its title)."""
    return bool(item.report_id) and edition != FRONT_SHEET and not (edition == PUBLIC and item.is_exempt)


def _render(html):
    """HTML of our own templates to PDF bytes, through the report renderer's locked-down path."""
    from reports import pdf

    return pdf.render_html_pdf(html, fetcher=pdf.app_fetcher())


def render_reports(reports):
    """PDFs of the reports that have none stored, rendered side by side and stored once approved.

    Returns {report pk: PDF bytes} for every report. A background build allows each render
    longer than a download would (PACK_RENDER_TIMEOUT).
    """
    from reports import pdf as report_pdf

    result = {}
    missing = []
    for report in reports:
        stored = report_pdf.stored_report_pdf(report)
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
        if report_pdf.is_final(report):
            report_pdf.store_report_pdf(report, pdf=pdf)
        result[report.pk] = pdf
    return result


def report_pdf_bytes(report):
    """The report's PDF: the stored one if it is current, else rendered (and stored once approved)."""
    return render_reports([report])[report.pk]


def _notice_pdf(title, lines):
    html = render_to_string(
        "boards/pdf/notice.html", {"title": title, "lines": lines, "council": settings.COUNCIL_NAME}
    )
    return _render(html)


def _appendix_paper(number, appendix):
    """The appendix as uploaded (checked then), or a notice page if its file cannot be read now."""
    label = f"Appendix {appendix.letter}: {appendix.title}"
    try:
        with appendix.file.open("rb") as handle:
            data = handle.read()
        document = pikepdf.open(io.BytesIO(data))  # refuses encrypted files: no password is given
        if not len(document.pages):
            raise PdfProblem("no pages")
        for page in document.pages:
            page.obj.get("/Contents")  # every page must be reachable
        return Paper(label, data, document)
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


def _item_papers(number, item, edition, rendered):
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
    which = item.exempt_paragraphs_display
    lines = [
        f"This item is not for publication by virtue of {which + ' of ' if which else ''}Part 1 of Schedule 12A "
        "of the Local Government Act 1972."
    ]
    lines += [f"Paragraph {p}: {SCHEDULE_12A_PARAGRAPHS.get(p, '')}" for p in paragraphs]
    lines.append(
        "The report is available to members of the board. The press and public are likely to be excluded "
        "from the meeting while it is considered."
    )
    return _notice_pdf(f"Item {number}: {item.title}", lines)


def _front_sheet_html(meeting, pack_items, edition):
    context = {
        "meeting": meeting,
        "board": meeting.board,
        "council": settings.COUNCIL_NAME,
        "members": meeting.board.memberships.current().select_related("user"),
        "part1": [p for p in pack_items if not p.item.is_exempt],
        "part2": [p for p in pack_items if p.item.is_exempt],
        "exclusion_resolution": EXCLUSION_RESOLUTION,
        "edition": edition,
        "show_pages": edition != FRONT_SHEET,
        "paragraphs": SCHEDULE_12A_PARAGRAPHS,
    }
    return render_to_string("boards/pdf/front_sheet.html", context)


def _front_sheet(meeting, pack_items, edition):
    return _render(_front_sheet_html(meeting, pack_items, edition))


def build_pack(meeting, edition, progress=lambda percent: None, front_pages=1):
    """Build one edition of the meeting's pack.

    `front_pages` is a guess at the front sheet's length (the last build's), which saves laying
    it out twice when it holds.
    """
    pack_items = [PackItem(number, item) for number, item in numbered_items(meeting)]
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
        front = Paper("Agenda", _front_sheet(meeting, pack_items, edition))
        if front.page_count == front_pages:
            break
        front_pages = front.page_count
    progress(90)
    pdf, pages = _join(meeting, edition, front, pack_items)
    progress(100)
    return BuiltPack(pdf, pages, front.page_count, sorted(report.pk for report in needed))


def _join(meeting, edition, front, pack_items):
    out = pikepdf.new()
    parts = []  # (source document, first page index in the pack, page count) for every part

    def add(paper):
        start = len(out.pages)
        out.pages.extend(paper.document.pages)
        parts.append((paper.document, start, paper.page_count))
        return start

    add(front)
    bookmarks = []
    for pack_item in pack_items:
        if not pack_item.papers:
            continue
        starts = [(paper.title, add(paper)) for paper in pack_item.papers]
        item = OutlineItem(f"{pack_item.number}. {pack_item.item.title}", starts[0][1])
        item.children.extend(OutlineItem(title, start) for title, start in starts)
        bookmarks.append(item)
    with out.open_outline() as outline:
        outline.root.extend(bookmarks)

    _merge_tag_trees(out, parts)
    _link_contents(out, front.page_count, pack_items)
    _stamp_page_numbers(out)
    title = {PUBLIC: "Agenda pack", MEMBERS: "Members' agenda pack", FRONT_SHEET: "Agenda"}[edition]
    full_title = f"{title}: {meeting.board}, {meeting.date_display}"
    out.docinfo["/Title"] = full_title
    out.docinfo["/Author"] = settings.COUNCIL_NAME
    out.docinfo["/Subject"] = f"{meeting.board} meeting of {meeting.date_display}"
    out.docinfo["/Creator"] = "Committee reports"
    out.docinfo["/CreationDate"] = timezone.now().strftime("D:%Y%m%d%H%M%S")
    with out.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = full_title
        meta["dc:creator"] = [settings.COUNCIL_NAME]
        meta["dc:language"] = ["en-GB"]
    root = out.Root
    root.Lang = pikepdf.String("en-GB")
    root.MarkInfo = pikepdf.Dictionary(Marked=True)
    root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
    root.PageMode = Name.UseOutlines
    buffer = io.BytesIO()
    out.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue(), len(out.pages)


def _foreign(out, source, obj):
    """`obj` of `source` copied into `out` (pages already copied are reused, not copied again)."""
    if not isinstance(obj, pikepdf.Object) or not (
        obj.is_indirect or isinstance(obj, pikepdf.Dictionary | pikepdf.Array)
    ):
        return obj
    if not obj.is_indirect:
        obj = source.make_indirect(obj)
    return out.copy_foreign(obj)


def _merge_tag_trees(out, parts):
    """Combine the parts' structure trees into one, so the joined pack is still tagged.

    Each part's top element becomes a Part under one Document; the keys of each part's parent
    tree (which tie marked content on pages and annotations to elements) are shifted so they
    stay unique, and the pages and annotations are renumbered to match.
    """
    document = out.make_indirect(pikepdf.Dictionary(Type=Name.StructElem, S=Name.Document))
    kids = pikepdf.Array()
    nums = pikepdf.Array()
    role_map = pikepdf.Dictionary()
    offset = 0
    for source, start, count in parts:
        tree = source.Root.get("/StructTreeRoot")
        if tree is None or tree.get("/K") is None:
            continue  # an untagged appendix: its pages carry no tags to keep
        top = _foreign(out, source, tree.K)
        for element in top if isinstance(top, pikepdf.Array) else [top]:
            if element.get("/S") == Name.Document:
                element.S = Name.Part
            element.P = document
            kids.append(element)
        keys = []
        for key, value in _number_tree_items(tree.get("/ParentTree")):
            keys.append(key)
            nums.append(key + offset)
            nums.append(_foreign(out, source, value))
        for name, value in (tree.get("/RoleMap") or pikepdf.Dictionary()).items():
            role_map[name] = value
        next_key = int(tree.get("/ParentTreeNextKey", 0)) or (max(keys, default=-1) + 1)
        for index in range(start, start + count):
            page = out.pages[index].obj
            if "/StructParents" in page:
                page.StructParents = int(page.StructParents) + offset
            for annotation in page.get("/Annots", pikepdf.Array()):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset
        offset += next_key
    document.K = kids
    root = pikepdf.Dictionary(
        Type=Name.StructTreeRoot,
        K=document,
        ParentTree=out.make_indirect(pikepdf.Dictionary(Nums=nums)),
        ParentTreeNextKey=offset,
    )
    if len(role_map):
        root.RoleMap = role_map
    root = out.make_indirect(root)
    document.P = root
    out.Root.StructTreeRoot = root


def _number_tree_items(tree):
    if tree is None:
        return
    nums = tree.get("/Nums")
    if nums is not None:
        for index in range(0, len(nums), 2):
            yield int(nums[index]), nums[index + 1]
    for kid in tree.get("/Kids", pikepdf.Array()):
        yield from _number_tree_items(kid)


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


def _stamps(total):
    """A document of `total` pages bearing only "Pack page N of total", kept for the next build."""
    name = f"packs/stamps/pages-{total}-v1.pdf"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as handle:
            return pikepdf.open(io.BytesIO(handle.read()))
    data = _render(render_to_string("boards/pdf/page_numbers.html", {"total": total}))
    default_storage.save(name, ContentFile(data))
    return pikepdf.open(io.BytesIO(data))


def _stamp_page_numbers(out):
    """Print the pack's own continuous page number in the bottom margin of every page."""
    stamps = _stamps(len(out.pages))
    for index, page in enumerate(out.pages):
        stamp = stamps.pages[index]
        width = float(stamp.mediabox[2]) - float(stamp.mediabox[0])
        height = float(stamp.mediabox[3]) - float(stamp.mediabox[1])
        box = page.mediabox
        # Bottom right, unscaled, whatever the page size (appendices may be A3 or letter).
        right, bottom = float(box[2]), float(box[1])
        page.add_overlay(stamp, pikepdf.Rectangle(right - width, bottom, right, bottom + height))
