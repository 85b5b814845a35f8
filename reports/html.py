"""The allow-list for rich text typed into reports, applied on every save.

Only structure survives: paragraphs, headings inside a section, bold, italic, lists, tables and
links to http, https and mailto addresses. Scripts, styles, event handlers, frames, images by URL,
forms and anything else are removed, with their content where it is code (script, style).
"""

from html import escape
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
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
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


def sanitize_html(html):
    """Return the allow-listed part of `html`; an empty paragraph becomes the empty string."""
    if not html:
        return ""
    cleaned = _limit_depth(_cleaner.clean(html)).strip()
    if cleaned in {"<p></p>", "<p><br></p>"}:
        return ""
    return cleaned


class _DepthLimiter(HTMLParser):
    """Re-serialises well-formed HTML, dropping tags (not their text) nested past MAX_DEPTH."""

    VOID = {"br"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.stack = []  # True for a tag that was written, False for one dropped

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            self.out.append(f"<{tag}>")
            return
        keep = sum(self.stack) < MAX_DEPTH
        self.stack.append(keep)
        if keep:
            attributes = "".join(f' {name}="{escape(value or "", quote=True)}"' for name, value in attrs)
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
        if tag == "br":
            self.out.append("<br>")
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
        if tag == "br":
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


_BLOCK_TAGS = {"p", "h3", "h4", "li", "tr", "table", "ul", "ol", "blockquote", "caption", "br"}


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCK_TAGS:
            self.out.append("\n")
        elif tag in {"td", "th"}:
            self.out.append(" | ")

    def handle_endtag(self, tag):
        if tag in _BLOCK_TAGS:
            self.out.append("\n")

    def handle_data(self, data):
        self.out.append(data)


def html_to_text(html):
    """Plain text of sanitised HTML, one line per block, for comparing versions and searching."""
    parser = _TextExtractor()
    parser.feed(html or "")
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.out).splitlines())
    return "\n".join(line for line in lines if line)
