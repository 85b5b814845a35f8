"""What a PDF really prints, read back from the file: for the layout and accessibility tests.

- `page_marks(data)`: every glyph, line, box and image on every page, where it is (in points, from
  the page's own geometry, through every transformation and form, less what a clip hides) and how
  it is marked: inside an /Artifact, or tied to a structure element by its MCID. Read with
  pdfminer.six.
- `structure(data)`: the tag tree in reading order (element types, attributes, alternative text)
  and the (page, MCID) pairs it reaches. Read with pikepdf.
"""

import io
from dataclasses import dataclass, field

import pikepdf
from pdfminer.converter import PDFLayoutAnalyzer
from pdfminer.layout import LTChar, LTContainer, LTCurve, LTImage
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.utils import apply_matrix_pt

MM = 72 / 25.4


@dataclass
class Mark:
    """One thing drawn on a page: its kind ("glyph", "path", "image", "link"), box, text and tagging."""

    kind: str
    page: int
    bbox: tuple
    text: str = ""
    artifact: bool = False
    mcid: int | None = None


@dataclass
class Page:
    index: int
    width: float
    height: float
    marks: list = field(default_factory=list)

    def text_in(self, top=None, bottom=None):
        """The glyphs' text within `top` points of the top edge, or within `bottom` of the bottom edge."""
        glyphs = [m for m in self.marks if m.kind == "glyph"]
        if top is not None:
            glyphs = [m for m in glyphs if m.bbox[1] >= self.height - top]
        if bottom is not None:
            glyphs = [m for m in glyphs if m.bbox[3] <= bottom]
        glyphs.sort(key=lambda m: (-round(m.bbox[1]), m.bbox[0]))
        return "".join(m.text for m in glyphs)


class _Interpreter(PDFPageInterpreter):
    """pdfminer's interpreter, also keeping the clipping area (as a box) through q/Q and forms.

    pdfminer draws what is clipped away as if it were visible; an uploaded page framed inside the
    margins is clipped to its crop box, so the measure must know what the clip hides.
    """

    inherited_clip = None

    def dup(self):
        copy = type(self)(self.rsrcmgr, self.device)
        copy.inherited_clip = self.clip
        return copy

    def init_state(self, ctm):
        super().init_state(ctm)
        self.clip = self.inherited_clip
        self.clip_stack = []
        self.clipping = False
        self.device.interpreter = self

    def do_q(self):
        self.clip_stack.append(self.clip)
        super().do_q()

    def do_Q(self):
        if self.clip_stack:
            self.clip = self.clip_stack.pop()
        super().do_Q()

    def do_W(self):
        self.clipping = True

    def do_W_a(self):
        self.clipping = True

    def _take_clip(self):
        if not self.clipping:
            return
        self.clipping = False
        points = []
        for segment in self.curpath:
            values = [v for v in segment[1:] if isinstance(v, (int, float))]
            if segment[0] == "re" and len(values) == 4:
                x, y, w, h = values
                values = [x, y, x + w, y + h, x, y + h, x + w, y]
            points += [apply_matrix_pt(self.ctm, values[i : i + 2]) for i in range(0, len(values) - 1, 2)]
        if points:
            box = (min(p[0] for p in points), min(p[1] for p in points),
                   max(p[0] for p in points), max(p[1] for p in points))  # fmt: skip
            self.clip = _intersect(self.clip, box) or (0, 0, 0, 0)

    def do_n(self):
        self._take_clip()
        super().do_n()

    def do_f(self):
        self._take_clip()
        super().do_f()

    def do_S(self):
        self._take_clip()
        super().do_S()


def _intersect(a, b):
    if a is None:
        return b
    box = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    return box if box[0] < box[2] and box[1] < box[3] else None


class _Recorder(PDFLayoutAnalyzer):
    """A pdfminer device that keeps each glyph with the marked-content sequence it was drawn in."""

    interpreter = None

    def __init__(self, resources):
        super().__init__(resources, pageno=1, laparams=None)
        self.stack = []
        self.tagging = {}  # id(layout item) -> (artifact, mcid, visible box or None)
        self.layouts = []

    def begin_tag(self, tag, props=None):
        mcid = props.get("MCID") if isinstance(props, dict) else None
        self.stack.append((getattr(tag, "name", str(tag)), mcid))

    def end_tag(self):
        if self.stack:
            self.stack.pop()

    def _remember(self):
        item = self.cur_item._objs[-1] if self.cur_item._objs else None
        if item is not None:
            artifact = any(name == "Artifact" for name, _ in self.stack)
            mcid = next((m for _, m in reversed(self.stack) if m is not None), None)
            clip = self.interpreter.clip if self.interpreter is not None else None
            visible = _intersect(clip, item.bbox) if clip is not None else item.bbox
            self.tagging[id(item)] = (artifact, mcid, visible)

    def render_char(self, *args, **kwargs):
        advance = super().render_char(*args, **kwargs)
        self._remember()
        return advance

    def paint_path(self, *args, **kwargs):
        before = len(self.cur_item._objs)
        super().paint_path(*args, **kwargs)
        if len(self.cur_item._objs) > before:
            self._remember()

    def render_image(self, *args, **kwargs):
        super().render_image(*args, **kwargs)
        self._remember()

    def receive_layout(self, ltpage):
        self.layouts.append(ltpage)


def _walk(item):
    if isinstance(item, (LTChar, LTCurve, LTImage)):
        yield item
    elif isinstance(item, LTContainer):
        for child in item:
            yield from _walk(child)


def page_marks(data):
    """Every page of `data` (PDF bytes) with what is drawn on it; see the module's docstring."""
    resources = PDFResourceManager(caching=True)
    device = _Recorder(resources)
    interpreter = _Interpreter(resources, device)
    pages = []
    for index, pdf_page in enumerate(PDFPage.get_pages(io.BytesIO(data))):
        interpreter.process_page(pdf_page)
        layout = device.layouts[-1]
        x0, y0, x1, y1 = pdf_page.mediabox
        page = Page(index, x1 - x0, y1 - y0)
        for item in _walk(layout):
            artifact, mcid, visible = device.tagging.get(id(item), (False, None, item.bbox))
            if visible is None:
                continue  # clipped away: not printed
            kind = "glyph" if isinstance(item, LTChar) else "image" if isinstance(item, LTImage) else "path"
            bbox = (visible[0] - x0, visible[1] - y0, visible[2] - x0, visible[3] - y0)
            text = item.get_text() if kind == "glyph" else ""
            page.marks.append(Mark(kind, index, bbox, text, artifact, mcid))
        pages.append(page)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page, pike_page in zip(pages, pdf.pages, strict=True):
            box = [float(v) for v in pike_page.mediabox]
            for annotation in pike_page.obj.get("/Annots", []):
                rect = [float(v) for v in annotation.get("/Rect", [])]
                if len(rect) == 4:
                    left, right = sorted(rect[0::2])
                    bottom, top = sorted(rect[1::2])
                    bbox = (left - box[0], bottom - box[1], right - box[0], top - box[1])
                    page.marks.append(Mark("link", page.index, bbox))
    return pages


def outside_margin(pages, margin_mm=10):
    """Everything drawn closer than `margin_mm` to an edge of its page: [(page, kind, text, bbox)]."""
    limit = margin_mm * MM - 0.01
    found = []
    for page in pages:
        for mark in page.marks:
            left, bottom, right, top = mark.bbox
            if right - left <= 0.01 and top - bottom <= 0.01:
                continue  # nothing visible: an empty path
            if left < limit or bottom < limit or right > page.width - limit or top > page.height - limit:
                found.append((page.index + 1, mark.kind, mark.text, tuple(round(v / MM, 1) for v in mark.bbox)))
    return found


@dataclass
class Element:
    type: str
    attributes: dict
    alt: str | None
    depth: int


@dataclass
class Structure:
    elements: list  # in reading order
    content: set  # (page index, MCID) reached from the tree


def structure(data):
    """The tag tree of `data` in reading order, and the marked content it reaches."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
        root = pdf.Root.get("/StructTreeRoot")
        elements, content, seen = [], set(), set()

        def attributes(element):
            found = {}
            value = element.get("/A")
            for entry in value if isinstance(value, pikepdf.Array) else [value] if value is not None else []:
                if isinstance(entry, pikepdf.Dictionary):
                    found.update({str(k): str(v) for k, v in entry.items()})
            return found

        def visit(node, page, depth):
            if isinstance(node, int):
                if page is not None:
                    content.add((page, node))
                return
            if not isinstance(node, pikepdf.Dictionary):
                return
            if node.is_indirect:
                if node.objgen in seen:
                    return
                seen.add(node.objgen)
            if "/Pg" in node:
                page = pages.get(node.Pg.objgen, page)
            if node.get("/Type") == "/MCR":
                content.add((page, int(node.MCID)))
                return
            if node.get("/Type") == "/OBJR":
                return
            if "/S" in node:
                alt = str(node.Alt) if "/Alt" in node else None
                elements.append(Element(str(node.S), attributes(node), alt, depth))
            kids = node.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
                visit(kid, page, depth + 1)

        if root is not None:
            visit(root, None, 0)
        return Structure(elements, content)


def heading_skips(elements):
    """Headings that skip a level going down (H2 then H4), or a first heading that is not H1."""
    problems, previous = [], 0
    for element in elements:
        if element.type in {f"/H{n}" for n in range(1, 7)}:
            level = int(element.type[2])
            if level > previous + 1:
                problems.append(f"H{level} after H{previous or '(none)'}")
            previous = level
    return problems
