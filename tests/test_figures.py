"""Figures in the report body: an officer uploads a chart (PNG, JPEG or SVG) with its alternative text
and caption; the image is checked by its content and remade; the body keeps only the report's own
figures with alt text; they are numbered through the report, printed as tagged figures with their
alt text, shown to exactly those who may read the report, and compared by their words."""

import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from reports import pdf
from reports.content import report_text
from reports.html import sanitize_html
from reports.models import Figure, Report, Section
from reports.views import report_queryset
from tests import images
from tests.editor import editor_data
from tests.test_public import EXEMPT_SUBJECT, PUBLIC_SUBJECT, build_packs, publish_upcoming

ALT = "Bar chart of life expectancy at birth in the six city regions, 2019 to 2021"
CAPTION = "What did we learn?"


def upload(client, report, data, name="chart.png", alt=ALT, caption=CAPTION, as_json=True):
    fields = {"figure-alt_text": alt, "figure-caption": caption}
    if data is not None:
        fields["figure-file"] = SimpleUploadedFile(name, data)
    headers = {"HTTP_ACCEPT": "application/json"} if as_json else {}
    return client.post(reverse("reports:figure_upload", args=[report.pk]), fields, **headers)


def structure_figures(data):
    """(alt text or None) of every /Figure in the PDF's structure tree, in order."""
    found = []

    def walk(element, depth=0):
        element = element.get_object()
        if not hasattr(element, "get") or depth > 80:
            return
        if element.get("/S") == "/Figure":
            found.append(str(element["/Alt"]) if "/Alt" in element else None)
        kids = element.get("/K")
        for kid in kids if isinstance(kids, list) else ([kids] if kids is not None else []):
            if hasattr(kid, "get_object"):
                walk(kid, depth + 1)

    walk(PdfReader(io.BytesIO(data)).trailer["/Root"]["/StructTreeRoot"])
    return found


def pdf_text(data):
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def add_section(report, heading, body, position=50):
    return Section.objects.create(report=report, position=position, heading=heading, body=body)


# Uploading ---------------------------------------------------------------------------------------


def test_it_keeps_an_uploaded_png_and_answers_with_its_address(demo, login):
    client = login(demo.officer)
    response = upload(client, demo.draft, images.png())
    assert response.status_code == 201
    figure = Figure.objects.get(report=demo.draft)
    assert response.json() == {"src": f"/reports/{demo.draft.pk}/figures/{figure.pk}/", "alt": ALT, "caption": CAPTION}
    assert (figure.content_type, figure.source_format, figure.width, figure.height) == ("image/png", "png", 480, 288)
    assert figure.uploaded_by == demo.officer
    with figure.file.open("rb") as handle:
        assert Image.open(handle).format == "PNG"
    assert demo.draft.pk == Report.objects.get(pk=demo.draft.pk).pk
    assert Report.objects.get(pk=demo.draft.pk).version == demo.draft.version  # the body changes on save


def test_it_remakes_a_jpeg_upright_without_its_metadata(demo, login):
    response = upload(login(demo.officer), demo.draft, images.jpeg(640, 480, exif_orientation=6), name="photo.jpg")
    assert response.status_code == 201
    figure = Figure.objects.get(report=demo.draft)
    with figure.file.open("rb") as handle:
        kept = Image.open(handle)
        kept.load()
    assert kept.format == "JPEG" and kept.size == (480, 640)  # turned as the camera said
    assert dict(kept.getexif()) == {}
    assert b"PhoneMaker" not in figure.file.open("rb").read()


def test_it_keeps_nothing_of_an_uploaded_png_but_its_pixels(demo, login):
    hidden = b"<script>alert(1)</script> and a trailing payload"
    response = upload(login(demo.officer), demo.draft, images.png(text_chunk="Written by someone") + hidden)
    assert response.status_code == 201
    with Figure.objects.get().file.open("rb") as handle:
        data = handle.read()
    assert b"Written by someone" not in data and hidden not in data and data.endswith(b"IEND\xaeB`\x82")


def test_it_scales_a_large_image_down_to_print_size(demo, login):
    response = upload(login(demo.officer), demo.draft, images.png(6000, 3000))
    assert response.status_code == 201
    figure = Figure.objects.get(report=demo.draft)
    assert (figure.width, figure.height) == (2400, 1200)


def test_it_rasterises_a_plain_svg_chart_to_png(demo, login):
    response = upload(login(demo.officer), demo.draft, images.SVG_CHART, name="chart.svg")
    assert response.status_code == 201, response.content
    figure = Figure.objects.get(report=demo.draft)
    assert (figure.content_type, figure.source_format) == ("image/png", "svg")
    with figure.file.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"\x89PNG") and b"<svg" not in data
    picture = Image.open(io.BytesIO(data)).convert("RGB")
    assert picture.size == (2400, 1200)
    # The gradient bars were drawn (not a blank page): some pixels are the council's blue.
    assert any(b > 100 and r < 60 for r, g, b in picture.resize((120, 60)).getdata())


BAD_INPUT = {
    "a corrupt image": (images.truncated_png(), "chart.png", "damaged or incomplete"),
    "random bytes called .png": (b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 50, "chart.png", "damaged or incomplete"),
    "a PDF": (b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF", "chart.png", "not a PNG, JPEG or SVG"),
    "a GIF": (b"GIF89a" + b"\x00" * 40, "chart.gif", "not a PNG, JPEG or SVG"),
    "an HTML page": (b"<html><body><svg></svg></body></html>", "chart.svg", "not a PNG, JPEG or SVG"),
    "an image of 40,000 x 40,000 pixels": (images.png_claiming(40_000, 40_000), "huge.png", "40,000 × 40,000 pixels"),
    "an image of 13,000 x 100 pixels": (images.png_claiming(13_000, 100), "wide.png", "13,000 × 100 pixels"),
    "an SVG with a script": (images.svg("<script>alert(document.cookie)</script>"), "x.svg", "contains a script"),
    "an SVG with an event handler": (images.svg("<rect/>", ' onload="alert(1)"'), "x.svg", "contains a script"),
    "an SVG with a javascript: link": (
        images.svg('<a href="javascript:alert(1)"><rect/></a>'),
        "x.svg",
        "contains a script",
    ),
    "an SVG with embedded HTML": (
        images.svg('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">Hi</div></foreignObject>'),
        "x.svg",
        "contains a script",
    ),
    "an SVG with an external image": (
        images.svg('<image href="http://127.0.0.1:9/x.png" width="10" height="10"/>'),
        "x.svg",
        "outside itself (http://127.0.0.1:9/x.png)",
    ),
    "an SVG with an xlink to a local file": (
        images.svg('<image xlink:href="file:///etc/passwd" width="10" height="10"/>'),
        "x.svg",
        "outside itself (file:///etc/passwd)",
    ),
    "an SVG with a relative file": (images.svg('<image href="secret.png"/>'), "x.svg", "outside itself (secret.png)"),
    "an SVG using another file's shape": (
        images.svg('<use href="sprites.svg#icon"/>'),
        "x.svg",
        "outside itself (sprites.svg#icon)",
    ),
    "an SVG with a stylesheet @import": (
        images.svg("<style>@import url(http://127.0.0.1:9/a.css);</style>"),
        "x.svg",
        "outside itself (a stylesheet @import)",
    ),
    "an SVG with a CSS url()": (
        images.svg('<rect style="fill: url(http://127.0.0.1:9/p.svg#p)"/>'),
        "x.svg",
        "outside itself (url(http://127.0.0.1:9/p.svg#p))",
    ),
    "an SVG with an external entity": (
        b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
        "x.svg",
        "declares XML entities",
    ),
    "an SVG billion laughs": (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><svg xmlns="http://www.w3.org/2000/svg"><text>&c;</text></svg>',
        "x.svg",
        "declares XML entities",
    ),
    "an SVG that is not well-formed": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>',
        "x.svg",
        "not well-formed",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUT), ids=list(BAD_INPUT))
def test_it_refuses_bad_images_beside_the_file_field_keeping_the_words(demo, login, case):
    data, name, message = BAD_INPUT[case]
    response = upload(login(demo.officer), demo.draft, data, name=name)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["file"] and message in errors["file"][0], errors
    assert not Figure.objects.exists()


@pytest.mark.parametrize("alt", ["", "   \n  "])
def test_it_refuses_a_figure_without_alt_text(demo, login, alt):
    response = upload(login(demo.officer), demo.draft, images.png(), alt=alt)
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "alt_text": ["Describe the figure for someone who cannot see it: alternative text is required."]
    }
    assert not Figure.objects.exists()


def test_it_refuses_a_file_over_the_size_limit_before_opening_it(demo, login, settings):
    settings.FIGURE_MAX_MB = 1
    response = upload(login(demo.officer), demo.draft, images.png() + b"\0" * (1024 * 1024 + 200_000))
    assert response.status_code == 400
    assert response.json()["errors"] == {"file": ["The file is 1.2 MB; figures can be at most 1 MB."]}


def test_it_shows_a_plain_forms_problems_by_its_fields_with_the_words_kept(demo, login):
    """Without the editor's script (a plain form post), the same checks answer as a page, never a 500."""
    client = login(demo.officer)
    response = upload(
        client, demo.draft, images.png_claiming(40_000, 40_000), alt="", caption="Kept caption", as_json=False
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "40,000 × 40,000 pixels" in page and "alternative text is required" in page
    assert 'value="Kept caption"' in page
    response = upload(client, demo.draft, images.svg("<script>x()</script>"), alt="Kept alt", as_json=False)
    assert response.status_code == 400 and "Kept alt</textarea>" in response.content.decode()
    response = upload(client, demo.draft, images.png(), as_json=False)
    assert response.status_code == 201 and Figure.objects.get().url in response.content.decode()


def test_it_refuses_figures_to_an_approved_report(demo, login):
    client = login(demo.clerk)
    response = upload(client, demo.seed, images.png())
    assert response.status_code == 409 and "approved" in response.json()["errors"]["__all__"][0]
    response = upload(client, demo.seed, images.png(), as_json=False)
    assert response.status_code == 302 and response.url == demo.seed.get_absolute_url()
    assert not Figure.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "finance", "member", "director"])
def test_it_refuses_uploads_from_anyone_who_may_not_edit_the_report(demo, login, who):
    response = upload(login(demo.users[who]), demo.draft, images.png())
    assert response.status_code == 404
    assert not Figure.objects.exists()


def test_it_asks_a_stranger_to_sign_in_to_upload_and_refuses_a_get(demo, client, login):
    response = upload(client, demo.draft, images.png(), as_json=False)
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert login(demo.officer).get(reverse("reports:figure_upload", args=[demo.draft.pk])).status_code == 405
    assert not Figure.objects.exists()


# Who sees a figure ---------------------------------------------------------------------------------


def fetch(client, figure):
    return client.get(figure.url)


def test_it_serves_a_drafts_figure_to_its_author_and_no_one_without_a_part(demo, login):
    figure = images.stored_figure(demo.draft, images.png(label="draft figure"))
    response = fetch(login(demo.officer), figure)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == figure.file.open("rb").read()
    assert response["Cache-Control"] == "private, no-store"  # signed in: never kept
    assert response["X-Content-Type-Options"] == "nosniff"
    assert fetch(login(demo.clerk), figure).status_code == 200
    for who in ["outsider", "member", "finance"]:
        assert fetch(login(demo.users[who]), figure).status_code == 404, who
    assert fetch(Client(), figure).status_code == 404
    assert Client().post(figure.url).status_code == 405


def test_it_serves_an_exempt_reports_figure_only_to_those_who_may_read_it(
    demo, login, django_capture_on_commit_callbacks
):
    exempt = Report.objects.get(subject=EXEMPT_SUBJECT)
    figure = images.stored_figure(exempt, images.png(label="exempt"))
    publish_upcoming(demo, django_capture_on_commit_callbacks)
    for who in ["member", "clerk", "director", "finance"]:
        assert fetch(login(demo.users[who]), figure).status_code == 200, who
    assert fetch(login(demo.outsider), figure).status_code == 404
    assert fetch(Client(), figure).status_code == 404
    # The figure's address with another report's id is not a way round.
    public = Report.objects.get(subject=PUBLIC_SUBJECT)
    assert Client().get(f"/reports/{public.pk}/figures/{figure.pk}/").status_code == 404


def test_it_serves_a_published_public_reports_figure_to_everyone(demo, login, django_capture_on_commit_callbacks):
    public = Report.objects.get(subject=PUBLIC_SUBJECT)
    figure = images.stored_figure(public, images.png(label="public"))
    assert fetch(Client(), figure).status_code == 404  # approved, not yet published
    publish_upcoming(demo, django_capture_on_commit_callbacks)
    assert fetch(Client(), figure).status_code == 200
    assert fetch(login(demo.outsider), figure).status_code == 200


# The body: what the sanitiser keeps, what the editor refuses ---------------------------------------


def test_it_keeps_only_the_reports_own_figures_with_alt_text(demo):
    own = images.stored_figure(demo.draft)
    other = images.stored_figure(demo.seed)
    html = (
        f'<figure class="figure" style="x"><img src="{own.url}" alt="Own chart" width="9" onerror="x()" '
        f'title="t"><figcaption class="figure-caption">Own caption</figcaption></figure>'
        f'<figure><img src="{other.url}" alt="Another report\'s chart"><figcaption>Kept words</figcaption></figure>'
        f'<figure><img src="{own.url}"></figure>'
        f'<figure><img src="{own.url}" alt="   "></figure>'
        '<p><img src="https://example.org/tracker.png" alt="remote"><img src="data:image/png;base64,iVBOR" alt="d">'
        f'<img src="{own.url}?x=1" alt="query"><img src="javascript:alert(1)" alt="js"></p>'
    )
    kept = sanitize_html(html, report_id=demo.draft.pk)
    assert kept == (
        f'<figure><img src="{own.url}" alt="Own chart"><figcaption>Own caption</figcaption></figure>'
        "<figure><figcaption>Kept words</figcaption></figure><p></p>"
    )
    assert "<img" not in sanitize_html(html)  # text outside a report's body never keeps an image


def test_it_stores_a_section_with_only_allow_listed_figures_whatever_the_route(demo):
    own = images.stored_figure(demo.draft)
    section = add_section(demo.draft, "Stored", f'<img src="{own.url}" alt="A"><img src="http://x/y.png" alt="B">')
    assert section.body == f'<img src="{own.url}" alt="A">'


def save_section(client, report, body):
    data = editor_data(version=report.version, sections=[("Impact report", body)], subject=report.subject)
    return client.post(reverse("reports:edit", args=[report.pk]), data)


def test_it_saves_a_section_with_its_figure(demo, login):
    figure = images.stored_figure(demo.draft)
    client = login(demo.officer)
    response = save_section(client, demo.draft, "<p>Figure one below:</p>" + images.figure_html(figure, ALT, CAPTION))
    assert response.status_code == 302
    body = Report.objects.get(pk=demo.draft.pk).sections.get().body
    assert (
        body
        == f'<p>Figure one below:</p><figure><img src="{figure.url}" alt="{ALT}"><figcaption>{CAPTION}</figcaption></figure>'
    )


@pytest.mark.parametrize("img", ['<img src="{own}">', '<img src="{own}" alt=" ">', '<img alt="" src="{own}">'])
def test_it_refuses_a_figure_without_alt_text_beside_the_sections_text_keeping_it(demo, login, img):
    own = images.stored_figure(demo.draft)
    before = list(demo.draft.sections.values_list("body", flat=True))
    body = f"<p>Words typed before the picture.</p><figure>{img.format(own=own.url)}<figcaption>Typed caption</figcaption></figure>"
    response = save_section(login(demo.officer), demo.draft, body)
    assert response.status_code == 200
    page = response.content.decode()
    error = page.split('id="section-0-body-error">', 1)[1].split("</div>", 1)[0]
    assert error.startswith("Image 1 in this section has no alternative text.")
    assert "Words typed before the picture." in page and "Typed caption" in page
    assert list(Report.objects.get(pk=demo.draft.pk).sections.values_list("body", flat=True)) == before


@pytest.mark.parametrize(
    "img",
    [
        '<img src="https://example.org/chart.png" alt="A chart">',
        '<img src="{other}" alt="A chart">',
        '<img src="file:///C:/Users/officer/clip_image001.png">',
    ],
)
def test_it_drops_an_image_that_is_not_one_of_the_reports_figures(demo, login, img):
    """As any markup the allow-list does not keep (the editor leaves them out of a paste already)."""
    other = images.stored_figure(demo.seed)
    img = img.format(other=other.url, draft=demo.draft.pk)
    response = save_section(
        login(demo.officer), demo.draft, f"<p>Kept words.</p><figure>{img}<figcaption>Kept</figcaption></figure>"
    )
    assert response.status_code == 302
    assert (
        Report.objects.get(pk=demo.draft.pk).sections.get().body
        == "<p>Kept words.</p><figure><figcaption>Kept</figcaption></figure>"
    )


def test_it_says_which_field_has_the_problem_to_an_autosave(demo, login):
    figure = images.stored_figure(demo.draft)
    response = login(demo.officer).post(
        reverse("reports:edit", args=[demo.draft.pk]),
        {
            **editor_data(version=demo.draft.version, sections=[("Impact", f'<img src="{figure.url}" alt="">')]),
            "_autosave": "1",
        },
    )
    assert response.status_code == 200
    assert "has no alternative text" in response.json()["errors"]["section-0-body"][0]


# Numbering, the page, the PDF ----------------------------------------------------------------------


@pytest.fixture
def report_with_figures(demo):
    """The seed with three figures in two sections: captioned, uncaptioned, captioned."""
    report = demo.seed
    first, second, third = (images.stored_figure(report, images.png(label=str(n))) for n in range(3))
    report.sections.all().delete()
    add_section(
        report,
        "Impact Report",
        "<ol><li><p>Figure one below provides a high level of overview:</p>"
        + images.figure_html(first, "Chart of the project's impact by theme", CAPTION)
        + "</li></ol>"
        + images.figure_html(second, "Map of the six city regions", None),
        position=1,
    )
    add_section(
        report, "Key Strategic links", images.figure_html(third, "Timeline, 2019 to 2022", "The project's timeline"), 2
    )
    return Report.objects.get(pk=report.pk), (first, second, third)


def test_it_numbers_figures_through_the_report_on_the_page(demo, login, report_with_figures):
    report, (first, second, third) = report_with_figures
    page = login(demo.officer).get(report.get_absolute_url()).content.decode()
    assert f'<span class="figure-number">Figure 1</span>: {CAPTION}</figcaption>' in page
    assert (
        f'<img src="{second.url}" alt="Map of the six city regions"><figcaption><span class="figure-number">Figure 2</span></figcaption>'
        in page
    )
    assert '<span class="figure-number">Figure 3</span>: The project&#x27;s timeline' in page or (
        '<span class="figure-number">Figure 3</span>: The project\'s timeline' in page
    )


def test_it_prints_figures_tagged_with_their_alt_text_and_numbered_captions(report_with_figures):
    report, figures = report_with_figures
    data = pdf.render_report_pdf(report_queryset().get(pk=report.pk))
    assert structure_figures(data) == [
        "Chart of the project's impact by theme",
        "Map of the six city regions",
        "Timeline, 2019 to 2022",
    ]
    assert images.pictures_in(data) == 3
    text = pdf_text(data)
    assert f"Figure 1: {CAPTION}" in text and "Figure 2" in text and "Figure 3: The project's timeline" in text
    assert text.index("Figure 1") < text.index("Figure 2") < text.index("Figure 3")


def test_it_prints_a_figure_tagged_in_both_packs_and_keeps_an_exempt_one_out_of_the_public_pack(
    demo, django_capture_on_commit_callbacks
):
    from boards.models import AgendaPack

    public, exempt = Report.objects.get(subject=PUBLIC_SUBJECT), Report.objects.get(subject=EXEMPT_SUBJECT)
    for report, alt in [(public, "Public chart of waiting times"), (exempt, "Exempt chart of contract prices")]:
        figure = images.stored_figure(report, images.png(label=alt))
        add_section(report, "In pictures", images.figure_html(figure, alt, "Pictured"), 99)
    meeting, _, _ = publish_upcoming(demo, django_capture_on_commit_callbacks)
    build_packs(meeting)
    packs = {pack.edition: pack.file.open("rb").read() for pack in AgendaPack.objects.filter(meeting=meeting)}
    assert structure_figures(packs[AgendaPack.Edition.MEMBERS]) == [
        "Public chart of waiting times",
        "Exempt chart of contract prices",
    ]
    assert structure_figures(packs[AgendaPack.Edition.PUBLIC]) == ["Public chart of waiting times"]
    assert images.pictures_in(packs[AgendaPack.Edition.PUBLIC]) == 1


def test_it_scales_a_figure_to_the_text_width(demo):
    """A 2,400-pixel-wide figure (25 inches at the CSS 96 dpi) prints within the page's text column."""
    wide = images.stored_figure(demo.seed, images.png(2400, 600))
    add_section(demo.seed, "Wide", images.figure_html(wide, "A wide chart", "Wide"), 99)
    data = pdf.render_report_pdf(report_queryset().get(pk=demo.seed.pk))
    [(_, x0, y0, x1, y1)] = images.picture_boxes(data)
    page_width = float(PdfReader(io.BytesIO(data)).pages[0].mediabox.width)
    assert 10 * 72 / 25.4 < x0 < x1 < page_width - 10 * 72 / 25.4  # inside the margins
    assert x1 - x0 > 120 * 72 / 25.4  # about the text width, not a thumbnail
    assert abs((x1 - x0) / (y1 - y0) - 4) < 0.01  # in proportion


def test_it_reads_figures_from_storage_not_from_the_disk(demo, login, settings):
    """With another file store (S3 in production; here Django's in-memory one), the figure still prints and serves."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    client = login(demo.officer)
    response = upload(client, demo.draft, images.png(label="in memory"))
    assert response.status_code == 201
    figure = Figure.objects.get()
    assert not (settings.MEDIA_ROOT / figure.file.name).exists()
    assert client.get(figure.url).status_code == 200
    add_section(demo.draft, "Stored elsewhere", images.figure_html(figure, "Kept in memory"), 99)
    data = pdf.render_report_pdf(report_queryset().get(pk=demo.draft.pk))
    assert structure_figures(data) == ["Kept in memory"] and images.pictures_in(data) == 1


def test_it_prints_the_alt_text_when_a_figures_file_is_missing(demo):
    figure = images.stored_figure(demo.draft)
    figure.file.storage.delete(figure.file.name)
    add_section(demo.draft, "Missing", images.figure_html(figure, "The missing chart"), 99)
    data = pdf.render_report_pdf(report_queryset().get(pk=demo.draft.pk))
    assert "The missing chart" in pdf_text(data) and images.pictures_in(data) == 0


# Compare and history -------------------------------------------------------------------------------


def test_it_shows_figures_by_their_alt_text_and_caption_in_the_reports_words(report_with_figures):
    report, (first, second, third) = report_with_figures
    text = report_text(report)
    assert f"[Image (file {first.pk}): Chart of the project's impact by theme]\nFigure 1: {CAPTION}" in text
    assert f"[Image (file {second.pk}): Map of the six city regions]\nFigure 2\n" in text


def test_it_tells_in_a_compare_when_a_figure_changed(demo, login):
    client = login(demo.officer)
    figure = images.stored_figure(demo.draft)
    replacement = images.stored_figure(demo.draft)
    save_section(client, demo.draft, images.figure_html(figure, "First words", "First caption"))
    report = Report.objects.get(pk=demo.draft.pk)
    section = report.sections.get()
    base = report.version
    data = editor_data(
        version=base,
        sections=[(section.pk, "Impact report", images.figure_html(replacement, "New words", "New caption"))],
    )
    assert client.post(reverse("reports:edit", args=[report.pk]), data).status_code == 302
    report.refresh_from_db()
    page = client.get(
        reverse("reports:compare", args=[report.pk]) + f"?from={base}&to={report.version}"
    ).content.decode()
    page = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    for words in [
        "First words",
        "New words",
        "First caption",
        "New caption",
        f"file {figure.pk}",
        f"file {replacement.pk}",
    ]:
        assert words in page, words


# The editor's configuration ------------------------------------------------------------------------


def test_it_offers_the_figure_dialog_and_module_in_the_editor(demo, login):
    page = login(demo.officer).get(reverse("reports:edit", args=[demo.draft.pk])).content.decode()
    assert 'id="figure-dialog"' in page and 'name="figure-alt_text"' in page and 'name="figure-file"' in page
    config = json.loads(page.split('data-editor-config="', 1)[1].split('"', 1)[0].replace("&quot;", '"'))
    assert {"ReportFigure", "Image", "Caption"} <= set(config["extensions"])
    assert config["js_modules"] == ["/static/js/report-figure.js", "/static/js/report-paste.js"]
