"""The allow-list for rich text typed into reports, applied on every save.

Only structure survives: paragraphs, headings inside a section, bold, italic, lists, tables,
links to http, https and mailto addresses, and figures: `<figure>`, `<figcaption>` and `<img>` whose
src is one of the report's own figures (/reports/<its id>/figures/<n>/) and whose alt text is not
empty. Scripts, styles, event handlers, frames, images from anywhere else, forms and anything else
are removed, with their content where it is code (script, style).
"""

import functools
import re
from html import escape, unescape
from html.parser import HTMLParser

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "sub",
    "sup",
    "ul",
    "ol",
    "li",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "caption",
    "a",
    "figure",
    "figcaption",
    "img",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt"},
    "ol": {"start", "type"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# Deeply nested markup is flattened past this depth rather than crashing a parser downstream.
MAX_DEPTH = 60

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style", "template", "noscript", "iframe", "object", "svg", "math"},
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)


def sanitize_html(html, *, report_id=None):
    """Return the allow-listed part of `html`; an empty paragraph becomes the empty string.

    Images are kept only in a report's body (`report_id`), only when they show one of that
    report's own figures and have alternative text.
    """
    if not html:
        return ""
    cleaned = _limit_depth(_cleaner.clean(html)).strip()
    if "<img" in cleaned:
        cleaned = _IMG.sub(lambda match: _own_figure_image(match, report_id), cleaned)
        cleaned = _EMPTY_FIGURE.sub("", cleaned)
    if cleaned in {"<p></p>", "<p><br></p>"}:
        return ""
    return cleaned


# A figure's address, as reports/urls.py makes it (`reports:figure`). Root-relative, so the same
# body works on the editor, the report page, the public paper page and in the PDF renderer.
FIGURE_SRC = re.compile(r"^/reports/(\d{1,12})/figures/(\d{1,12})/$")

# An <img> as nh3 writes it: attributes double-quoted, any quote inside escaped.
_IMG = re.compile(r'<img((?:\s+[\w:-]+="[^"]*")*)\s*/?>')
_ATTRIBUTE = re.compile(r'([\w:-]+)="([^"]*)"')
_EMPTY_FIGURE = re.compile(r"<figure>\s*</figure>")


def figure_images(html):
    """(report id, figure id, src, alt) for each <img> in `html`, in order, src and alt unescaped; the ids
    are None unless src is a figure's address."""
    found = []
    for match in _IMG.finditer(html or ""):
        attributes = {name.lower(): unescape(value) for name, value in _ATTRIBUTE.findall(match.group(1))}
        src, alt = attributes.get("src", "").strip(), attributes.get("alt", "")
        own = FIGURE_SRC.match(src)
        found.append((int(own[1]) if own else None, int(own[2]) if own else None, src, alt))
    return found


def body_images(html):
    """figure_images() of `html` as the allow-list first sees it, before it drops any image."""
    if "<img" not in (html or "").lower():
        return []
    return figure_images(_cleaner.clean(html))


def _own_figure_image(match, report_id):
    [(report, figure, src, alt)] = figure_images(match.group(0))
    if report_id is None or report != report_id or not alt.strip():
        return ""
    return f'<img src="{escape(src, quote=True)}" alt="{escape(alt.strip(), quote=True)}">'


class _DepthLimiter(HTMLParser):
    """Re-serialises well-formed HTML, dropping tags (not their text) nested past MAX_DEPTH."""

    VOID = {"br", "img"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.stack = []  # True for a tag that was written, False for one dropped

    def handle_starttag(self, tag, attrs):
        attributes = "".join(f' {name}="{escape(value or "", quote=True)}"' for name, value in attrs)
        if tag in self.VOID:
            self.out.append(f"<{tag}{attributes}>")
            return
        keep = sum(self.stack) < MAX_DEPTH
        self.stack.append(keep)
        if keep:
            self.out.append(f"<{tag}{attributes}>")

    def handle_endtag(self, tag):
        if tag in self.VOID or not self.stack:
            return
        if self.stack.pop():
            self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(escape(data, quote=False))


def _limit_depth(html):
    if html.count("<") < MAX_DEPTH:
        return html
    parser = _DepthLimiter()
    parser.feed(html)
    parser.close()
    return "".join(parser.out)


class _ParagraphNumberer(HTMLParser):
    """Numbers a section's top-level ordered-list items as paragraphs: 1.1, 1.2, ..."""

    def __init__(self, section_number):
        super().__init__(convert_charrefs=True)
        self.section_number = section_number
        self.count = 0
        self.depth = 0
        self.paragraph_list_depth = None
        self.out = []

    def handle_starttag(self, tag, attrs):
        attributes = "".join(f' {name}="{escape(value or "", quote=True)}"' for name, value in attrs)
        if tag in {"br", "img"}:
            self.out.append(f"<{tag}{attributes}>")
            return
        if tag == "ol" and self.depth == 0:
            self.paragraph_list_depth = 1
            self.out.append('<ol class="paragraphs">')
        elif tag == "li" and self.paragraph_list_depth == 1 and self.depth == 1:
            self.count += 1
            number = f"{self.section_number}.{self.count}"
            self.out.append(f'<li id="para-{number}"><span class="paragraph-number">{number}</span> ')
        else:
            self.out.append(f"<{tag}{attributes}>")
        self.depth += 1

    def handle_endtag(self, tag):
        if tag in {"br", "img"}:
            return
        self.depth -= 1
        if tag == "ol" and self.depth == 0:
            self.paragraph_list_depth = None
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(escape(data, quote=False))


def number_paragraphs(section_number, html):
    """Return a sanitised section body with its numbered paragraphs labelled 1.1, 1.2, ..."""
    parser = _ParagraphNumberer(section_number)
    parser.feed(html or "")
    parser.close()
    return "".join(parser.out)


class _FigureNumberer(HTMLParser):
    """Labels each figure with an image "Figure N", before its caption's own words, from `first` on."""

    def __init__(self, first):
        super().__init__(convert_charrefs=True)
        self.number = first
        self.out = []
        self.figures = []  # per open <figure>: {"number", "label_at", "caption_words"}
        self.in_caption = None

    def handle_starttag(self, tag, attrs):
        attributes = "".join(f' {name}="{escape(value or "", quote=True)}"' for name, value in attrs)
        self.out.append(f"<{tag}{attributes}>")
        if tag == "figure":
            self.figures.append({"number": None, "label_at": None, "caption_words": False})
        elif tag == "img" and self.figures and self.figures[-1]["number"] is None:
            self.figures[-1]["number"] = self.number
            self.number += 1
        elif tag == "figcaption" and self.figures and self.figures[-1]["label_at"] is None:
            self.figures[-1]["label_at"] = len(self.out)
            self.out.append("")
            self.in_caption = self.figures[-1]

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "img":
            return
        if tag == "figcaption":
            self.in_caption = None
        if tag == "figure" and self.figures:
            figure = self.figures.pop()
            if figure["number"] is not None:
                label = f'<span class="figure-number">Figure {figure["number"]}</span>'
                if figure["label_at"] is None:
                    self.out.append(f"<figcaption>{label}</figcaption>")
                else:
                    self.out[figure["label_at"]] = label + (": " if figure["caption_words"] else "")
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if self.in_caption is not None and data.strip():
            self.in_caption["caption_words"] = True
        self.out.append(escape(data, quote=False))


def number_figures(html, first=1):
    """(html, next number): each figure that has an image captioned "Figure N: ...", counting from `first`."""
    if "<figure" not in (html or ""):
        return html or "", first
    parser = _FigureNumberer(first)
    parser.feed(html)
    parser.close()
    return "".join(parser.out), parser.number


def numbered_sections(sections, *, report_id, sanitise=False):
    """[(number, section, html)]: the body as shown and printed, paragraphs numbered 1.1, 1.2, ... within
    each section and figures "Figure 1", "Figure 2", ... through the whole report, in order.

    `sanitise` applies the allow-list again, for a renderer that trusts no route the text came by.
    """
    numbered = []
    next_figure = 1
    for number, section in enumerate(sections, start=1):
        body = sanitize_html(section.body, report_id=report_id) if sanitise else section.body
        html, next_figure = number_figures(number_paragraphs(number, body), next_figure)
        numbered.append((number, section, html))
    return numbered


_BLOCK_TAGS = {
    "p",
    "h3",
    "h4",
    "li",
    "tr",
    "table",
    "ul",
    "ol",
    "blockquote",
    "caption",
    "br",
    "figure",
    "figcaption",
}


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCK_TAGS:
            self.out.append("\n")
        elif tag in {"td", "th"}:
            self.out.append(" | ")
        elif tag == "img":
            # A figure reads as its alt text, with its file's number: a new picture is a change.
            [(_, figure, _, alt)] = figure_images(self.get_starttag_text()) or [(None, None, "", "")]
            which = f" (file {figure})" if figure else ""
            self.out.append(f"\n[Image{which}: {' '.join(alt.split())}]\n")

    def handle_endtag(self, tag):
        if tag in _BLOCK_TAGS:
            self.out.append("\n")

    def handle_data(self, data):
        self.out.append(data)


def html_to_text(html):
    """Plain text of sanitised HTML, one line per block, for comparing versions and searching."""
    html = html or ""
    # Every autosave reindexes the report (reports.searchindex) with its sections as they were: the
    # texts of the bodies seen lately are kept, not parsed again (up to REMEMBERED_TEXTS, each short).
    return _remembered_text(html) if len(html) <= REMEMBERED_TEXT_MAX else _html_to_text(html)


REMEMBERED_TEXTS, REMEMBERED_TEXT_MAX = 256, 100_000


def _html_to_text(html):
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.out).splitlines())
    return "\n".join(line for line in lines if line)


_remembered_text = functools.lru_cache(maxsize=REMEMBERED_TEXTS)(_html_to_text)
