"""Stable anchors for the blocks of a report a member may note, and re-anchoring a note after a correction.

Every block a member can select is given an anchor that survives a correction of other blocks:

- a body paragraph or other top-level block of a section: ``s<Section pk>-p<ordinal>``, the ordinal
  counting the section's top-level blocks (each numbered paragraph 1.1, 1.2 ... is one, and so is a
  heading, a table or a figure between them);
- a paragraph of the summary, the reasons, the alternatives or the costs: ``r<Report pk>-<field>-p<n>``;
- a recommendation: ``r<Report pk>-recommendations-p<n>``;
- a page of an appendix: ``ap<Appendix pk>-<page>``.

A note keeps its anchor, the paragraph's text when it was made and a fingerprint of that text. When
shown (`reanchor`) it is placed: same anchor and same text: ok; the same text found under another
anchor of the meeting (renumbered or moved): it follows, ok; same anchor with other words, or the most
similar block of the same section: "changed", with the word-level difference; nothing: "detached".
"""

import difflib
import hashlib
import re
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

from django.utils.html import linebreaks

from reports.html import html_to_text, number_figures

# What an anchor may look like: anything else sent by a client is refused before it is looked up.
ANCHOR = re.compile(r"^(?:s\d{1,12}-p\d{1,5}|r\d{1,12}-[a-z_]{1,30}-p\d{1,5}|ap\d{1,12}-\d{1,5})$")

# A changed paragraph is followed to the most similar block of its section when at least this similar.
SIMILAR_ENOUGH = 0.6

# The plain-text blocks of the template a member may note, in reading order: (field, label).
TEXT_FIELDS = [
    ("summary", "Summary"),
    ("reasons", "Reasons for the Recommendation(s)"),
    ("alternatives", "Alternative Options Considered and Rejected"),
    ("revenue_costs", "(A) Revenue Costs"),
    ("capital_costs", "(B) Capital Costs"),
]


@dataclass
class Block:
    """One block a member may note: its anchor, printed number (if any), plain text and where it is."""

    anchor: str
    text: str
    number: str = ""
    label: str = ""
    section: str = ""  # the group a changed paragraph is looked for in: "s<pk>" or "r<pk>-<field>"
    page: int | None = None
    item: int | None = None  # the agenda item's pk

    @property
    def fingerprint(self):
        return fingerprint(self.text)


def normalise(text):
    return " ".join((text or "").split())


def fingerprint(text):
    """A short fingerprint of a block's words (spacing aside)."""
    return hashlib.sha256(normalise(text).encode()).hexdigest()[:16]


def text_paragraphs(value):
    """A plain-text field's paragraphs, as Django's `linebreaks` splits them."""
    return [p for p in re.split(r"\n\s*\n", (value or "").replace("\r\n", "\n").strip()) if p.strip()]


def text_blocks_html(report, field):
    """A plain-text field as paragraphs, each an annotatable block: (html, [Block])."""
    html, blocks = [], []
    for n, paragraph in enumerate(text_paragraphs(getattr(report, field)), start=1):
        anchor = f"r{report.pk}-{field}-p{n}"
        blocks.append(Block(anchor, normalise(paragraph), section=f"r{report.pk}-{field}"))
        inner = linebreaks(paragraph)[3:-4]  # escaped, <br> for single newlines; without its <p></p>
        html.append(f"<p {_attributes(anchor)}>{inner}</p>")
    return "\n".join(html), blocks


def _attributes(anchor, number="", page=None):
    out = f'id="a-{anchor}" data-anchor="{anchor}" class="anno"'
    if number:
        out += f' data-number="{escape(number)}"'
    if page:
        out += f' data-page="{page}"'
    return out


class _Annotator(HTMLParser):
    """A section body with each top-level block (and each numbered paragraph) given its anchor.

    Numbered paragraphs are the top-level ordered lists' items, numbered "<section>.<n>" through the
    section as reports/html.py numbers them for the page and the PDF.
    """

    VOID = {"br", "img"}
    # Top-level blocks whose children must be list items or table rows.
    WRAPPED = {"ul", "dl", "table"}

    def __init__(self, section, number):
        super().__init__(convert_charrefs=True)
        self.section, self.number = section, number
        self.out, self.blocks = [], []
        self.depth = 0
        self.ordinal = 0
        self.paragraphs = 0
        self.in_list = False
        self.block = None  # (depth it opened at, its Block, [text pieces])

    def _open(self, tag, attrs, number=""):
        self.ordinal += 1
        anchor = f"s{self.section.pk}-p{self.ordinal}"
        self.block = (self.depth, Block(anchor, "", number=number, section=f"s{self.section.pk}"), [])
        return _attributes(anchor, number)

    def handle_starttag(self, tag, attrs):
        attributes = "".join(f' {name}="{escape(value or "", quote=True)}"' for name, value in attrs)
        if tag in self.VOID:
            if self.depth == 0 and tag == "img":
                attributes += " " + self._open(tag, attrs)
                self._close()
            self.out.append(f"<{tag}{attributes}>")
            if self.block and tag == "br":
                self.block[2].append("\n")
            return
        if self.depth == 0 and tag == "ol":
            self.in_list = True
            self.out.append('<ol class="paragraphs">')
        elif self.depth == 0 and tag in self.WRAPPED:
            # A list or a table cannot hold the note's button and notes: a div around it carries the anchor.
            self.out.append(f"<div {self._open(tag, attrs)}><{tag}{attributes}>")
        elif self.depth == 0:
            self.out.append(f"<{tag}{attributes} {self._open(tag, attrs)}>")
        elif self.depth == 1 and self.in_list and tag == "li":
            self.paragraphs += 1
            number = f"{self.number}.{self.paragraphs}"
            self.out.append(
                f'<li {self._open(tag, attrs, number)}><span class="paragraph-number" aria-hidden="true">{number}</span> '
            )
        else:
            self.out.append(f"<{tag}{attributes}>")
            if self.block and tag in {"p", "li", "tr", "h3", "h4", "figcaption"}:
                self.block[2].append("\n")
        self.depth += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        self.depth -= 1
        if tag == "ol" and self.depth == 0:
            self.in_list = False
        self.out.append(f"</{tag}>")
        if self.depth == 0 and tag in self.WRAPPED:
            self.out.append("</div>")
        if self.block and self.depth == self.block[0]:
            self._close()

    def _close(self):
        _, block, pieces = self.block
        block.text = normalise("".join(pieces))
        self.blocks.append(block)
        self.block = None

    def handle_data(self, data):
        if self.block:
            self.block[2].append(data)
        self.out.append(escape(data, quote=False))


def annotate_section(section, number):
    """(html, [Block]) of one section's body: its blocks anchored, its paragraphs numbered."""
    parser = _Annotator(section, number)
    parser.feed(section.body or "")
    parser.close()
    return "".join(parser.out), parser.blocks


def annotated_sections(report):
    """[(number, section, html)] and [Block] of the report's body, figures numbered through it."""
    numbered, blocks = [], []
    next_figure = 1
    for number, section in enumerate(report.sections.all(), start=1):
        html, found = annotate_section(section, number)
        html, next_figure = number_figures(html, next_figure)
        numbered.append((number, section, html))
        for block in found:
            block.label = f"{number}. {section.heading}"
        blocks += found
    return numbered, blocks


def report_blocks(report, *, with_html=False):
    """Every block of `report` a member may note, in reading order; with `with_html`, also the HTML of
    each text field and of the body for the reader to print: (blocks, {field: html}, sections)."""
    blocks, html = [], {}
    for field, label in TEXT_FIELDS[:1]:
        html[field], found = text_blocks_html(report, field)
        blocks += _labelled(found, label)
    for index, recommendation in enumerate(report.recommendations.all(), start=1):
        blocks.append(
            Block(
                f"r{report.pk}-recommendations-p{index}",
                normalise(recommendation.text),
                number=f"({index})",
                label="Recommendation(s)",
                section=f"r{report.pk}-recommendations",
            )
        )
    for field, label in TEXT_FIELDS[1:]:
        html[field], found = text_blocks_html(report, field)
        blocks += _labelled(found, label)
    sections, body = annotated_sections(report)
    blocks += body
    for appendix in report.appendices.all():
        for page in range(1, (appendix.page_count or 0) + 1):
            blocks.append(
                Block(f"ap{appendix.pk}-{page}", f"{appendix.title}, page {page}", label=appendix.title,
                      section=f"ap{appendix.pk}")
            )  # fmt: skip
    if with_html:
        return blocks, html, sections
    return blocks


def _labelled(blocks, label):
    for block in blocks:
        block.label = label
    return blocks


def word_diff(old, new):
    """The word-level difference of two texts: [(op, words)], op one of "same", "removed", "added"."""
    a, b = normalise(old).split(), normalise(new).split()
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("same", " ".join(a[i1:i2])))
        else:
            if i2 > i1:
                out.append(("removed", " ".join(a[i1:i2])))
            if j2 > j1:
                out.append(("added", " ".join(b[j1:j2])))
    return out


@dataclass
class Placement:
    """Where a note is shown now: its state ("ok", "changed", "detached"), the block, and the difference."""

    state: str
    block: Block | None = None
    diff: list | None = None

    @property
    def anchor(self):
        return self.block.anchor if self.block else None


class BlockIndex:
    """The blocks of a meeting's papers, looked up by anchor, fingerprint and section."""

    def __init__(self, blocks):
        self.blocks = list(blocks)
        self.by_anchor = {block.anchor: block for block in self.blocks}
        self.by_fingerprint = {}
        self.by_section = {}
        for block in self.blocks:
            self.by_fingerprint.setdefault(block.fingerprint, block)
            self.by_section.setdefault(block.section, []).append(block)

    def __contains__(self, anchor):
        return anchor in self.by_anchor

    def get(self, anchor):
        return self.by_anchor.get(anchor)

    def place(self, anchor, paragraph):
        """Where a note made on `anchor`, whose paragraph then read `paragraph`, belongs now."""
        paragraph = normalise(paragraph)
        print_ = fingerprint(paragraph)
        here = self.by_anchor.get(anchor)
        if here is not None and here.fingerprint == print_:
            return Placement("ok", here)
        moved = self.by_fingerprint.get(print_) if paragraph else None
        if moved is not None:
            return Placement("ok", moved)
        if here is None:
            here = self._most_similar(anchor, paragraph)
        if here is None:
            return Placement("detached")
        return Placement("changed", here, word_diff(paragraph, here.text))

    def _most_similar(self, anchor, paragraph):
        """The block of the note's section (as its anchor names it) most like `paragraph`, if like enough."""
        section = _section_of(anchor)
        best, best_ratio = None, SIMILAR_ENOUGH
        words = paragraph.split()
        for block in self.by_section.get(section, []):
            ratio = difflib.SequenceMatcher(a=words, b=block.text.split(), autojunk=False).ratio()
            if ratio >= best_ratio:
                best, best_ratio = block, ratio
        return best


def _section_of(anchor):
    if anchor.startswith("s"):
        return anchor.split("-")[0]
    if anchor.startswith("ap"):
        return anchor.split("-")[0]
    return anchor.rsplit("-", 1)[0]


def html_text(html):
    """Plain text of HTML on one line, for search and quotes."""
    return normalise(html_to_text(html))
