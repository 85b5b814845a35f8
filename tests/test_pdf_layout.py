"""The printed layout, measured from the PDFs themselves (tests/pdfinspect.py).

- Nothing is printed within 10 mm of the paper's edge, on any page of the seed report, a report
  full of hostile-width content (with appendices that print to their own edges), the demo's packs
  and a pack holding the hostile report: every glyph, line, box, image and link is measured.
- The tag tree of the report and of both packs: headings nest without skipping a level, table
  header cells have a scope, figures have alternative text, every glyph is either tied to the
  tree or marked as an artifact, and headers, footers and stamps are artifacts; language, title
  and bookmarks are set.
- One page numbering in a pack: the number printed on each page is its place in the pack, the
  viewer's page label and what the front sheet's contents say.

The PDFs are made once for the module (in a transaction rolled back at the end), since each takes
seconds to render.
"""

import base64
import io
import re

import pikepdf
import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import User
from boards import services
from boards.models import Board, Meeting
from boards.packs import build_pack
from reports import pdf
from reports.demo import SEED
from reports.models import Implication, Recommendation, Report, Section, Ward
from reports.views import report_queryset
from tests.appendices import stored_appendix
from tests.pdfinspect import MM, heading_skips, outside_margin, page_marks, structure

# Each test reads the PDFs made once below; the mark makes pytest-django set up the test database.
pytestmark = pytest.mark.django_db

LONG_URL = "https://www.example.gov.uk/" + "a-very-long-path-segment-without-spaces/" * 6 + "report.pdf"
LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 5


def pdf_bytes(pages_spec):
    """An uploaded-looking PDF whose pages print right to their edges: (width, height, rotate, cropbox)."""
    out = pikepdf.new()
    font = out.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))  # fmt: skip
    for width, height, rotate, crop in pages_spec:
        content = (
            f"0.8 0.9 1 rg 0 0 {width} {height} re f 0 0 0 RG 4 w 0 0 m {width} {height} l S "
            f"BT /F1 14 Tf 1 0 0 1 0 2 Tm (Corner text at the very edge) Tj ET "
            f"BT /F1 14 Tf 1 0 0 1 {width - 120} {height - 12} Tm (Top right edge) Tj ET"
        ).encode()
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, width, height],
            Contents=out.make_stream(content),
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
        )
        if rotate:
            page.Rotate = rotate
        if crop:
            page.CropBox = crop
        out.pages.append(pikepdf.Page(page))
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


EDGE_TO_EDGE = [
    (595.28, 841.89, 0, None),  # A4 portrait, printed to the edge
    (1190.55, 841.89, 0, None),  # A3 landscape
    (595.28, 841.89, 90, None),  # turned by /Rotate
    (612, 792, 0, [20, 20, 592, 772]),  # US letter with a crop box
]


def wide_image_html():
    """A PNG 3,000 pixels wide as a data: URL, as a figure the body editor may produce."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (3000, 400), (40, 90, 160)).save(buffer, "PNG")
    data = base64.b64encode(buffer.getvalue()).decode()
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="A wide bar chart of households by ward">'
        "<figcaption>Figure 1: Households by ward</figcaption></figure>"
    )


def make_hostile(report):
    """Fill `report` with the content most likely to run off a page, everywhere it can go."""
    report.subject = ("Consultation " + LONG_WORD[:90] + " " + "Subject-without-breaks-" * 8)[:250]
    report.all_wards = False
    report.is_exempt, report.exempt_paragraphs = True, [1, 2, 3, 4, 5, 6, 7]
    report.summary = f"See {LONG_URL} and {LONG_WORD}."
    report.background_papers = f"Further reading: {LONG_URL}"
    report.contact_officer = LONG_WORD[:120]
    report.contact_email = "democratic.services." + "x" * 40 + "@very-long-council-domain-name.example.gov.uk"
    report.contact_phone = "0" * 40
    report.climate_explanation = LONG_WORD
    report.save()
    report.wards.set(Ward.objects.all())
    Recommendation.objects.filter(report=report).update(text=f"The Board are asked to read {LONG_URL}")
    Implication.objects.filter(report=report).update(text=LONG_WORD)
    six = "".join(f"<th>Heading {c} {LONG_WORD[:30]}</th>" for c in range(6))
    six_rows = "".join(
        "<tr>" + "".join(f"<td>{LONG_URL[:60]}{r}{c}</td>" for c in range(6)) + "</tr>" for r in range(30)
    )
    forty = "<tr>" + "".join(f"<td>Column{c}value{LONG_WORD[:20]}</td>" for c in range(40)) + "</tr>"
    body = (
        f"<h4>A heading one level too deep</h4><p>{LONG_WORD} {LONG_URL}</p>"
        f"<table><tbody><tr>{six}</tr>{six_rows}</tbody></table>"
        f"<table><tbody>{forty * 3}</tbody></table>" + "<ul><li>" * 12 + LONG_WORD + "</li></ul>" * 12
    )
    Section.objects.create(report=report, position=90, heading="Hostile " + LONG_WORD, body=body)
    stored_appendix(report, "Edge to edge " + LONG_WORD[:60], pdf_bytes(EDGE_TO_EDGE))
    return report_queryset().get(pk=report.pk)


def render_with_figure(report):
    """The report's PDF with a wide figure in its body, as the figures in the editor will print."""
    html, fetcher = pdf.report_render_job(report)
    html = html.replace('<div class="report-body">', '<div class="report-body">' + wide_image_html(), 1)
    return pdf.report_document(report, pdf.render_html_pdf(html, fetcher=fetcher))


@pytest.fixture(scope="module")
def printed(django_db_setup, django_db_blocker, tmp_path_factory):
    """Every PDF the tests below measure, made once: {name: PDF bytes}."""
    found = {}
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"), PDF_RENDER_TIMEOUT=180),
        transaction.atomic(),
    ):
        call_command("load_demo", "--force", stdout=io.StringIO())
        clerk = User.objects.get(username="clerk")
        board = Board.objects.get(name="Health and Wellbeing Board")
        found["seed report"] = pdf.render_report_pdf(report_queryset().get(subject=SEED["subject"]))
        demo_meeting = Meeting.objects.get(board=board, starts_at__year=2022)
        found["demo public pack"] = build_pack(demo_meeting, "public").pdf
        found["demo members' pack"] = build_pack(demo_meeting, "members").pdf

        draft = make_hostile(Report.objects.get(subject="Sefton Active Lifestyles Strategy 2023 to 2028"))
        found["hostile draft report"] = render_with_figure(draft)

        hostile = make_hostile(Report.objects.get(subject="Better Care Fund Plan 2025 to 2027"))
        meeting = Meeting.objects.get(board=board, starts_at__gt=timezone.now())
        meeting.venue = "Council Chamber, " + LONG_WORD
        meeting.save()
        services.agenda_add_report(meeting=meeting, report=hostile, user=clerk)
        exempt = Report.objects.get(subject="Sexual Health Services: Contract Award")
        services.agenda_add_report(meeting=meeting, report=exempt, user=clerk)
        services.agenda_publish(meeting=meeting, user=clerk)
        found["hostile members' pack"] = build_pack(meeting, "members").pdf
        found["hostile public pack"] = build_pack(meeting, "public").pdf

        # A supplement: the hostile draft, approved, as a late item with a reason as wide as its title.
        Report.objects.filter(pk=draft.pk).update(status=Report.Status.APPROVED, board=board, is_exempt=False)
        services.agenda_add_report(meeting=meeting, report=draft, user=clerk, urgency_reason=f"Urgent: {LONG_WORD}")
        supplement = services.supplement_publish(meeting=meeting, user=clerk)
        found["supplement public pack"] = build_pack(meeting, "public", supplement=supplement).pdf
        transaction.set_rollback(True)
    return found


MEASURED = [
    "seed report",
    "demo public pack",
    "demo members' pack",
    "hostile draft report",
    "hostile members' pack",
    "hostile public pack",
    "supplement public pack",
]


@pytest.mark.parametrize("name", MEASURED)
def test_it_prints_nothing_within_10_mm_of_the_papers_edge(printed, name):
    pages = page_marks(printed[name])
    assert pages and all(page.marks for page in pages)
    assert outside_margin(pages, 10) == [], name


def test_it_measures_what_runs_off_the_page():
    """The measure itself: content placed at the edge is found, on a page and inside a form."""
    pages = page_marks(pdf_bytes(EDGE_TO_EDGE[:1]))
    found = outside_margin(pages, 10)
    assert {kind for _, kind, _, _ in found} >= {"glyph", "path"}


def test_it_frames_uploaded_pages_inside_the_margins_whatever_their_size_or_turn(printed):
    pages = page_marks(printed["hostile members' pack"])
    sizes = {(round(page.width), round(page.height)) for page in pages}
    assert (842, 595) in sizes and (1191, 842) in sizes  # turned and landscape pages keep their shape
    assert any("Corner text at the very edge" in page.text_in(bottom=40 * MM) for page in pages)


def test_it_scales_a_wide_figure_to_the_text_width(printed):
    pages = page_marks(printed["hostile draft report"])
    images = [m for page in pages for m in page.marks if m.kind == "image"]
    assert images
    for image in images:
        assert image.bbox[2] - image.bbox[0] <= 174 * MM + 1  # the text column: A4 less 18 mm each side


@pytest.mark.parametrize(
    "name",
    [
        "seed report",
        "hostile draft report",
        "demo public pack",
        "demo members' pack",
        "hostile members' pack",
        "supplement public pack",
    ],
)
def test_it_tags_the_document_for_assistive_technology(printed, name):
    data = printed[name]
    tree = structure(data)
    types = [e.type for e in tree.elements]
    assert "/H1" in types and "/Table" in types
    assert heading_skips(tree.elements) == []
    headers = [e for e in tree.elements if e.type == "/TH"]
    assert headers and all(e.attributes.get("/Scope") in {"/Row", "/Column", "/Both"} for e in headers)
    assert all(e.alt for e in tree.elements if e.type == "/Figure")
    untagged = [
        (page.index + 1, mark.text)
        for page in page_marks(data)
        for mark in page.marks
        if mark.kind == "glyph" and not mark.artifact and (page.index, mark.mcid) not in tree.content
    ]
    assert untagged == []
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB" and reader.metadata.title
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.outline


@pytest.mark.parametrize("name", ["seed report", "hostile draft report", "demo members' pack", "hostile public pack"])
def test_it_marks_headers_footers_watermarks_and_stamps_as_artifacts(printed, name):
    uploaded = uploaded_pages(printed[name])
    for page in page_marks(printed[name]):
        # The bands print-page.css keeps for page numbers and headers; an uploaded page's own top
        # edge is framed 12 mm from the paper's, so only its footer band is ours.
        top = page.height - (20 * MM if page.index not in uploaded else 0)
        furniture = [m for m in page.marks if m.kind == "glyph" and (m.bbox[3] <= 20 * MM or m.bbox[1] >= top)]
        assert furniture, f"page {page.index + 1} has no page number"
        assert all(m.artifact for m in furniture), (page.index + 1, "".join(m.text for m in furniture))
    if name == "hostile draft report":
        watermark = [m for p in page_marks(printed[name]) for m in p.marks if m.kind == "glyph" and m.text == "D"]
        assert any(m.artifact and m.bbox[3] - m.bbox[1] > 50 for m in watermark)


def test_it_gives_the_body_a_figure_with_its_alternative_text(printed):
    figures = [e for e in structure(printed["hostile draft report"]).elements if e.type == "/Figure"]
    assert [f.alt for f in figures] == ["A wide bar chart of households by ward"]


def uploaded_pages(data):
    """The indexes of pages that came from uploaded appendices: bookmarks titled "Appendix ..."."""
    reader = PdfReader(io.BytesIO(data))
    starts = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                starts.append((reader.get_destination_page_number(item), item.title))

    walk(reader.outline)
    starts.sort()
    pages = set()
    for (start, title), following in zip(starts, [*starts[1:], (len(reader.pages), "")], strict=True):
        if title.startswith("Appendix "):
            pages.update(range(start, following[0]))
    return pages


def printed_numbers(data):
    """The page number printed in each page's footer, read from the glyphs."""
    numbers = []
    for page in page_marks(data):
        footer = page.text_in(bottom=24 * MM)
        match = re.search(r"Page (\d+)(?! of)", footer)
        numbers.append(int(match.group(1)) if match else None)
    return numbers


@pytest.mark.parametrize(
    "name", ["demo public pack", "hostile members' pack", "hostile public pack", "supplement public pack"]
)
def test_it_prints_one_page_number_that_is_the_viewers_label_and_the_contents_page(printed, name):
    data = printed[name]
    reader = PdfReader(io.BytesIO(data))
    count = len(reader.pages)
    assert printed_numbers(data) == list(range(1, count + 1))
    assert list(reader.page_labels) == [str(n) for n in range(1, count + 1)]
    texts = [page.extract_text() for page in reader.pages]
    assert not any(re.search(r"Page \d+ of \d+|Pack page", text) for text in texts)

    starts = {}
    for item in reader.outline:
        if not isinstance(item, list):
            starts[item.title] = reader.get_destination_page_number(item)
    front_pages = min(starts.values())
    front = "\n".join(texts[:front_pages])
    for title, start in starts.items():
        number = title.split(". ", 1)[0]
        after = front[re.search(rf"^{number}\. ", front, re.M).end() :]
        after = re.sub(r"Paragraphs? \d+(?:(?:,\s+|\s+and\s+)\d+)*", "", after)  # Part 2's "Exempt under" column
        pages = re.search(r"(?:^|\s)(\d+)(?:–(\d+))?$", after, re.M)
        assert pages and int(pages.group(1)) == start + 1, (title, start)
        header = page_marks(data)[start].text_in(top=22 * MM)
        assert header.replace(" ", "") == f"AgendaItem{number}", header


def test_it_keeps_page_x_of_y_on_a_report_and_labels_its_appendices(printed):
    data = printed["hostile draft report"]
    reader = PdfReader(io.BytesIO(data))
    labels = list(reader.page_labels)
    report_pages = labels.index("A-1")
    assert labels[:report_pages] == [str(n) for n in range(1, report_pages + 1)]
    assert labels[report_pages:] == ["A-1", "A-2", "A-3", "A-4"]
    pages = page_marks(data)
    for index, page in enumerate(pages[:report_pages]):
        assert f"Page {index + 1} of {report_pages}" in page.text_in(bottom=24 * MM)
    for index, page in enumerate(pages[report_pages:]):
        assert f"Appendix A, page {index + 1} of 4" in page.text_in(bottom=24 * MM)
    assert [item.title for item in reader.outline if not isinstance(item, list)][-1].startswith("Appendix A: ")


@pytest.mark.parametrize(
    ("body", "printed"),
    [
        ("<h4>A</h4><p>x</p><h4>B</h4>", ["h3", "h3"]),
        ("<h3>A</h3><h4>B</h4><h3>C</h3>", ["h3", "h4", "h3"]),
        ("<h4>A</h4><h3>B</h3><h4>C</h4>", ["h3", "h3", "h4"]),
    ],
)
def test_it_nests_headings_typed_in_a_section_under_its_own(body, printed):
    html = pdf._printed_html(body)
    assert re.findall(r"<(h\d)\b", html) == printed
    assert re.findall(r"</(h\d)>", html) == printed


def test_it_says_what_each_header_cell_of_a_typed_table_heads():
    body = (
        "<table><tbody><tr><th>Ward</th><th>Homes</th></tr><tr><th>Ainsdale</th><td>12</td></tr>"
        '<tr><th scope="col">Kept</th><td>3</td></tr></tbody></table>'
    )
    html = pdf._printed_html(body)
    assert re.findall(r'<th scope="(\w+)"', html) == ["col", "col", "row", "col"]
    assert "<thead>" in html  # the header row repeats on every page the table runs over


def test_it_sets_a_table_of_many_columns_smaller():
    row = "<tr>" + "<td>x</td>" * 7 + "</tr>"
    assert 'class="many-columns"' in pdf._printed_html(f"<table><tbody>{row}</tbody></table>")
    assert "many-columns" not in pdf._printed_html(f"<table><tbody>{row.replace('<td>x</td>', '', 1)}</tbody></table>")
