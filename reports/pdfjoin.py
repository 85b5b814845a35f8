"""Joining PDFs into one tagged, numbered document: a report with its appendices, an agenda pack.

- Parts are joined with pikepdf and their tag trees merged into one (each part becomes a Part under
  one Document), so the whole stays a tagged PDF.
- Pages we did not lay out ourselves (uploaded appendices) are shrunk into a frame inside the
  margins, keeping clear the band where the page number goes: nothing of theirs is printed within
  12 mm of the paper's edge or under the number.
- Page numbers ("Page 3 of 9", "Page 41") and "Agenda Item 4" are stamped in the places
  static/css/print-page.css keeps empty for them, as artifacts. The stamps are small documents
  rendered once by WeasyPrint (so their text is real text in the shipped fonts) and kept in storage.
- /PageLabels make the viewer's page label say what the printed number says.
"""

import hashlib
import io
from dataclasses import dataclass

import pikepdf
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from pikepdf import Name

MM = 72 / 25.4
A4 = (595.2756, 841.8898)

# Where an uploaded page is framed: clear of the edges, and of the footer band (print-page.css puts
# the page number 14 to 18 mm from the bottom edge).
FRAME_LEFT = FRAME_RIGHT = FRAME_TOP = 12 * MM
FRAME_BOTTOM = 22 * MM

PAGE_LABEL = "page-label"  # bottom right
ITEM_LABEL = "item-label"  # top right, a report's first page in a pack
STAMP_BLOCK = 50  # "Page N" stamps are made and kept 50 pages at a time
STAMPS_VERSION = "1"


@dataclass
class Part:
    """One document in the joined whole: where its pages start and how many there are."""

    source: pikepdf.Pdf
    start: int
    count: int
    title: str = ""


def append(out, source, *, foreign=False, title=""):
    """Append every page of `source` to `out`; a foreign document's pages are framed. Returns the Part."""
    start = len(out.pages)
    if source is not out:
        out.pages.extend(source.pages)
    count = len(source.pages)
    if foreign:
        for page in out.pages[start : start + count]:
            frame_page(page)
    return Part(source, start, count, title)


def _box(page, name):
    value = page.obj.get(name)
    return [float(v) for v in value] if isinstance(value, pikepdf.Array) and len(value) == 4 else None


def frame_page(page):
    """Shrink the page's content into the frame inside the margins, upright, on a page of its own size.

    The page keeps its size and orientation as the reader saw it (its /Rotate is applied to the
    content and dropped); the content is scaled by at most the few per cent the frame takes, centred,
    and clipped to what was visible (the crop box). Links move with it.
    """
    media = [float(v) for v in page.mediabox]
    visible = _box(page, "/CropBox") or media
    x0, y0 = max(min(visible[0], visible[2]), media[0]), max(min(visible[1], visible[3]), media[1])
    x1, y1 = min(max(visible[0], visible[2]), media[2]), min(max(visible[1], visible[3]), media[3])
    if x1 - x0 < 1 or y1 - y0 < 1:
        x0, y0, x1, y1 = media
    width, height = x1 - x0, y1 - y0
    rotate = int(page.obj.get("/Rotate", 0)) % 360
    # From the page's own space to the upright page as displayed, origin bottom left.
    upright = {
        0: (1, 0, 0, 1, -x0, -y0),
        90: (0, -1, 1, 0, -y0, x1),
        180: (-1, 0, 0, -1, x1, y1),
        270: (0, 1, -1, 0, y1, -x0),
    }.get(rotate, (1, 0, 0, 1, -x0, -y0))
    shown_w, shown_h = (height, width) if rotate in (90, 270) else (width, height)
    inner_w, inner_h = shown_w - FRAME_LEFT - FRAME_RIGHT, shown_h - FRAME_TOP - FRAME_BOTTOM
    if inner_w <= 0 or inner_h <= 0:  # a page smaller than the margins: shrink it to half, centred
        inner_w, inner_h = shown_w / 2, shown_h / 2
        left, bottom = shown_w / 4, shown_h / 4
    else:
        left, bottom = FRAME_LEFT, FRAME_BOTTOM
    scale = min(inner_w / shown_w, inner_h / shown_h, 1)
    tx = left + (inner_w - scale * shown_w) / 2
    ty = bottom + (inner_h - scale * shown_h) / 2
    a, b, c, d, e, f = upright
    matrix = (scale * a, scale * b, scale * c, scale * d, scale * e + tx, scale * f + ty)
    numbers = " ".join(f"{v:.6f}" for v in matrix)
    clip = f"{x0:.4f} {y0:.4f} {width:.4f} {height:.4f} re W n"
    page.contents_add(f"q {numbers} cm {clip}\n".encode(), prepend=True)
    page.contents_add(b"\nQ\n")
    page.obj.MediaBox = pikepdf.Array([0, 0, shown_w, shown_h])
    for name in ("/CropBox", "/TrimBox", "/BleedBox", "/ArtBox", "/Rotate"):
        if name in page.obj:
            del page.obj[name]
    for annotation in page.obj.get("/Annots", pikepdf.Array()):
        _move_annotation(annotation, matrix)


def _apply(matrix, x, y):
    a, b, c, d, e, f = matrix
    return a * x + c * y + e, b * x + d * y + f


def _move_annotation(annotation, matrix):
    rect = annotation.get("/Rect")
    if isinstance(rect, pikepdf.Array) and len(rect) == 4:
        r = [float(v) for v in rect]
        corners = [_apply(matrix, x, y) for x in (r[0], r[2]) for y in (r[1], r[3])]
        xs, ys = [p[0] for p in corners], [p[1] for p in corners]
        annotation.Rect = pikepdf.Array([min(xs), min(ys), max(xs), max(ys)])
    quads = annotation.get("/QuadPoints")
    if isinstance(quads, pikepdf.Array) and len(quads) % 2 == 0:
        values = [float(v) for v in quads]
        moved = []
        for i in range(0, len(values), 2):
            moved.extend(_apply(matrix, values[i], values[i + 1]))
        annotation.QuadPoints = pikepdf.Array(moved)


# Tag trees.


def _foreign(out, source, obj):
    """`obj` of `source` as an object of `out` (pages already copied are reused, not copied again)."""
    if source is out or not isinstance(obj, pikepdf.Object):
        return obj
    if not (obj.is_indirect or isinstance(obj, pikepdf.Dictionary | pikepdf.Array)):
        return obj
    if not obj.is_indirect:
        obj = source.make_indirect(obj)
    return out.copy_foreign(obj)


def merge_tag_trees(out, parts):
    """Combine the parts' structure trees into one, so the joined document is still tagged.

    Each part's top element becomes a Part under one Document; the keys of each part's parent
    tree (which tie marked content on pages and annotations to elements) are shifted so they
    stay unique, and the pages and annotations are renumbered to match. A part that has no tags
    (an appendix made without them) gets the least that keeps its text readable: a Part titled
    with its bookmark, holding each page's content as one paragraph.
    """
    document = out.make_indirect(pikepdf.Dictionary(Type=Name.StructElem, S=Name.Document))
    kids = pikepdf.Array()
    nums = pikepdf.Array()
    role_map = pikepdf.Dictionary()
    offset = 0
    for part in parts:
        source = part.source
        tree = source.Root.get("/StructTreeRoot")
        if tree is None or tree.get("/K") is None:
            kids.append(_tag_untagged(out, part, document, nums, offset))
            offset += part.count
            continue
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
        for index in range(part.start, part.start + part.count):
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


def _tag_untagged(out, part, document, nums, offset):
    """Tag an untagged part's pages: its content becomes one P per page, under a Part (see above)."""
    element = out.make_indirect(pikepdf.Dictionary(Type=Name.StructElem, S=Name.Part, P=document))
    if part.title:
        element.T = pikepdf.String(part.title)
    paragraphs = pikepdf.Array()
    for number, index in enumerate(range(part.start, part.start + part.count)):
        page = out.pages[index]
        paragraph = out.make_indirect(pikepdf.Dictionary(Type=Name.StructElem, S=Name.P, P=element, Pg=page.obj, K=0))
        paragraphs.append(paragraph)
        page.contents_add(b"/P <</MCID 0>> BDC\n", prepend=True)
        page.contents_add(b"\nEMC\n")
        page.obj.StructParents = offset + number
        for annotation in page.obj.get("/Annots", pikepdf.Array()):
            if "/StructParent" in annotation:
                del annotation["/StructParent"]
        nums.append(offset + number)
        nums.append(pikepdf.Array([paragraph]))
    element.K = paragraphs
    return element


def _number_tree_items(tree):
    if tree is None:
        return
    nums = tree.get("/Nums")
    if nums is not None:
        for index in range(0, len(nums), 2):
            yield int(nums[index]), nums[index + 1]
    for kid in tree.get("/Kids", pikepdf.Array()):
        yield from _number_tree_items(kid)


# Stamps: page numbers and item numbers in their reserved places.


def _stamp_document(labels, slot, renderer):
    """A document with one page per label, the label alone in `slot`; rendered once, then from storage."""
    html = render_to_string("reports/pdf/stamps.html", {"labels": labels, "slot": slot})
    digest = hashlib.sha256(f"{STAMPS_VERSION}\n{renderer.fingerprint}\n{html}".encode()).hexdigest()
    name = f"pdf-stamps/{digest[:40]}.pdf"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as handle:
            return pikepdf.open(io.BytesIO(handle.read()))
    data = renderer.render(html)
    default_storage.save(name, ContentFile(data))
    return pikepdf.open(io.BytesIO(data))


@dataclass(frozen=True)
class Renderer:
    """How stamps are laid out: reports.pdf's renderer (`render`: HTML to PDF bytes) and its
    fingerprint, handed in by the caller so that this module does not import the renderer
    (which imports this one to join a report and its appendices)."""

    render: object
    fingerprint: str


def stamp(out, stamps, slot=PAGE_LABEL, *, renderer):
    """Stamp pages of `out`: `stamps` maps a page index to (the labels of a stamp document, which one).

    A page-label stamp is set in the page's bottom-right corner, an item label in its top-right
    corner, as print-page.css places them on an A4 page, whatever the page's own size.
    """
    documents = {}
    for index, (labels, which) in stamps.items():
        labels = tuple(labels)
        if labels not in documents:
            documents[labels] = _stamp_document(labels, slot, renderer)
        source = documents[labels].pages[which]
        box = [float(v) for v in out.pages[index].mediabox]
        right, bottom, top = max(box[0], box[2]), min(box[1], box[3]), max(box[1], box[3])
        if slot == PAGE_LABEL:
            rect = pikepdf.Rectangle(right - A4[0], bottom, right, bottom + A4[1])
        else:
            rect = pikepdf.Rectangle(right - A4[0], top - A4[1], right, top)
        out.pages[index].add_overlay(source, rect)


def page_number_stamps(first_index, count, first_number=1):
    """Stamps "Page N" on `count` pages from `first_index`, numbered from `first_number`."""
    stamps = {}
    for offset in range(count):
        number = first_number + offset
        block = (number - 1) // STAMP_BLOCK
        labels = tuple(f"Page {n}" for n in range(block * STAMP_BLOCK + 1, (block + 1) * STAMP_BLOCK + 1))
        stamps[first_index + offset] = (labels, (number - 1) % STAMP_BLOCK)
    return stamps


def page_of_stamps(first_index, count, prefix="Page", total=None):
    """Stamps "Page 3 of 9" (or "Appendix A, page 3 of 9") on `count` pages from `first_index`."""
    total = total or count
    labels = tuple(f"{prefix} {n} of {total}" for n in range(1, total + 1))
    return {first_index + n: (labels, n) for n in range(count)}


def item_stamps(items):
    """Stamps "Agenda Item N" on the pages given: {page index: item number}."""
    stamps = {}
    for index, number in items.items():
        block = (number - 1) // STAMP_BLOCK
        labels = tuple(f"Agenda Item {n}" for n in range(block * STAMP_BLOCK + 1, (block + 1) * STAMP_BLOCK + 1))
        stamps[index] = (labels, (number - 1) % STAMP_BLOCK)
    return stamps


def label_pages(out, ranges):
    """Set /PageLabels: `ranges` is [(first page index, prefix, first number)], decimal numbers."""
    nums = pikepdf.Array()
    for start, prefix, first in ranges:
        label = pikepdf.Dictionary(S=Name.D)
        if prefix:
            label.P = pikepdf.String(prefix)
        if first != 1:
            label.St = first
        nums.append(start)
        nums.append(label)
    out.Root.PageLabels = pikepdf.Dictionary(Nums=nums)


def save(out):
    """The document's bytes, compact (object streams)."""
    buffer = io.BytesIO()
    out.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()
