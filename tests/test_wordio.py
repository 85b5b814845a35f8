"""Word in and Word out (issue 18): the export, the round trip, the import's refusals and gates."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from reports.html import html_to_text
from reports.models import Report
from wordio import reader
from wordio.export import report_docx
from wordio.safety import OLE_MAGIC

IMPORT = reverse("wordio:import")


def _upload(client, data, name="report.docx"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, data)}, follow=True)


def _text_of(data):
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _seed(demo):
    return Report.objects.with_parts().get(pk=demo.seed.pk)


def test_the_export_has_the_templates_labels_and_the_seeds_words_in_order(demo, login):
    response = login(demo.officer).get(reverse("wordio:export", args=[demo.seed.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument")
    assert "cities-inequalities-project.docx" in response["Content-Disposition"]
    text = _text_of(response.content)
    labels = [
        "Report to:", "Date of Meeting:", "Subject:", "Report of:", "Wards Affected:", "Portfolio:",
        "Is this a Key Decision:", "Included in Forward Plan:", "Exempt / Confidential Report:",
        "Summary:", "Recommendation(s):", "Reasons for the Recommendation(s):",
        "Alternative Options Considered and Rejected:", "What will it cost and how will it be financed?",
        "(A) Revenue Costs", "(B) Capital Costs", "Implications of the Proposals:",
        "Climate Emergency Implications:", "Contribution to the Council's Core Purpose:",
        "What consultations have taken place on the proposals and when?", "Implementation Date for the Decision",
        "Contact Officer:", "Telephone Number:", "Email Address:", "Appendices:", "Background Papers:",
        "1. Introduction", "2. Impact Report",
    ]  # fmt: skip
    positions = [text.find(label) for label in labels]
    assert -1 not in positions, [label for label, at in zip(labels, positions, strict=True) if at == -1]
    document = Document(io.BytesIO(response.content))
    paragraphs = [p.text for p in document.paragraphs]
    assert "(1) The Board are asked to note the contents of the report" in paragraphs
    assert any(p.startswith("1.1 The Cities Health Inequalities Project") for p in paragraphs)
    assert any(p.startswith("2.2 The report offers") for p in paragraphs)
    assert "Wednesday 14 September 2022" in text and "Eleanor Moulton" in text and "All Wards" in text
    assert any("Levelling Up the United Kingdom" in link.text for p in document.paragraphs for link in p.hyperlinks)


@pytest.mark.parametrize("who", ["outsider", None])
def test_the_export_is_refused_to_an_outsider_and_a_visitor(demo, client, who):
    if who:
        client.force_login(demo.users[who])
    response = client.get(reverse("wordio:export", args=[demo.draft.pk]))
    assert response.status_code == (404 if who else 302)
    if not who:
        assert "/accounts/login/" in response["Location"]
    seed = client.get(reverse("wordio:export", args=[demo.seed.pk]))
    assert seed.status_code in {302, 404} and not seed.content.startswith(b"PK")


def test_the_seed_comes_back_from_word_to_the_same_fields(demo, login):
    seed = _seed(demo)
    client = login(demo.officer)
    response = _upload(client, report_docx(seed))
    assert response.status_code == 200, response.content[:2000]
    imported = Report.objects.with_parts().exclude(pk__in=[demo.seed.pk, demo.draft.pk]).latest("pk")
    assert imported.author == demo.officer and imported.status == Report.Status.DRAFT
    for name in [
        "subject", "summary", "reasons", "alternatives", "revenue_costs", "capital_costs", "external_consultations",
        "implementation_date", "contact_officer", "contact_phone", "contact_email", "background_papers",
        "climate_impact", "climate_training", "climate_explanation", "board_id", "report_of_id", "portfolio_id",
        "all_wards", "is_key_decision", "in_forward_plan", "is_exempt",
    ]:  # fmt: skip
        assert getattr(imported, name) == getattr(seed, name), name
    assert imported.meeting == seed.meeting
    assert [r.text for r in imported.recommendations.all()] == [r.text for r in seed.recommendations.all()]
    assert {i.type_id: i.text for i in imported.implications.all() if i.text} == {
        i.type_id: i.text for i in seed.implications.all() if i.text
    }
    assert {c.purpose_id: c.text for c in imported.core_purposes.all()} == {
        c.purpose_id: c.text for c in seed.core_purposes.all()
    }
    assert [s.heading for s in imported.sections.all()] == [s.heading for s in seed.sections.all()]
    for mine, theirs in zip(imported.sections.all(), seed.sections.all(), strict=True):
        assert html_to_text(mine.body) == html_to_text(theirs.body), mine.heading
    # The numbered paragraphs are numbered again, the same, and the links kept.
    assert [n for n, _, html in imported.numbered_sections()] == [n for n, _, html in seed.numbered_sections()]
    assert 'href="https://www.local.gov.uk/devolution-deals"' in imported.sections.all()[2].body
    body = response.content.decode()
    assert "Imported from Word: Cities Inequalities Project" in body
    # Everything was placed: the sentence the system writes from the sign-offs is recognised as its own.
    assert body.count("<dt>") == 0 and "Not placed (0)" in body and "standard sentence, recognised" in body


def test_the_editor_of_a_new_report_offers_the_import(demo, login):
    body = login(demo.officer).get(reverse("reports:new")).content.decode()
    assert 'action="/reports/new/word/"' in body and "Import from Word" in body


def test_the_reports_page_links_to_the_word_export(demo, login):
    body = login(demo.officer).get(reverse("reports:detail", args=[demo.seed.pk])).content.decode()
    assert f'href="/reports/{demo.seed.pk}/report.docx"' in body and "Download as Word" in body


def _zip(parts):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def _docx_with(extra=None, types=None):
    """A real .docx (python-docx's own) with `extra` parts added and its content types replaced."""
    document = Document()
    document.add_paragraph("Summary:")
    document.add_paragraph("Words.")
    plain = io.BytesIO()
    document.save(plain)
    parts = {}
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as archive:
        for name in archive.namelist():
            parts[name] = archive.read(name)
    if types:
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(*types)
    parts.update(extra or {})
    return _zip(parts)


def _bomb():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (30 * 1024 * 1024))
    return out.getvalue()


BAD = {
    "not a docx": (b"%PDF-1.7 not a word file", "report.docx", "not a Word document"),
    "a corrupt zip": (b"PK\x03\x04" + b"\x00" * 200, "report.docx", "not a Word document"),
    "a truncated docx": (None, "report.docx", "damaged"),
    "an encrypted docx": (OLE_MAGIC + b"\0" * 600, "report.docx", "password-protected"),
    "a zip bomb": (None, "report.docx", "would unpack to more than 20 MB"),
    "a docm": (None, "report.docm", "macro-enabled"),
    "macros in a docx": (None, "report.docx", "contains macros"),
    "a zip that is not word": (_zip({"a.txt": b"hello"}), "report.docx", "not a Word document"),
    "an empty file": (b"", "report.docx", ""),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_file_is_refused_beside_the_field_and_nothing_is_made(demo, login, case):
    data, name, message = BAD[case]
    if case == "a truncated docx":
        whole = _docx_with()
        data = whole[:600] + b"\xff" * 400 + whole[1000:]  # a part's compressed bytes overwritten
    elif case == "a zip bomb":
        data = _bomb()
        assert len(data) < 100_000
    elif case in {"a docm", "macros in a docx"}:
        data = _docx_with({"word/vbaProject.bin": b"\0" * 100})
    before = Report.objects.count()
    response = _upload(login(demo.officer), data, name)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_file_error"' in body and "is-invalid" in body
    assert message in body.replace("&#x27;", "'")
    assert Report.objects.count() == before


def test_a_docx_not_on_the_template_makes_a_draft_saying_so_with_everything_kept(demo, login):
    document = Document()
    document.add_heading("Minutes of a meeting of the allotments society", level=0)
    document.add_paragraph("Tea was served at four.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Plot", "Holder"
    out = io.BytesIO()
    document.save(out)
    response = _upload(login(demo.officer), out.getvalue())
    assert response.status_code == 200
    body = response.content.decode()
    assert "not on the council's report template" in body
    for words in ["Minutes of a meeting of the allotments society", "Tea was served at four.", "Plot | Holder"]:
        assert words in body


def test_external_links_are_kept_as_addresses_and_never_fetched(demo, login, monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("the import tried to reach the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    seed = _seed(demo)
    data = report_docx(seed)
    # An image linked from outside and an attached template: relationships to addresses, never opened.
    rels = (
        b'<Relationship Id="rIdX1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'attachedTemplate" Target="http://attacker.invalid/template.dotm" TargetMode="External"/></Relationships>'
    )
    parts = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            parts[name] = archive.read(name)
    parts["word/_rels/document.xml.rels"] = parts["word/_rels/document.xml.rels"].replace(b"</Relationships>", rels)
    response = _upload(login(demo.officer), _zip(parts))
    assert response.status_code == 200


def test_labels_are_matched_forgivingly():
    assert reader.norm("RECOMMENDATIONS") == reader.norm("Recommendation(s):") == "recommendations"
    assert reader._split_label("Reasons for the recommendations", reader.BLOCKS) == ("reasons", "")
    assert reader._split_label("Summary: All of it.", reader.BLOCKS) == ("summary", "All of it.")
    assert reader.parse_date("Wednesday 14 September 2022").isoformat() == "2022-09-14"


def test_an_outsider_who_writes_no_reports_may_not_import(demo, login):
    before = Report.objects.count()
    response = _upload(login(demo.finance), _docx_with())
    assert response.status_code == 404 and Report.objects.count() == before
    assert login(demo.finance).get(IMPORT).status_code == 405


def _not_on_template(paragraphs):
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_the_import_report_is_kept_with_the_draft_and_a_reload_makes_no_second_draft(demo, login):
    client = login(demo.officer)
    before = Report.objects.count()
    data = _not_on_template(["Tea was served at four.", "The plots were allotted."])
    response = client.post(IMPORT, {"file": SimpleUploadedFile("allotments.docx", data)})
    report = Report.objects.latest("pk")
    page = reverse("wordio:import_report", args=[report.pk])
    assert response.status_code == 303 and response["Location"] == page
    for _ in range(2):  # a reload shows it again, and makes nothing
        shown = client.get(page).content.decode()
        assert "Tea was served at four." in shown and "The plots were allotted." in shown
    assert Report.objects.count() == before + 1
    # The editor links back to it while parts are not placed, so nothing is lost by leaving the page.
    editor = client.get(reverse("reports:edit", args=[report.pk])).content.decode()
    assert 'id="word-import-note"' in editor and page in editor and "were not placed" in editor
    # A draft with everything placed, or never imported, has no such note.
    report.word_imports.update(unplaced=[])
    assert 'id="word-import-note"' not in client.get(reverse("reports:edit", args=[report.pk])).content.decode()
    assert 'id="word-import-note"' not in client.get(reverse("reports:edit", args=[demo.draft.pk])).content.decode()


def test_the_import_report_costs_the_same_queries_with_three_parts_not_placed_or_thirty(demo, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(demo.officer)
    counts = []
    for parts in (3, 30):
        data = _not_on_template([f"Part {n} of the allotments society's minutes." for n in range(parts)])
        client.post(IMPORT, {"file": SimpleUploadedFile("allotments.docx", data)})
        report = Report.objects.latest("pk")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("wordio:import_report", args=[report.pk]))
        assert response.content.decode().count("Part ") >= parts
        counts.append(len(queries))
    assert counts[0] == counts[1]
