"""Issue 18, Done when: a .docx of the seed report, written on the template with python-docx from
the seed's own text (not from the app's export), imports with every seed value in its own field,
the body's picture as a figure with its alt text, and nothing left in "Not placed"."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from PIL import Image
from pypdf import PdfReader

from reports.models import Report
from reports.pdf import render_report_pdf
from tests.seedwords import assert_words_in_order, seed_text, words

BULLET = re.compile(r"^-\s+")
HEADING = re.compile(r"^\d\.\s+\S")
PICTURE_AFTER = "What did we learn?"
PICTURE_ALT = "A chart of what the project learned: data, mandate, roles, priorities and powers"


def png():
    out = io.BytesIO()
    Image.new("RGB", (240, 120), (30, 90, 160)).save(out, "PNG")
    out.seek(0)
    return out


def seed_docx(changes=()):
    """The seed as an officer types it on the template: tab-separated lines are table rows (the header
    grid, the implications and climate answers, the contact details), "1. Introduction" a Heading 1,
    "- 1.1 ..." a numbered paragraph, "- ..." a bullet; after "What did we learn?" the figure."""
    document = Document()
    table_rows = []

    def flush():
        if table_rows:
            table = document.add_table(rows=0, cols=max(len(cells) for cells in table_rows))
            for cells in table_rows:
                row = table.add_row().cells
                for index, text in enumerate(cells):
                    row[index].text = text
            table_rows.clear()

    in_body = False
    text = seed_text()
    for old, new in changes:  # (old, new): the seed as a particular officer typed it
        text = text.replace(old, new)
    for raw in text.splitlines():
        line = raw.strip(" ")
        if "\t" in line:
            table_rows.append(line.rstrip("\t").split("\t"))
            continue
        flush()
        if not line.strip():
            continue
        if HEADING.match(line) and (in_body or line.startswith("1. ")):
            in_body = True
            document.add_heading(line, level=1)
            continue
        if BULLET.match(line):
            text = BULLET.sub("", line)
            is_numbered = re.match(r"^(\(\d+\)|\d+\.\d+)\s", text)
            document.add_paragraph(text, style=None if is_numbered or not in_body else "List Bullet")
            continue
        document.add_paragraph(line)
        if line == PICTURE_AFTER:
            picture = document.add_paragraph().add_run().add_picture(png())
            picture._inline.docPr.set("descr", PICTURE_ALT)
    flush()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def normalised(text):
    return " ".join(words(text))


@pytest.fixture
def imported(demo, login):
    client = login(demo.officer)
    file = SimpleUploadedFile("Cities Inequalities Project.docx", seed_docx())
    response = client.post(reverse("wordio:import"), {"file": file}, follow=True)
    assert response.status_code == 200, response.content[:2000]
    report = Report.objects.with_parts().exclude(pk__in=[demo.seed.pk, demo.draft.pk]).latest("pk")
    return response.content.decode(), report


def test_the_seed_typed_on_the_template_imports_with_nothing_unplaced(imported):
    page, _ = imported
    assert "Not placed (0)" in page and "Everything in the document was placed." in page
    assert "not-placed" not in page
    assert "(A) Internal Consultations" in page and "standard sentence, recognised" in page


def test_every_seed_value_lands_in_its_own_field(imported, demo):
    _, report = imported
    seed = normalised(seed_text())
    for field in [
        "subject", "summary", "reasons", "alternatives", "revenue_costs", "capital_costs", "climate_explanation",
        "external_consultations", "implementation_date", "contact_officer", "contact_phone", "contact_email",
        "background_papers",
    ]:  # fmt: skip
        value = getattr(report, field)
        assert value, field
        assert normalised(value) in seed, field
        assert normalised(value) == normalised(getattr(demo.seed, field)), field
    assert report.board.name == "Health and Wellbeing Board"
    assert report.meeting.date_display == "Wednesday 14 September 2022"
    assert str(report.report_of) == "Director of Public Health"
    assert report.all_wards and report.portfolio.name == "Health and Wellbeing"
    assert (report.is_key_decision, report.in_forward_plan, report.is_exempt) == (False, False, False)
    assert report.climate_impact == "neutral" and report.climate_training is True
    assert [r.text for r in report.recommendations.all()] == [r.text for r in demo.seed.recommendations.all()]
    assert {c.purpose_id: c.text for c in report.core_purposes.all()} == {
        c.purpose_id: c.text for c in demo.seed.core_purposes.all()
    }
    implications = {i.type.name: i.text for i in report.implications.all()}
    assert implications["Equality Implications"] == "There are no equality implications."
    assert [s.heading for s in report.sections.all()] == [s.heading for s in demo.seed.sections.all()]
    assert [n for n, _, _ in report.numbered_sections()] == [n for n, _, _ in demo.seed.numbered_sections()]
    # Every word of the seed, in order, in the draft's PDF, but the sentence of (A) Internal
    # Consultations: the system writes it from this report's own sign-offs, and the draft has none yet.
    internal = next(line for line in seed_text().splitlines() if "have been consulted" in line)
    expected = words(seed_text().replace(internal, ""))
    printed = PdfReader(io.BytesIO(render_report_pdf(report))).pages
    assert_words_in_order(expected, " ".join(page.extract_text() for page in printed))


def test_the_body_picture_becomes_a_figure_with_its_alt_text(imported):
    _, report = imported
    figure = report.figures.get()
    assert figure.content_type == "image/png" and (figure.width, figure.height) == (240, 120)
    impact = report.sections.all()[1]
    assert f'<img src="{figure.url}" alt="{PICTURE_ALT}">' in impact.body
    assert impact.body.index(PICTURE_AFTER) < impact.body.index("<figure>") < impact.body.index("The report offers")


def _read(*paragraphs, picture_alt=None):
    from wordio import reader

    document = Document()
    document.add_paragraph("Summary:")
    document.add_paragraph("A summary.")
    for text in paragraphs:
        document.add_paragraph(text)
    document.add_heading("1. Introduction", level=1)
    document.add_paragraph("The first words.")
    if picture_alt is not None:
        picture = document.add_paragraph().add_run().add_picture(png())
        picture._inline.docPr.set("descr", picture_alt)
    out = io.BytesIO()
    document.save(out)
    return reader.read(reader.open_document(out.getvalue()))


def test_other_words_under_internal_consultations_are_still_not_placed():
    reading = _read("(A) Internal Consultations", "We asked finance on Tuesday and they were content.")
    assert reading.internal_consultations == ""
    assert [text for _, text in reading.unplaced] == ["We asked finance on Tuesday and they were content."]
    standard = _read(
        "(A) Internal Consultations",
        "The Executive Director of Corporate Resources and Customer Services (FD.1/24) has been consulted and any "
        "comments have been incorporated into the report.",
    )
    assert standard.internal_consultations and standard.unplaced == []


def test_a_body_picture_without_alt_text_is_not_placed_and_says_why():
    reading = _read(picture_alt="")
    assert reading.pictures == []
    assert reading.unplaced == [
        ("Section 1 (a picture not kept: it has no alternative text: insert it in the editor and describe it)",
         "[Picture: no alternative text]")
    ]  # fmt: skip
