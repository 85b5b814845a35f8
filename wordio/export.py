"""A report as a Word document (.docx) on the council's template (issue 18).

The same layout as the report's page and PDF (templates/reports/_report_document.html): the header
grid as a table, the template's blocks under their labels in order, then the numbered body, its
paragraphs numbered 1.1, 1.2 ... as typed text so the document reads the same in any word
processor. wordio.reader reads this layout back into the same fields.
"""

import io
from html.parser import HTMLParser

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _yes_no(value, yes="Y", no="N"):
    return yes if value is True else no if value is False else ""


def _label(document, text):
    paragraph = document.add_paragraph()
    paragraph.add_run(text).bold = True
    return paragraph


def _text(document, text):
    """Each line of a text field as a paragraph: reading them back joins them with new lines."""
    for line in (text or "").split("\n"):
        document.add_paragraph(line)


def _grid(document, rows):
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].paragraphs[0].add_run(label).bold = True
        cells[1].text = value or ""
    return table


def _merged_row(table, text, bold=False):
    cells = table.add_row().cells
    merged = cells[0].merge(cells[1])
    merged.paragraphs[0].add_run(text).bold = bold


def _hyperlink(paragraph, url, text, *, bold=False, italic=False):
    """A clickable link (python-docx has no call for one): a w:hyperlink to an external relationship."""
    r_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    properties.append(style)
    for flag, tag in ((bold, "w:b"), (italic, "w:i")):
        if flag:
            properties.append(OxmlElement(tag))
    run.append(properties)
    text_element = OxmlElement("w:t")
    text_element.text = text
    text_element.set(qn("xml:space"), "preserve")
    run.append(text_element)
    link.append(run)
    paragraph._p.append(link)


class _BodyWriter(HTMLParser):
    """Writes a section's sanitised HTML into the document: paragraphs, headings, lists, tables, links."""

    BLOCKS = {"p", "h3", "h4", "li", "figcaption", "caption"}

    def __init__(self, document, section_number):
        super().__init__(convert_charrefs=True)
        self.document = document
        self.section_number = section_number
        self.count = 0
        self.lists = []  # "ol"/"ul" open, outermost first
        self.paragraph = None
        self.marks = {"b": 0, "i": 0, "u": 0}
        self.link = None  # [href, text]
        self.table = None  # rows of cells of text
        self.cell = None

    def _new_paragraph(self, style=None, prefix=""):
        self.paragraph = self.document.add_paragraph(style=style)
        if prefix:
            self.paragraph.add_run(prefix)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.table is not None:
            if tag == "tr":
                self.table.append([])
            elif tag in {"td", "th"}:
                self.cell = []
                self.table[-1].append(self.cell) if self.table else None
            return
        if tag == "table":
            self.table = []
        elif tag in {"ol", "ul"}:
            self.lists.append(tag)
        elif tag == "li":
            if self.lists == ["ol"]:
                self.count += 1
                self._new_paragraph(prefix=f"{self.section_number}.{self.count} ")
            elif self.lists and self.lists[-1] == "ol":
                self._new_paragraph(style="List Number")
            else:
                self._new_paragraph(style="List Bullet")
        elif tag == "p":
            if self.paragraph is None or not self.lists:
                self._new_paragraph()
            elif self.paragraph.text.strip() and not self.paragraph.text.endswith(" "):
                self.paragraph.add_run().add_break()
        elif tag in {"h3", "h4"}:
            self.paragraph = self.document.add_heading(level=2 if tag == "h3" else 3)
        elif tag == "figcaption":
            self._new_paragraph(style="Caption")
        elif tag == "img":
            self._new_paragraph()
            self.paragraph.add_run(f"[Picture: {attrs.get('alt') or ''}]").italic = True
        elif tag in {"strong", "b"}:
            self.marks["b"] += 1
        elif tag in {"em", "i"}:
            self.marks["i"] += 1
        elif tag == "u":
            self.marks["u"] += 1
        elif tag == "a":
            self.link = [attrs.get("href") or "", ""]
        elif tag == "br" and self.paragraph is not None:
            self.paragraph.add_run().add_break()

    def handle_endtag(self, tag):
        if self.table is not None:
            if tag in {"td", "th"}:
                self.cell = None
            elif tag == "table":
                self._write_table()
            return
        if tag in {"ol", "ul"} and self.lists:
            self.lists.pop()
        elif tag in {"strong", "b"}:
            self.marks["b"] = max(0, self.marks["b"] - 1)
        elif tag in {"em", "i"}:
            self.marks["i"] = max(0, self.marks["i"] - 1)
        elif tag == "u":
            self.marks["u"] = max(0, self.marks["u"] - 1)
        elif tag == "a" and self.link is not None:
            href, text = self.link
            self.link = None
            if self.paragraph is None:
                self._new_paragraph()
            if href.startswith(("http://", "https://", "mailto:")) and text:
                _hyperlink(self.paragraph, href, text, bold=bool(self.marks["b"]), italic=bool(self.marks["i"]))
            else:
                self._run(text)
        elif tag in self.BLOCKS and tag != "li" and not self.lists:
            self.paragraph = None

    def _run(self, text):
        if self.paragraph is None:
            self._new_paragraph()
        run = self.paragraph.add_run(text)
        run.bold = bool(self.marks["b"]) or None
        run.italic = bool(self.marks["i"]) or None
        run.underline = bool(self.marks["u"]) or None

    def handle_data(self, data):
        if self.table is not None:
            if self.cell is not None:
                self.cell.append(data)
            return
        if self.link is not None:
            self.link[1] += data
            return
        if not data.strip() and self.paragraph is None:
            return
        self._run(data)

    def _write_table(self):
        rows = [[" ".join("".join(cell).split()) for cell in row] for row in self.table if row]
        self.table = None
        if not rows:
            return
        width = max(len(row) for row in rows)
        table = self.document.add_table(rows=0, cols=width)
        table.style = "Table Grid"
        for row in rows:
            cells = table.add_row().cells
            for index, text in enumerate(row):
                cells[index].text = text
        self.paragraph = None


def report_docx(report):
    """The .docx of `report` (fetched with its parts: Report.objects.with_parts()), as bytes."""
    document = Document()
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(11)
    document.core_properties.title = report.subject or "Untitled report"
    if report.is_exempt:
        _label(document, report.exempt_notice)
    exempt = _yes_no(report.is_exempt)
    if report.is_exempt and report.exempt_paragraph_list:
        numbers = ", ".join(str(p) for p in report.exempt_paragraph_list)
        exempt += (
            f" (paragraph{'s' if len(report.exempt_paragraph_list) > 1 else ''} {numbers} of Part 1 of Schedule 12A)"
        )
    _grid(
        document,
        [
            ("Report to:", str(report.board or "")),
            ("Date of Meeting:", report.meeting_date_display),
            ("Subject:", report.subject),
            ("Report of:", str(report.report_of or "")),
            ("Wards Affected:", report.wards_display),
            ("Portfolio:", str(report.portfolio or "")),
            ("Is this a Key Decision:", _yes_no(report.is_key_decision)),
            ("Included in Forward Plan:", _yes_no(report.in_forward_plan, "Yes", "No")),
            ("Exempt / Confidential Report:", exempt),
        ],
    )
    _label(document, "Summary:")
    _text(document, report.summary)
    _label(document, "Recommendation(s):")
    for number, recommendation in enumerate(report.recommendations.all(), start=1):
        document.add_paragraph(f"({number}) {recommendation.text}")
    _label(document, "Reasons for the Recommendation(s):")
    _text(document, report.reasons)
    _label(document, "Alternative Options Considered and Rejected: (including any Risk Implications)")
    _text(document, report.alternatives)
    _label(document, "What will it cost and how will it be financed?")
    _label(document, "(A) Revenue Costs")
    _text(document, report.revenue_costs)
    _label(document, "(B) Capital Costs")
    _text(document, report.capital_costs)

    _label(document, "Implications of the Proposals:")
    table = _grid(document, [(f"{row.type.name}:", row.text) for row in report.implication_rows()])
    _merged_row(table, "Climate Emergency Implications:", bold=True)
    _merged_row(table, "The recommendations within this report will")
    for value, label in report.ClimateImpact.choices:
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = ("Y" if report.climate_impact == value else "N") if report.climate_impact else ""
    cells = table.add_row().cells
    cells[0].text = "The Author has undertaken the Climate Emergency training for report authors"
    cells[1].text = _yes_no(report.climate_training)
    if report.climate_explanation:
        _merged_row(table, report.climate_explanation)

    _label(document, "Contribution to the Council's Core Purpose:")
    _grid(document, [(f"{row.purpose.name}:", row.text) for row in report.core_purpose_rows()])

    _label(document, "What consultations have taken place on the proposals and when?")
    _label(document, "(A) Internal Consultations")
    _text(document, report.internal_consultations_text())
    _label(document, "(B) External Consultations")
    _text(document, report.external_consultations)
    _label(document, "Implementation Date for the Decision")
    _text(document, report.implementation_date)
    _grid(
        document,
        [
            ("Contact Officer:", report.contact_officer),
            ("Telephone Number:", report.contact_phone),
            ("Email Address:", report.contact_email),
        ],
    )
    _label(document, "Appendices:")
    appendices = list(report.appendices.all())
    if appendices:
        for appendix in appendices:
            document.add_paragraph(f"Appendix {appendix.letter}: {appendix.title}")
    else:
        document.add_paragraph("There are no appendices to this report")
    _label(document, "Background Papers:")
    _text(document, report.background_papers)

    for number, section in enumerate(report.sections.all(), start=1):
        document.add_heading(f"{number}. {section.heading}", level=1)
        writer = _BodyWriter(document, number)
        writer.feed(section.body or "")
        writer.close()
        if writer.table is not None:
            writer._write_table()

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
