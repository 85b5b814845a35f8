"""The report PDF: the seed's words in the seed's order, tagged and bookmarked, the draft watermark
and the exempt banner exactly when they should be, the download and the stored copy."""

from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from reports import pdf
from reports.models import Report, Section
from reports.tasks import store_report_pdf_now
from reports.views import report_queryset
from tests.seedwords import assert_phrases_in_order, assert_words_in_order, seed_words

EXEMPT_NOTICE = (
    "NOT FOR PUBLICATION by virtue of paragraph 3 of Part 1 of Schedule 12A of the Local Government Act 1972"
)


def render(report):
    """The report's PDF as the download view makes it (the report fetched with everything it prints)."""
    return pdf.render_report_pdf(report_queryset().get(pk=report.pk))


def page_texts(data):
    return [" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(data)).pages]


def text_of(data):
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def content_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def set_status(report, status):
    report.status = status
    report.save()
    return report


def lengthen(report, sections=6):
    """Add body sections until the report runs over several pages."""
    paragraph = "<p>" + "The Board will receive a progress report on the programme each quarter. " * 12 + "</p>"
    for n in range(sections):
        Section.objects.create(report=report, position=100 + n, heading=f"Further detail {n}", body=paragraph * 3)


@pytest.fixture
def seed_pdf(demo):
    return render(demo.seed)


def test_it_prints_every_word_of_the_seed_in_order(seed_pdf):
    words = seed_words()
    assert len(words) > 1000
    assert_words_in_order(words, text_of(seed_pdf))


def test_it_prints_the_labels_and_values_in_the_seeds_order(seed_pdf):
    assert_phrases_in_order(
        [
            "Report to:", "Health and Wellbeing Board", "Date of Meeting:", "Wednesday 14 September 2022",
            "Subject:", "Cities Inequalities Project",
            "Report of:", "Director of Public Health", "Wards Affected:", "All Wards",
            "Portfolio:", "Health and Wellbeing",
            "Is this a Key Decision:", "N", "Included in Forward Plan:", "No",
            "Exempt / Confidential Report:", "N",
            "Summary:", "The report provides an overview",
            "Recommendation(s):", "(1)", "The Board are asked to note the contents of the report",
            "(2)", "The Board are asked to provide approval",
            "Reasons for the Recommendation(s):", "This is a potentially a significant piece of work",
            "Alternative Options Considered and Rejected: (including any Risk Implications)", "Not applicable",
            "What will it cost and how will it be financed?",
            "(A) Revenue Costs", "no impact on additional revenue costs.",
            "(B) Capital Costs", "no impact on additional capital costs.",
            "Implications of the Proposals:",
            "Resource Implications (Financial, IT, Staffing and Assets):", "Legal Implications:",
            "Equality Implications:", "There are no equality implications.",
            "Climate Emergency Implications:", "The recommendations within this report will",
            "Have a positive impact N", "Have a neutral impact Y", "Have a negative impact N",
            "The Author has undertaken the Climate Emergency training for report authors Y",
            "The contents of the report have a neutral impact at this time",
            "Contribution to the Council's Core Purpose:",
            "Protect the most vulnerable:", "Facilitate confident and resilient communities:",
            "Commission, broker and provide core services:", "Place – leadership and influencer:",
            "Drivers of change and reform:", "Facilitate sustainable economic prosperity:",
            "Greater income for social investment:", "Cleaner Greener:",
            "What consultations have taken place on the proposals and when?",
            "(A) Internal Consultations",
            "The Executive Director of Corporate Resources and Customer Services (FD.6932/22) and the Chief Legal "
            "and Democratic Officer (LD.5132/22) have been consulted and any comments have been incorporated into "
            "the report.",
            "(B) External Consultations", "Not applicable",
            "Implementation Date for the Decision", "Immediately following the Board meeting.",
            "Contact Officer:", "Eleanor Moulton", "Telephone Number:", "07779162882",
            "Email Address:", "eleanor.moulton@sefton.gov.uk",
            "Appendices:", "There are no appendices to this report",
            "Background Papers:", "Further reading can be found here;",
            "1. Introduction", "1.1 The Cities Health Inequalities Project", "1.2 The Project funded",
            "1.3 The UK is home", "1.4 Over 40%", "1.5 The 3-year project concluded",
            "2. Impact Report", "2.1 The impact report released", "What did we learn?", "2.2 The report offers",
            "3. Key Strategic links", "4. Appreciative Enquiry",
            "5. The Next Steps for the Liverpool City Region", "6. Conclusion",
        ],
        text_of(seed_pdf),
    )  # fmt: skip


def test_it_is_a4_with_page_n_of_m_and_the_councils_name(seed_pdf):
    reader = PdfReader(BytesIO(seed_pdf))
    pages = page_texts(seed_pdf)
    assert len(pages) >= 3
    for number, (page, text) in enumerate(zip(reader.pages, pages, strict=True), start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)  # A4 in points
        assert f"Page {number} of {len(pages)}" in text
        assert "Sefton Council" in text


def test_it_is_tagged_pdf_ua_with_title_language_and_author(seed_pdf):
    reader = PdfReader(BytesIO(seed_pdf))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"].value is True
    assert root["/Lang"] == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert reader.metadata.title == "Cities Inequalities Project"
    assert reader.metadata.author == "Director of Public Health, Sefton Council"
    xmp = root["/Metadata"].get_object().get_data()
    assert b"pdfuaid" in xmp and b"Cities Inequalities Project" in xmp


def test_it_tags_headings_lists_and_tables_as_structure(seed_pdf):
    reader = PdfReader(BytesIO(seed_pdf))
    kinds = set()

    def walk(element, depth=0):
        element = element.get_object()
        if hasattr(element, "get") and element.get("/S"):
            kinds.add(element["/S"])
        kids = element.get("/K") if hasattr(element, "get") else None
        if kids is None or depth > 60:
            return
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object()
            if hasattr(kid, "get"):
                walk(kid, depth + 1)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert {"/H1", "/H2", "/H3", "/P", "/L", "/LI", "/Table", "/TR", "/TH", "/TD", "/Link"} <= kinds


def test_it_has_a_bookmark_for_each_block_and_section(seed_pdf):
    reader = PdfReader(BytesIO(seed_pdf))

    def titles(outline):
        for item in outline:
            yield from titles(item) if isinstance(item, list) else [item.title]

    assert list(titles(reader.outline)) == [
        "Cities Inequalities Project",
        "Report details",
        "Summary:",
        "Recommendation(s):",
        "Reasons for the Recommendation(s):",
        "Alternative Options Considered and Rejected: (including any Risk Implications)",
        "What will it cost and how will it be financed?",
        "(A) Revenue Costs",
        "(B) Capital Costs",
        "Implications of the Proposals:",
        "Climate Emergency Implications:",
        "Contribution to the Council's Core Purpose:",
        "What consultations have taken place on the proposals and when?",
        "(A) Internal Consultations",
        "(B) External Consultations",
        "Implementation Date for the Decision",
        "Contact Officer",
        "Appendices:",
        "Background Papers:",
        "1. Introduction",
        "2. Impact Report",
        "What did we learn?",
        "3. Key Strategic links",
        "4. Appreciative Enquiry",
        "5. The Next Steps for the Liverpool City Region",
        "6. Conclusion",
    ]


def test_it_embeds_its_fonts(seed_pdf):
    reader = PdfReader(BytesIO(seed_pdf))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts
    for name, font in fonts.items():
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        descriptor = descendant["/FontDescriptor"].get_object()
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), f"{name} is not embedded"
        assert "/ToUnicode" in font, f"{name} has no text mapping"
    assert any("Source-Sans-3" in name for name in fonts)
    assert any("Source-Sans-3-Bold" in name for name in fonts)


def test_it_prints_real_text_not_pictures_of_it(seed_pdf):
    reader = PdfReader(BytesIO(seed_pdf))
    for page in reader.pages:
        assert not page.images
        assert len(page.extract_text()) > 200


@pytest.mark.parametrize("status", [Report.Status.DRAFT, Report.Status.CONSULTATION, Report.Status.SIGNED_OFF])
def test_it_marks_every_page_draft_until_the_report_is_approved(demo, status):
    report = set_status(demo.seed, status)
    lengthen(report)
    pages = page_texts(render(report))
    assert len(pages) >= 6
    for text in pages:
        assert "DRAFT" in text


@pytest.mark.parametrize("status", [Report.Status.APPROVED, Report.Status.PUBLISHED])
def test_it_has_no_draft_watermark_once_approved(demo, status):
    report = set_status(demo.seed, status)
    lengthen(report)
    for text in page_texts(render(report)):
        assert "DRAFT" not in text


def test_it_prints_the_exempt_banner_on_every_page(demo):
    report = demo.seed
    report.is_exempt, report.exempt_paragraphs = True, [3]
    report.save()
    lengthen(report)
    pages = page_texts(render(report))
    assert len(pages) >= 6
    for text in pages:
        assert EXEMPT_NOTICE in text
    assert "Exempt / Confidential Report: Y (paragraph 3 of Part 1 of Schedule 12A" in pages[0]


def test_it_names_every_paragraph_in_the_banner(demo):
    report = demo.seed
    report.is_exempt, report.exempt_paragraphs = True, [1, 3]
    report.save()
    for text in page_texts(render(report)):
        assert "NOT FOR PUBLICATION by virtue of paragraphs 1 and 3 of Part 1 of Schedule 12A" in text


def test_it_has_no_banner_on_a_public_report(seed_pdf):
    assert "NOT FOR PUBLICATION" not in text_of(seed_pdf)


def test_it_repeats_a_tables_header_row_and_keeps_headings_with_their_text(demo):
    rows = "".join(f"<tr><td><p>Ward {n}</p></td><td><p>{n * 17} households</p></td></tr>" for n in range(150))
    body = (
        "<p>Before the table.</p><h3>Households by ward</h3>"
        f"<table><tbody><tr><th><p>Ward name</p></th><th><p>Households reached</p></th></tr>{rows}</tbody></table>"
    )
    Section.objects.create(report=demo.seed, position=50, heading="Households", body=body)
    pages = page_texts(render(demo.seed))
    table_pages = [text for text in pages if "households" in text.replace("Households by ward", "")]
    assert len(table_pages) >= 3
    for text in table_pages:
        assert "Ward name Households reached" in text
    for text in pages:  # a heading is never the last thing on its page
        assert not text.split(" Sefton Council Page ")[0].endswith("Households by ward")


def test_it_wraps_long_words_and_urls(demo):
    url = "https://www.example.gov.uk/" + "very-long-path-segment/" * 12 + "document.pdf"
    word = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 6
    Section.objects.create(report=demo.seed, position=50, heading="Long", body=f"<p>{url}</p><p>{word}</p>")
    data = render(demo.seed)
    text = "".join(text_of(data).split()).replace("\u200b", "")
    assert url in text
    assert word in text


def test_it_downloads_the_pdf_named_after_the_subject(demo, login):
    response = login(demo.officer).get(reverse("reports:pdf", args=[demo.seed.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="cities-inequalities-project.pdf"'
    assert content_of(response).startswith(b"%PDF-")


def test_it_names_a_drafts_pdf_as_a_draft(demo, login):
    response = login(demo.officer).get(reverse("reports:pdf", args=[demo.draft.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="sefton-active-lifestyles-strategy-2023-to-2028-draft.pdf"'
    )
    assert "DRAFT" in text_of(response.content)


def test_it_refuses_the_pdf_to_an_outsider(demo, login):
    response = login(demo.outsider).get(reverse("reports:pdf", args=[demo.draft.pk]))
    assert response.status_code == 404


def test_it_refuses_to_post_to_the_pdf(demo, login):
    response = login(demo.officer).post(reverse("reports:pdf", args=[demo.seed.pk]))
    assert response.status_code == 405


def test_it_asks_a_stranger_to_sign_in_for_a_draft(demo, client):
    response = client.get(reverse("reports:pdf", args=[demo.draft.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_stores_an_approved_reports_pdf_and_serves_it_from_storage(demo, login, monkeypatch):
    client = login(demo.member)
    history_rows = demo.seed.history.count()
    store_report_pdf_now(demo.seed.pk)  # the background job an approval queues (tests/test_report_pdf_task.py)
    first = client.get(reverse("reports:pdf", args=[demo.seed.pk]))
    assert first.status_code == 200
    first_pdf = content_of(first)
    demo.seed.refresh_from_db()
    assert demo.seed.pdf_version == demo.seed.version
    assert demo.seed.pdf_file.name.startswith(f"reports/pdf/report-{demo.seed.pk}-v{demo.seed.version}-")
    assert demo.seed.pdf_key == pdf.report_pdf_key(demo.seed)
    assert demo.seed.history.count() == history_rows  # storing the PDF is not an edit

    def no_render(report):
        raise AssertionError("a stored PDF is served, not rendered again")

    monkeypatch.setattr(pdf, "render_report_pdf", no_render)
    second = client.get(reverse("reports:pdf", args=[demo.seed.pk]))
    assert second.status_code == 200
    assert second.streaming  # a FileResponse from storage
    assert content_of(second) == first_pdf


def test_it_renders_a_draft_on_every_request_and_never_stores_it(demo, login, monkeypatch):
    calls = []
    real = pdf.render_report_pdf
    monkeypatch.setattr(pdf, "render_report_pdf", lambda report: calls.append(report.pk) or real(report))
    client = login(demo.officer)
    for _ in range(2):
        assert client.get(reverse("reports:pdf", args=[demo.draft.pk])).status_code == 200
    assert calls == [demo.draft.pk, demo.draft.pk]
    demo.draft.refresh_from_db()
    assert not demo.draft.pdf_file and demo.draft.pdf_version is None
    with pytest.raises(ValueError):
        pdf.store_report_pdf(demo.draft)


def test_it_stores_the_pdf_again_when_the_approved_version_changes(demo, django_capture_on_commit_callbacks):
    report = report_queryset().get(pk=demo.seed.pk)
    pdf.store_report_pdf(report)
    old_name = report.pdf_file.name
    storage = report.pdf_file.storage
    assert storage.exists(old_name)
    report.version += 1
    report.save()
    report = report_queryset().get(pk=report.pk)
    with django_capture_on_commit_callbacks(execute=True):
        pdf.store_report_pdf(report)
    report.refresh_from_db()
    assert report.pdf_version == report.version
    assert report.pdf_file.name != old_name and storage.exists(report.pdf_file.name)
    assert not storage.exists(old_name)


def test_it_shows_a_friendly_page_when_the_pdf_cannot_be_made(demo, login, settings):
    settings.PDF_RENDER_TIMEOUT = 0.001
    response = login(demo.officer).get(reverse("reports:pdf", args=[demo.draft.pk]))
    assert response.status_code == 503
    assert b"could not be made" in response.content
    assert b"took longer than" in response.content


def test_it_shows_the_print_preview_from_the_pdfs_template(demo, login):
    response = login(demo.officer).get(reverse("reports:print_preview", args=[demo.draft.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Print preview" in html and "Sefton Active Lifestyles Strategy 2023 to 2028" in html
    assert "css/print.css" in html and "css/print-fonts.css" in html
    assert 'class="watermark"' in html
    assert reverse("reports:pdf", args=[demo.draft.pk]) in html


def test_it_links_the_print_preview_from_the_report(demo, login):
    response = login(demo.officer).get(reverse("reports:detail", args=[demo.draft.pk]))
    assert reverse("reports:print_preview", args=[demo.draft.pk]).encode() in response.content


def test_it_refuses_the_print_preview_to_an_outsider(demo, login):
    response = login(demo.outsider).get(reverse("reports:print_preview", args=[demo.draft.pk]))
    assert response.status_code == 404


def test_it_refuses_to_post_to_the_print_preview(demo, login):
    response = login(demo.officer).post(reverse("reports:print_preview", args=[demo.draft.pk]))
    assert response.status_code == 405


def test_it_makes_the_pdf_again_when_something_it_prints_changes_elsewhere(login, demo):
    client = login(demo.member)
    store_report_pdf_now(demo.seed.pk)
    demo.seed.refresh_from_db()
    stored = demo.seed.pdf_file.name
    assert client.get(reverse("reports:pdf", args=[demo.seed.pk])).status_code == 200
    demo.seed.refresh_from_db()
    assert demo.seed.pdf_file.name == stored  # nothing changed: served from storage
    demo.board.name = "Health and Wellbeing Board (Sefton)"
    demo.board.save()
    response = client.get(reverse("reports:pdf", args=[demo.seed.pk]))
    assert "Health and Wellbeing Board (Sefton)" in " ".join(page_texts(content_of(response)))
    demo.seed.refresh_from_db()
    assert demo.seed.pdf_file.name == stored  # made for that answer; a GET stores nothing
    store_report_pdf_now(demo.seed.pk)
    demo.seed.refresh_from_db()
    assert demo.seed.pdf_file.name != stored and demo.seed.version == 1


def test_every_active_implication_type_and_core_purpose_is_printed_even_when_blank(demo, login):
    """As the seed prints them: a row per type, blank where the author wrote nothing."""
    from reports.models import CorePurpose, ImplicationType

    report = demo.draft
    report.implications.all().delete()
    report.core_purposes.all().delete()
    ImplicationType.objects.create(name="Retired type", position=99, is_active=False)
    text = " ".join(text_of(pdf.render_report_pdf(report)).split())
    for kind in ImplicationType.objects.filter(is_active=True):
        assert f"{kind.name}:" in text
    for purpose in CorePurpose.objects.filter(is_active=True):
        assert purpose.name in text
    assert "Retired type" not in text
    html = login(demo.officer).get(f"/reports/{report.pk}/").content.decode()
    assert all(kind.name in html for kind in ImplicationType.objects.filter(is_active=True))
