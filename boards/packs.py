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
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

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


@dataclass
class Paper:
    """One PDF document in the pack and the bookmark it gets, parsed once."""

    title: str
    pdf: bytes
    reader: PdfReader = None

    def __post_init__(self):
        if self.reader is None:
            self.reader = PdfReader(io.BytesIO(self.pdf))

    @property
    def page_count(self):
        return len(self.reader.pages)


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
        entry = [number, item.title, item.is_exempt, item.exempt_paragraph, item.kind]
        if item.report_id and not (edition == PUBLIC and item.is_exempt):
            report = item.report
            entry += [report.pk, report.version, report.status]
            if edition != FRONT_SHEET:
                entry += [(a.pk, a.position, a.title, a.size) for a in report.appendices.all()]
        items.append(entry)
    fingerprint = {
        "format": 3,
        "edition": edition,
        "meeting": [meeting.board.name, meeting.starts_at.isoformat(), meeting.venue, meeting.status],
        "published": meeting.agenda_published_at.isoformat() if meeting.agenda_published_at else "",
        "members": members,
        "items": items,
        "council": settings.COUNCIL_NAME,
    }
    return hashlib.sha256(json.dumps(fingerprint, default=str).encode()).hexdigest()


def _render(html):
    """HTML of our own templates to PDF bytes, through the report renderer's locked-down path."""
    from reports import pdf

    return pdf.render_html_pdf(html, fetcher=pdf.app_fetcher())


def report_pdf_bytes(report):
    """The report's PDF: the stored one if it is current, else rendered (and stored once approved)."""
    from reports import pdf as report_pdf

    if report.pdf_file and report.pdf_version == report.version:
        try:
            with report.pdf_file.open("rb") as handle:
                return handle.read()
        except OSError:
            log.warning("Stored PDF of report %s is missing; rendering it again", report.pk)
    store = getattr(report_pdf, "store_report_pdf", None)
    if store and report.status in {"approved", "published"}:
        store(report)
        report.refresh_from_db(fields=["pdf_file", "pdf_version"])
        with report.pdf_file.open("rb") as handle:
            return handle.read()
    return report_pdf.render_report_pdf(report)


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
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted or not len(reader.pages):
            raise PdfProblem("encrypted or empty")
        reader.pages[-1].get_contents()  # the last page must be readable too
        return Paper(label, data, reader)
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


def _item_papers(number, item, edition):
    if not item.report_id or edition == FRONT_SHEET:
        return []
    report = item.report
    if edition == PUBLIC and item.is_exempt:
        paragraph = item.exempt_paragraph
        notice = _notice_pdf(
            f"Item {number}: {item.title}",
            [
                f"This item is not for publication by virtue of paragraph {paragraph} of Part 1 of Schedule 12A "
                "of the Local Government Act 1972.",
                f"Paragraph {paragraph}: {SCHEDULE_12A_PARAGRAPHS.get(paragraph, '')}",
                "The report is available to members of the board. The press and public are likely to be excluded "
                "from the meeting while it is considered.",
            ],
        )
        return [Paper(f"Item {number}: {item.title} (exempt: not for publication)", notice)]
    papers = [Paper(f"Report: {report.subject}", report_pdf_bytes(report))]
    papers += [_appendix_paper(number, a) for a in report.appendices.all()]
    return papers


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
    total = max(1, sum(1 for p in pack_items if p.item.report_id))
    done = 0
    for pack_item in pack_items:
        pack_item.papers = _item_papers(pack_item.number, pack_item.item, edition)
        if pack_item.item.report_id:
            done += 1
            progress(int(80 * done / total))

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
    return BuiltPack(pdf, pages, front.page_count)


def _join(meeting, edition, front, pack_items):
    writer = PdfWriter()
    parts = []  # (reader, first page index in the writer, page count) for every part

    def add(paper):
        start = len(writer.pages)
        writer.append(paper.reader, import_outline=False)
        parts.append((paper.reader, start, paper.page_count))
        return start

    add(front)
    for pack_item in pack_items:
        if not pack_item.papers:
            continue
        item_start = None
        children = []
        for paper in pack_item.papers:
            start = add(paper)
            item_start = start if item_start is None else item_start
            children.append((paper.title, start))
        parent = writer.add_outline_item(title=f"{pack_item.number}. {pack_item.item.title}", page_number=item_start)
        for title, start in children:
            writer.add_outline_item(title=title, page_number=start, parent=parent)

    _merge_tag_trees(writer, parts)
    _link_contents(writer, front.page_count, pack_items)
    _stamp_page_numbers(writer)
    title = {
        PUBLIC: "Agenda pack",
        MEMBERS: "Members' agenda pack",
        FRONT_SHEET: "Agenda",
    }[edition]
    writer.add_metadata(
        {
            "/Title": f"{title}: {meeting.board}, {meeting.date_display}",
            "/Author": settings.COUNCIL_NAME,
            "/Subject": f"{meeting.board} meeting of {meeting.date_display}",
            "/Creator": "Committee reports",
            "/CreationDate": timezone.now().strftime("D:%Y%m%d%H%M%S"),
        }
    )
    root = writer._root_object
    root[NameObject("/Lang")] = TextStringObject("en-GB")
    root[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): BooleanObject(True)})
    root[NameObject("/ViewerPreferences")] = DictionaryObject({NameObject("/DisplayDocTitle"): BooleanObject(True)})
    root[NameObject("/PageMode")] = NameObject("/UseOutlines")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)


def _merge_tag_trees(writer, parts):
    """Combine the parts' structure trees into one, so the joined pack is still tagged.

    Each part's top element becomes a Part under one Document; the keys of each part's parent
    tree (which tie marked content on pages and annotations to elements) are shifted so they
    stay unique, and the pages and annotations are renumbered to match.
    """
    document = DictionaryObject(
        {NameObject("/Type"): NameObject("/StructElem"), NameObject("/S"): NameObject("/Document")}
    )
    document_ref = writer._add_object(document)
    kids = ArrayObject()
    nums = ArrayObject()
    role_map = DictionaryObject()
    offset = 0
    for reader, start, count in parts:
        tree = reader.trailer["/Root"].get("/StructTreeRoot")
        if tree is None:
            continue  # an untagged appendix: its pages carry no tags to keep
        tree = tree.get_object()
        top = tree.get("/K")
        if top is None:
            continue
        cloned = top.clone(writer)
        elements = cloned if isinstance(cloned, ArrayObject) else ArrayObject([cloned])
        for element in elements:
            element_obj = element.get_object()
            if element_obj.get("/S") == "/Document":
                element_obj[NameObject("/S")] = NameObject("/Part")
            element_obj[NameObject("/P")] = document_ref
            kids.append(element if hasattr(element, "idnum") else writer._add_object(element_obj))
        for key, value in _number_tree_items(tree.get("/ParentTree")):
            nums.append(NumberObject(key + offset))
            nums.append(value.clone(writer) if hasattr(value, "clone") else value)
        for name, value in (tree.get("/RoleMap") or {}).items():
            role_map[NameObject(name)] = value
        next_key = int(tree.get("/ParentTreeNextKey", 0)) or (max(_keys(tree.get("/ParentTree")), default=-1) + 1)
        for index in range(start, start + count):
            page = writer.pages[index]
            if "/StructParents" in page:
                page[NameObject("/StructParents")] = NumberObject(int(page["/StructParents"]) + offset)
            for annotation in page.get("/Annots", []) or []:
                annotation = annotation.get_object()
                if "/StructParent" in annotation:
                    annotation[NameObject("/StructParent")] = NumberObject(int(annotation["/StructParent"]) + offset)
        offset += next_key
    document[NameObject("/K")] = kids
    root = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/StructTreeRoot"),
            NameObject("/K"): document_ref,
            NameObject("/ParentTree"): writer._add_object(DictionaryObject({NameObject("/Nums"): nums})),
            NameObject("/ParentTreeNextKey"): NumberObject(offset),
        }
    )
    if role_map:
        root[NameObject("/RoleMap")] = role_map
    root_ref = writer._add_object(root)
    document[NameObject("/P")] = root_ref
    writer._root_object[NameObject("/StructTreeRoot")] = root_ref


def _number_tree_items(tree):
    if tree is None:
        return
    tree = tree.get_object()
    nums = tree.get("/Nums")
    if nums:
        for index in range(0, len(nums), 2):
            yield int(nums[index]), nums[index + 1]
    for kid in tree.get("/Kids", []) or []:
        yield from _number_tree_items(kid)


def _keys(tree):
    return [key for key, _ in _number_tree_items(tree)]


def _link_contents(writer, front_pages, pack_items):
    """Make each contents entry on the front sheet a link to the page where its item starts."""
    targets = {f"{CONTENTS_LINK}{p.number}": p.first_page - 1 for p in pack_items if p.first_page}
    if not targets:
        return
    for page in writer.pages[:front_pages]:
        for annotation in list(page.get("/Annots", []) or []):
            annotation = annotation.get_object()
            action = annotation.get("/A")
            uri = action.get_object().get("/URI") if action is not None else None
            if uri in targets:
                annotation.pop("/A", None)
                annotation[NameObject("/Dest")] = ArrayObject(
                    [writer.pages[targets[uri]].indirect_reference, NameObject("/Fit")]
                )
            elif isinstance(uri, str) and uri.startswith(CONTENTS_LINK):
                annotation.pop("/A", None)  # never leave a placeholder address in the pack


def _stamps(total):
    """A document of `total` pages bearing only "Pack page N of total", kept for the next build."""
    name = f"packs/stamps/pages-{total}-v1.pdf"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as handle:
            return PdfReader(io.BytesIO(handle.read()))
    data = _render(render_to_string("boards/pdf/page_numbers.html", {"total": total}))
    default_storage.save(name, ContentFile(data))
    return PdfReader(io.BytesIO(data))


def _stamp_page_numbers(writer):
    """Print the pack's own continuous page number in the bottom margin of every page."""
    stamps = _stamps(len(writer.pages))
    for index, page in enumerate(writer.pages):
        stamp = stamps.pages[index]
        box = page.mediabox
        stamp_box = stamp.mediabox
        # Keep the number at the bottom right whatever the page size (appendices may be A3 or letter).
        dx = float(box.right) - float(stamp_box.right)
        dy = float(box.bottom) - float(stamp_box.bottom)
        page.merge_transformed_page(stamp, Transformation().translate(dx, dy), over=True, expand=False)
