"""Read a .docx written on the council's template into a report's fields (issue 18).

The document is read in body order (paragraphs and tables) with python-docx. Each paragraph or
table row is either a template label ("Summary:", "Recommendation(s)", "(A) Revenue Costs", ...),
which says where what follows goes, or content for the block last named. Labels are matched
forgivingly: case, punctuation, "(s)" and a missing colon do not matter, and a label may carry its
value on the same line ("Contact Officer: Jo Bloggs"). Whatever cannot be placed is kept in
`Reading.unplaced` as (where, text), never dropped. Nothing the document links to is fetched.
"""

import datetime
import io
import re
from dataclasses import dataclass, field
from html import escape

from docx import Document
from docx.table import Table
from docx.text.hyperlink import Hyperlink
from docx.text.paragraph import Paragraph

from reports.models import is_internal_consultations_sentence
from wordio.safety import Refused


def norm(text):
    """A label as compared: lower case, "(s)" as "s", letters and digits only, single spaces."""
    text = (text or "").lower().replace("(s)", "s").replace("’", "").replace("'", "")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


# Header grid labels: field name by normalised label.
HEADER = {
    "report to": "board",
    "date of meeting": "meeting",
    "subject": "subject",
    "report of": "report_of",
    "wards affected": "wards",
    "portfolio": "portfolio",
    "is this a key decision": "is_key_decision",
    "key decision": "is_key_decision",
    "included in forward plan": "in_forward_plan",
    "exempt confidential report": "is_exempt",
    "exempt report": "is_exempt",
}
CONTACT = {"contact officer": "contact_officer", "telephone number": "contact_phone", "email address": "contact_email"}

# Block labels: the block they open.
BLOCKS = {
    "summary": "summary",
    "recommendations": "recommendations",
    "recommendation": "recommendations",
    "reasons for the recommendations": "reasons",
    "reasons for the recommendation": "reasons",
    "alternative options considered and rejected": "alternatives",
    "alternative options considered and rejected including any risk implications": "alternatives",
    "what will it cost and how will it be financed": "costs",
    "a revenue costs": "revenue_costs",
    "revenue costs": "revenue_costs",
    "b capital costs": "capital_costs",
    "capital costs": "capital_costs",
    "implications of the proposals": "implications",
    "contribution to the councils core purpose": "core_purposes",
    "contribution to the councils core purposes": "core_purposes",
    "what consultations have taken place on the proposals and when": "consultations",
    "a internal consultations": "internal",
    "b external consultations": "external_consultations",
    "implementation date for the decision": "implementation_date",
    "appendices": "appendices",
    "background papers": "background_papers",
}
TEXT_BLOCKS = {
    "summary",
    "reasons",
    "alternatives",
    "revenue_costs",
    "capital_costs",
    "external_consultations",
    "implementation_date",
    "background_papers",
}
BLOCK_NAMES = {
    "start": "Before the template's first label",
    "summary": "Summary",
    "recommendations": "Recommendation(s)",
    "reasons": "Reasons for the Recommendation(s)",
    "alternatives": "Alternative Options Considered and Rejected",
    "costs": "What will it cost and how will it be financed?",
    "revenue_costs": "(A) Revenue Costs",
    "capital_costs": "(B) Capital Costs",
    "implications": "Implications of the Proposals",
    "core_purposes": "Contribution to the Council's Core Purpose",
    "consultations": "What consultations have taken place",
    "internal": "(A) Internal Consultations (only the system's standard sentence is recognised: it is written from the sign-offs)",
    "external_consultations": "(B) External Consultations",
    "implementation_date": "Implementation Date for the Decision",
    "appendices": "Appendices (upload each appendix's file on the report's page)",
    "background_papers": "Background Papers",
    "body": "Body",
}
CLIMATE = {
    "have a positive impact": "positive",
    "have a neutral impact": "neutral",
    "have a negative impact": "negative",
}
TRAINING = "the author has undertaken the climate emergency training for report authors"
NO_APPENDICES = "there are no appendices to this report"

SECTION_HEADING = re.compile(r"^(\d{1,2})\.?\s+(\D.{0,240})$")
RECOMMENDATION_NUMBER = re.compile(r"^\s*(?:\(\d{1,3}\)|\d{1,3}[.)])\s*")
BULLET = re.compile(r"^\s*[-•·▪–]\s+")


@dataclass
class Reading:
    """What was read: raw header values, the report's text fields, rows, and what was not placed."""

    header: dict = field(default_factory=dict)  # field name: text as written
    fields: dict = field(default_factory=dict)  # Report field: text
    recommendations: list = field(default_factory=list)
    implications: dict = field(default_factory=dict)  # normalised type name: (name as written, text)
    core_purposes: dict = field(default_factory=dict)
    climate: dict = field(default_factory=dict)  # climate_impact, climate_training, climate_explanation
    sections: list = field(default_factory=list)  # [heading, [html parts]]
    unplaced: list = field(default_factory=list)  # (where, text)
    labels_found: int = 0
    internal_consultations: str = ""  # the standard sentence as written, recognised and not imported
    pictures: list = field(default_factory=list)  # (alt text, image bytes) of the body's pictures, by FIGURE_TOKEN

    def keep(self, where, text):
        text = text.strip()
        if text:
            self.unplaced.append((BLOCK_NAMES.get(where, where), text))


def open_document(data):
    """The python-docx Document of checked bytes; Refused when python-docx cannot read it."""
    try:
        return Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds for a broken part (KeyError, XMLSyntaxError, ...)
        raise Refused(
            "The file could not be read as a Word document: a part of it is damaged or missing. "
            "Open it in Word, save it as a Word Document (.docx) and upload it again."
        ) from exc


def _cells(row):
    """A table row's cells' texts, a merged cell once."""
    seen, texts = set(), []
    for cell in row.cells:
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        texts.append(cell.text.strip())
    return texts


def _split_label(text, labels):
    """(key, rest) when `text` is a label of `labels` or starts with one followed by ":" or ";"; else None."""
    key = norm(text)
    if key in labels:
        return labels[key], ""
    match = re.match(r"^([^:;]{1,120})[:;]\s*(.*)$", text, re.S)
    if match and norm(match.group(1)) in labels:
        return labels[norm(match.group(1))], match.group(2).strip()
    return None


def _inline_html(paragraph):
    """The paragraph's runs as allow-listed inline HTML: bold, italic, underline, links, line breaks."""
    out = []
    for item in paragraph.iter_inner_content():
        if isinstance(item, Hyperlink):
            text = escape(item.text)
            address = item.address or ""
            if text and address.startswith(("http://", "https://", "mailto:")):
                out.append(f'<a href="{escape(address, quote=True)}">{text}</a>')
            else:
                out.append(text)
            continue
        text = escape(item.text).replace("\n", "<br>")
        if not text:
            continue
        if item.underline:
            text = f"<u>{text}</u>"
        if item.italic:
            text = f"<em>{text}</em>"
        if item.bold:
            text = f"<strong>{text}</strong>"
        out.append(text)
    return "".join(out).replace("</strong><strong>", "").replace("</em><em>", "")


FIGURE_TOKEN = "[[imported-figure:{}]]"  # where the body's n-th picture goes, once it is a Figure
MAX_PICTURE_BYTES = 10 * 1024 * 1024


def _pictures(paragraph):
    """(alt text, image bytes or None) of each picture in a paragraph, in order.

    The alt text is Word's "description" (`wp:docPr/@descr`); the bytes are the picture's own part in
    the file (`a:blip/@r:embed`). A linked picture (`r:link`, outside the file) has None: never fetched.
    """
    found = []
    for drawing in paragraph._p.xpath(".//w:drawing"):
        described = drawing.xpath(".//wp:docPr")
        alt = (described[0].get("descr") or "").strip() if described else ""
        blob = None
        for rid in drawing.xpath(".//a:blip/@r:embed"):
            part = paragraph.part.related_parts.get(rid)
            if part is not None and len(part.blob) <= MAX_PICTURE_BYTES:
                blob = part.blob
        found.append((alt, blob))
    return found


def _style(paragraph):
    try:
        return (paragraph.style.name or "").lower() if paragraph.style is not None else ""
    except (KeyError, ValueError, AttributeError):
        return ""


class _Body:
    """Builds one section's HTML: numbered paragraphs as the top-level <ol>, bullets as <ul>."""

    def __init__(self, number):
        self.number = number
        self.parts = []
        self.open_list = None

    def _close(self):
        if self.open_list:
            self.parts.append(f"</{self.open_list}>")
            self.open_list = None

    def item(self, kind, html):
        if self.open_list != kind:
            self._close()
            self.parts.append(f"<{kind}>")
            self.open_list = kind
        self.parts.append(f"<li>{html}</li>")

    def block(self, html):
        self._close()
        self.parts.append(html)

    def html(self):
        self._close()
        return "".join(self.parts)


def _strip_prefix(html, pattern):
    """`html` without a leading text prefix matching `pattern` (the number Word users type)."""
    match = re.match(r"^((?:<(?:strong|em|u)>)*)" + pattern, html)
    return match.group(1) + html[match.end() :] if match else html


def read(document):
    """A Reading of a python-docx Document."""
    reading = Reading()
    state = "start"
    body = None
    climate_mode = False

    def text_block(name, text):
        previous = reading.fields.get(name)
        reading.fields[name] = f"{previous}\n{text}" if previous is not None else text

    def implication_row(cells, where):
        nonlocal climate_mode
        first = cells[0] if cells else ""
        rest = [c for c in cells[1:] if c]
        key = norm(first)
        if key == "climate emergency implications":
            climate_mode = True
            return
        if key == "the recommendations within this report will":
            return
        if key in CLIMATE:
            value = norm(rest[0]) if rest else ""
            if value in {"y", "yes"}:
                reading.climate["climate_impact"] = CLIMATE[key]
            elif value not in {"n", "no", ""}:
                reading.keep(where, " | ".join(cells))
            return
        if key == TRAINING:
            value = norm(rest[0]) if rest else ""
            if value in {"y", "yes", "n", "no"}:
                reading.climate["climate_training"] = value in {"y", "yes"}
            return
        if climate_mode:
            text = "\n".join(c for c in cells if c)
            previous = reading.climate.get("climate_explanation")
            reading.climate["climate_explanation"] = f"{previous}\n{text}" if previous else text
            return
        if rest:
            name, text = first.rstrip(":").strip(), "\n".join(rest)
        else:  # one cell, or the value typed after the label's colon with the next cell left empty
            match = re.match(r"^([^:]{1,200}):\s*(.*)$", first, re.S)
            if not match:
                reading.keep(where, first)
                return
            name, text = match.group(1).strip(), match.group(2).strip()
        reading.implications[norm(name)] = (name, text)

    def core_purpose_row(cells, where):
        first = cells[0] if cells else ""
        if len(cells) > 1:
            reading.core_purposes[norm(first)] = (first.rstrip(":;").strip(), "\n".join(c for c in cells[1:] if c))
            return
        match = re.match(r"^([^:;]{1,200})[:;]\s*(.*)$", first, re.S)
        if match:
            reading.core_purposes[norm(match.group(1))] = (match.group(1).strip(), match.group(2).strip())
        else:
            reading.keep(where, first)

    for item in document.iter_inner_content():
        if isinstance(item, Table):
            rows = [_cells(row) for row in item.rows]
            if state == "body" and body is not None:
                html = "".join(
                    "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>" for cells in rows if cells
                )
                body.block(f"<table><tbody>{html}</tbody></table>")
                continue
            for cells in rows:
                if not any(cells):
                    continue
                if state == "implications":
                    implication_row(cells, state)
                    continue
                if state == "core_purposes":
                    core_purpose_row(cells, state)
                    continue
                # A grid: label, value, label, value ...
                pairs = list(zip(cells[0::2], cells[1::2], strict=False))
                if len(cells) % 2:
                    pairs.append((cells[-1], ""))
                for label, value in pairs:
                    key = norm(label)
                    if key in HEADER:
                        reading.header[HEADER[key]] = value
                        reading.labels_found += 1
                    elif key in CONTACT:
                        reading.fields[CONTACT[key]] = value
                        reading.labels_found += 1
                    elif label or value:
                        reading.keep(state, f"{label} | {value}" if value else label)
            continue

        if not isinstance(item, Paragraph):
            continue
        paragraph = item
        text = paragraph.text.strip()
        style = _style(paragraph)
        for alt, blob in _pictures(paragraph):
            if state == "body" and alt and blob:
                body.block(FIGURE_TOKEN.format(len(reading.pictures)))
                reading.pictures.append((alt, blob))
            elif state == "body":
                why = (
                    "it has no alternative text: insert it in the editor and describe it"
                    if not alt
                    else "linked, not in the file"
                )
                reading.keep(
                    f"Section {len(reading.sections)} (a picture not kept: {why})",
                    f"[Picture: {alt or 'no alternative text'}]",
                )
            else:
                reading.keep(state, f"[Picture: {alt or 'no alternative text'}] (pictures go in the body)")
        if not text:
            continue

        heading = SECTION_HEADING.match(text)
        if heading and (
            style.startswith("heading 1")
            or (
                state in {"background_papers", "appendices", "body"}
                and int(heading.group(1)) == len(reading.sections) + 1
            )
        ):
            body = _Body(len(reading.sections) + 1)
            reading.sections.append([heading.group(2).strip(), body])
            state = "body"
            continue
        if state != "body":
            found = _split_label(text, BLOCKS)
            if found:
                state, rest = found
                reading.labels_found += 1
                climate_mode = False
                text = rest
                if not text:
                    continue
            else:
                found = _split_label(text, {**HEADER, **CONTACT})
                if found and found[1]:
                    name, value = found
                    reading.labels_found += 1
                    if name in HEADER.values():
                        reading.header[name] = value
                    else:
                        reading.fields[name] = value
                    continue

        if state == "body":
            html = _inline_html(paragraph)
            number = re.match(rf"^{body.number}\.(\d{{1,3}})\s+", text)
            if style.startswith("heading"):
                level = "h3" if style.startswith("heading 2") else "h4"
                body.block(f"<{level}>{escape(text)}</{level}>")
            elif number:
                body.item("ol", _strip_prefix(html, rf"{body.number}\.\d{{1,3}}\s+"))
            elif style.startswith("list bullet") or style.startswith("list paragraph") or BULLET.match(text):
                body.item("ul", _strip_prefix(html, r"[-•·▪–]\s+"))
            elif style.startswith("list number"):
                body.item("ol", html)
            else:
                body.block(f"<p>{html}</p>")
        elif state in TEXT_BLOCKS:
            text_block(state, paragraph.text.strip("\n"))
        elif state == "recommendations":
            reading.recommendations.append(RECOMMENDATION_NUMBER.sub("", text, count=1).strip())
        elif state == "implications":
            implication_row([text], state)
        elif state == "core_purposes":
            core_purpose_row([text], state)
        elif state == "appendices" and norm(text) == NO_APPENDICES:
            continue
        elif state == "internal" and is_internal_consultations_sentence(text):
            reading.internal_consultations = text
        else:
            reading.keep(state, text)

    reading.sections = [(heading, body.html()) for heading, body in reading.sections]
    return reading


def parse_date(text):
    """ "Wednesday 14 September 2022", "14 September 2022", "14/09/2022" as a date, else None."""
    words = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text or "").replace(",", " ").split()
    if words and words[0].lower().rstrip(".") in {
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    }:  # fmt: skip
        words = words[1:]
    candidate = " ".join(words)
    for pattern in ("%d %B %Y", "%d %b %Y", "%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(candidate, pattern).date()
        except ValueError:
            continue
    return None
