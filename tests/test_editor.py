import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reports.models import Implication, Recommendation, Report, Section
from reports.pdfcheck import DisarmedPdf
from tests.editor import complete_report_data, editor_data

pytestmark = pytest.mark.django_db


def save(client, url, data, **extra):
    return client.post(url, data, **extra)


def test_it_redirects_anonymous_visitors_to_login(client, demo):
    for url in ["/reports/new/", f"/reports/{demo.draft.pk}/edit/", "/reports/", f"/reports/{demo.draft.pk}/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_it_shows_a_blank_editor_with_the_template_labels(login, demo):
    response = login(demo.officer).get("/reports/new/")
    assert response.status_code == 200
    html = response.content.decode()
    for label in [
        "Report to",
        "Date of Meeting",
        "Subject",
        "Report of",
        "Wards Affected",
        "Portfolio",
        "Is this a Key Decision",
        "Included in Forward Plan",
        "Exempt / Confidential Report",
        "Summary",
        "Recommendation(s)",
        "Reasons for the Recommendation(s)",
        "Alternative Options Considered and Rejected (including any Risk Implications)",
        "(A) Revenue Costs",
        "(B) Capital Costs",
        "Legal Implications",
        "The recommendations within this report will",
        "The Author has undertaken the Climate Emergency training for report authors",
        "Protect the most vulnerable",
        "(B) External Consultations",
        "Implementation Date for the Decision",
        "Contact Officer",
        "Telephone Number",
        "Email Address",
        "Background Papers",
    ]:
        assert label in html, label
    assert re.search(r'<label\s+for="id_subject"', html)


def test_it_creates_a_draft_with_every_block_filled(login, demo):
    client = login(demo.officer)
    response = save(client, "/reports/new/", complete_report_data(demo.board, demo.meeting))
    report = Report.objects.get(subject="Better Care Fund plan 2023 to 2025")
    assert response.status_code == 302
    assert response["Location"] == f"/reports/{report.pk}/edit/"
    assert report.author == demo.officer
    assert report.status == Report.Status.DRAFT
    assert [r.text for r in report.recommendations.all()] == [
        "The Board are asked to approve the plan.",
        "The Board are asked to delegate sign-off.",
    ]
    assert [s.heading for s in report.sections.all()] == ["Introduction", "Background"]
    assert sorted(w.name for w in report.wards.all()) == ["Derby", "Linacre"]
    assert report.implications.count() == 3 and report.core_purposes.count() == 8
    assert report.is_key_decision is True and report.is_exempt is False
    assert report.missing_items() == []
    page = client.get(f"/reports/{report.pk}/edit/").content.decode()
    assert "The Board are asked to delegate sign-off." in page
    assert "Since 2015 the fund has grown." in page


def test_it_saves_an_incomplete_draft_and_lists_what_is_missing(login, demo):
    client = login(demo.officer)
    client.post("/reports/new/", editor_data(subject="Half a report", action="check"))
    report = Report.objects.get(subject="Half a report")
    response = client.get(f"/reports/{report.pk}/edit/?check=1")
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_summary"' in html and "Enter the Summary" in html
    assert "Add at least one Recommendation" in html


def test_it_reorders_and_removes_rows(login, demo):
    client = login(demo.officer)
    report = demo.draft
    first = Recommendation.objects.create(report=report, position=2, text="Second one")
    original = report.recommendations.order_by("position").first()
    data = editor_data(
        version=report.version,
        subject=report.subject,
        recommendations=[(first.pk, "Second one, now first"), (original.pk, original.text)],
        sections=[("Intro", "<p>x</p>")],
    )
    assert client.post(f"/reports/{report.pk}/edit/", data).status_code == 302
    assert [r.text for r in report.recommendations.all()] == ["Second one, now first", original.text]
    report.refresh_from_db()
    data = editor_data(version=report.version, subject=report.subject, recommendations=[(first.pk, "Only")])
    client.post(f"/reports/{report.pk}/edit/", data)
    assert list(report.recommendations.values_list("pk", "text")) == [(first.pk, "Only")]
    assert not report.sections.exists()


def test_it_autosaves_and_returns_the_new_ids(login, demo):
    client = login(demo.officer)
    data = editor_data(subject="Autosaved", recommendations=["One", ""], sections=[("Intro", "<p>x</p>")])
    data["_autosave"] = "1"
    response = client.post("/reports/new/", data)
    assert response.status_code == 200
    result = json.loads(response.content)
    report = Report.objects.get(subject="Autosaved")
    assert result["edit_url"] == f"/reports/{report.pk}/edit/"
    assert result["recommendation_ids"] == [report.recommendations.get().pk, ""]
    assert result["section_ids"] == [report.sections.get().pk]
    assert result["version"] == report.version


def test_it_does_not_make_a_version_when_nothing_changed(login, demo):
    client = login(demo.officer)
    report = demo.draft
    page = client.get(f"/reports/{report.pk}/edit/")
    assert page.status_code == 200
    data = editor_data(
        version=report.version,
        board=report.board_id,
        subject=report.subject,
        report_of=report.report_of_id,
        portfolio=report.portfolio_id,
        summary=report.summary,
        contact_officer=report.contact_officer,
        contact_email=report.contact_email,
        recommendations=[(r.pk, r.text) for r in report.recommendations.all()],
        _autosave="1",
    )
    result = json.loads(client.post(f"/reports/{report.pk}/edit/", data).content)
    assert result["saved"] is False
    report.refresh_from_db()
    assert report.version == 1


def test_it_refuses_a_stale_save_and_keeps_the_typed_text(login, demo, client):
    report = demo.draft
    base = report.version
    officer = login(demo.officer)
    officer.post(
        f"/reports/{report.pk}/edit/",
        editor_data(version=base, subject=report.subject, summary="The other person's summary."),
    )
    response = officer.post(
        f"/reports/{report.pk}/edit/",
        editor_data(version=base, subject=report.subject, summary="My own summary, typed meanwhile."),
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this report" in html
    assert "My own summary, typed meanwhile." in html  # kept in the form
    assert "The other person&#x27;s summary." in html  # shown as their change
    report.refresh_from_db()
    assert report.summary == "The other person's summary."
    assert f'name="version" value="{report.version}"' in html  # saving again now succeeds


def test_it_shows_errors_by_their_fields_and_keeps_the_rest(login, demo):
    client = login(demo.officer)
    report = demo.draft
    long_subject = "S" * 251
    response = client.post(
        f"/reports/{report.pk}/edit/",
        editor_data(
            version=report.version,
            subject=long_subject,
            summary="A new summary that is fine.",
            contact_email="not an email",
            contact_phone="call me maybe",
            forward_plan_date="31/02/2022",
            in_forward_plan="True",
            is_key_decision="True",
            recommendations=["x" * 20_001],
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "at most 250 characters" in html
    assert "Enter a valid email address" in html
    assert "Enter a telephone number" in html
    assert "Enter a real date" in html
    assert "too long: at most 20,000 characters" in html
    assert long_subject in html and "call me maybe" in html  # nothing typed is lost
    report.refresh_from_db()
    assert report.summary == "A new summary that is fine."  # the valid parts were saved
    assert report.subject != long_subject


def test_it_ignores_another_reports_rows_and_unknown_types(login, demo):
    client = login(demo.officer)
    report = demo.draft
    foreign = demo.seed.recommendations.first()
    data = editor_data(
        version=report.version,
        subject=report.subject,
        recommendations=[(foreign.pk, "Hijacked")],
    )
    data["implication_999999"] = "unknown type"
    assert client.post(f"/reports/{report.pk}/edit/", data).status_code == 302
    foreign.refresh_from_db()
    assert foreign.text != "Hijacked" and foreign.report == demo.seed
    assert report.recommendations.get().text == "Hijacked"
    assert not Implication.objects.filter(text="unknown type").exists()


def test_it_refuses_a_meeting_of_another_board(login, demo):
    from boards.models import Board, Meeting

    other = Board.objects.create(name="Cabinet", slug="cabinet")
    meeting = Meeting.objects.create(board=other, starts_at=demo.meeting.starts_at)
    client = login(demo.officer)
    response = client.post(
        f"/reports/{demo.draft.pk}/edit/",
        editor_data(version=demo.draft.version, subject="x", board=demo.board.pk, meeting=meeting.pk),
    )
    assert "That meeting is of the Cabinet" in response.content.decode()


def test_it_refuses_an_unreadable_list(login, demo):
    client = login(demo.officer)
    data = editor_data(version=demo.draft.version, subject="x", recommendations=["a"])
    data["recommendation-id"] = ["", ""]
    response = client.post(f"/reports/{demo.draft.pk}/edit/", data)
    assert response.status_code == 200
    assert "could not be read" in response.content.decode()


def test_it_hides_reports_from_outsiders(login, demo):
    client = login(demo.outsider)
    for url in [
        f"/reports/{demo.draft.pk}/",
        f"/reports/{demo.draft.pk}/edit/",
        f"/reports/{demo.draft.pk}/pdf/",
        f"/reports/{demo.seed.pk}/",
    ]:
        assert client.get(url).status_code == 404, url
    response = client.post(f"/reports/{demo.draft.pk}/edit/", editor_data(subject="hijack"))
    assert response.status_code == 404
    demo.draft.refresh_from_db()
    assert demo.draft.subject != "hijack"


def test_it_keeps_approved_reports_locked(login, demo):
    client = login(demo.officer)
    response = client.get(f"/reports/{demo.seed.pk}/edit/")
    assert response.status_code == 302
    client.post(f"/reports/{demo.seed.pk}/edit/", editor_data(version=1, subject="changed"))
    demo.seed.refresh_from_db()
    assert demo.seed.subject == "Cities Inequalities Project"


def test_it_refuses_the_wrong_method(login, demo):
    client = login(demo.officer)
    assert client.post("/reports/").status_code == 405
    assert client.post(f"/reports/{demo.draft.pk}/").status_code == 405
    assert client.get(f"/reports/{demo.draft.pk}/appendices/").status_code == 405


def test_it_keeps_a_version_history(login, demo):
    client = login(demo.officer)
    report = demo.draft
    client.post(f"/reports/{report.pk}/edit/", editor_data(version=1, subject=report.subject, summary="v2"))
    report.refresh_from_db()
    assert report.version == 2
    assert report.history.filter(version=2).exists()
    assert report.history.filter(version=1).exists()


def test_it_voids_sign_offs_when_a_signed_report_is_edited(login, demo):
    from reports.models import ConsulteeKind, SignOff

    report = demo.draft
    report.status = Report.Status.SIGNED_OFF
    report.save()
    kind = ConsulteeKind.objects.get(prefix="FD")
    SignOff.objects.create(
        report=report, kind=kind, officer_title=kind.officer_title, prefix="FD", year=2026, number=99999,
        reference="FD.99999/26", signed_by=demo.finance,
    )  # fmt: skip
    client = login(demo.officer)
    client.post(f"/reports/{report.pk}/edit/", editor_data(version=report.version, subject="Edited after sign-off"))
    report.refresh_from_db()
    assert report.status == Report.Status.CONSULTATION
    sign_off = report.sign_offs.get()
    assert sign_off.voided_at is not None and sign_off.reference == "FD.99999/26"
    assert report.internal_consultations_text() == ""


def pdf_bytes(text="Appendix"):
    from io import BytesIO

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def test_it_uploads_a_pdf_appendix(login, demo):
    client = login(demo.officer)
    upload = SimpleUploadedFile("plan.pdf", pdf_bytes(), content_type="application/pdf")
    response = client.post(f"/reports/{demo.draft.pk}/appendices/", {"title": "The plan", "file": upload})
    assert response.status_code == 302
    appendix = demo.draft.appendices.get()
    assert appendix.title == "The plan" and appendix.page_count == 1
    assert "plan" not in appendix.file.name  # stored names never carry the user's file name
    download = client.get(f"/reports/{demo.draft.pk}/appendices/{appendix.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert login(demo.outsider).get(f"/reports/{demo.draft.pk}/appendices/{appendix.pk}/").status_code == 404


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("notes.pdf", b"This is a Word document really", "not a PDF"),
        ("image.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "not a PDF"),
        ("broken.pdf", b"%PDF-1.7\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n%%EOF", "damaged"),
    ],
)
def test_it_refuses_files_that_are_not_readable_pdfs(login, demo, name, content, message):
    client = login(demo.officer)
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = client.post(f"/reports/{demo.draft.pk}/appendices/", {"title": "Bad", "file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'value="Bad"' in html  # the typed title is kept
    assert not demo.draft.appendices.exists()


def test_it_refuses_an_oversize_appendix(login, demo, settings):
    settings.APPENDIX_MAX_MB = 1
    client = login(demo.officer)
    big = pdf_bytes() + b"%" + b"0" * (1024 * 1024)
    upload = SimpleUploadedFile("big.pdf", big, content_type="application/pdf")
    response = client.post(f"/reports/{demo.draft.pk}/appendices/", {"title": "Big", "file": upload})
    assert response.status_code == 400
    assert "appendices can be at most 1 MB" in response.content.decode()


def test_it_removes_an_appendix(login, demo):
    client = login(demo.officer)
    upload = SimpleUploadedFile("plan.pdf", pdf_bytes(), content_type="application/pdf")
    client.post(f"/reports/{demo.draft.pk}/appendices/", {"title": "The plan", "file": upload})
    appendix = demo.draft.appendices.get()
    assert login(demo.outsider).post(f"/reports/{demo.draft.pk}/appendices/{appendix.pk}/delete/").status_code == 404
    client = login(demo.officer)
    assert client.post(f"/reports/{demo.draft.pk}/appendices/{appendix.pk}/delete/").status_code == 302
    assert not demo.draft.appendices.exists()


def test_it_shows_the_report_as_it_will_read(login, demo):
    response = login(demo.officer).get(f"/reports/{demo.seed.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Cities Inequalities Project" in html
    assert "1.1</span>" in html and "2.2</span>" in html
    assert "FD.6932/22" in html and "There are no appendices to this report" in html


def test_it_lists_reports_without_n_plus_one(login, demo, django_assert_max_num_queries):
    client = login(demo.clerk)
    for n in range(30):
        Report.objects.create(author=demo.officer, subject=f"Report {n}", board=demo.board, meeting=demo.meeting)
    with django_assert_max_num_queries(12):
        response = client.get("/reports/?scope=all")
    assert response.status_code == 200
    assert response.content.decode().count("/reports/") >= 25
    second = client.get("/reports/?scope=all&page=2")
    assert "Page 2 of 2" in second.content.decode()
    assert client.get("/reports/?scope=all&page=999&status=nonsense&board=").status_code == 200


def test_it_filters_the_list(login, demo):
    client = login(demo.officer)
    html = client.get("/reports/?scope=mine&status=draft").content.decode()
    assert demo.draft.subject in html and demo.seed.subject not in html
    html = client.get(f"/reports/?scope=mine&board={demo.board.slug}&status=published").content.decode()
    assert demo.seed.subject in html and demo.draft.subject not in html


def test_it_sanitises_body_sections_from_the_editor(login, demo):
    client = login(demo.officer)
    client.post(
        f"/reports/{demo.draft.pk}/edit/",
        editor_data(
            version=demo.draft.version,
            subject="x",
            sections=[
                ("Intro", '<p onclick="steal()">Hello<script>alert(1)</script><img src="file:///etc/passwd"></p>')
            ],
        ),
    )
    assert Section.objects.get(report=demo.draft).body == "<p>Hello</p>"


def test_it_keeps_both_peoples_changes_when_the_refused_editor_saves_again(login, demo):
    report = demo.draft
    base = report.version
    rows = [(r.pk, r.text) for r in report.recommendations.all()]
    client = login(demo.officer)
    common = {"subject": report.subject, "summary": report.summary, "recommendations": rows}
    client.post(
        f"/reports/{report.pk}/edit/",
        editor_data(version=base, **{**common, "reasons": "Their reasons.", "recommendations": rows + ["Theirs."]}),
    )
    refused = client.post(
        f"/reports/{report.pk}/edit/", editor_data(version=base, **{**common, "summary": "My summary."})
    )
    assert refused.status_code == 409
    form = refused.context["form"]
    assert form["summary"].value() == "My summary."  # mine, kept
    assert form["reasons"].value() == "Their reasons."  # theirs, brought in: I never touched it
    assert [row["text"] for row in refused.context["recommendations"]][-1] == "Theirs."
    resubmitted = {key: form[key].value() for key in ["subject", "summary", "reasons", "version"]}
    client.post(
        f"/reports/{report.pk}/edit/",
        editor_data(
            recommendations=[(r.pk, r["text"]) for r in refused.context["recommendations"]],
            **{k: v for k, v in resubmitted.items() if k != "version"},
            version=int(resubmitted["version"]),
        ),
    )
    report.refresh_from_db()
    assert (report.summary, report.reasons) == ("My summary.", "Their reasons.")
    assert report.recommendations.last().text == "Theirs."


def test_it_shows_my_work_with_reports_to_place_and_coming_deadlines(login, demo):
    html = login(demo.clerk).get("/").content.decode()
    assert "Approved reports to place on agendas" in html
    assert "Better Care Fund Plan 2025 to 2027" in html and "Sexual Health Services: Contract Award" in html
    assert "Coming report deadlines" in html and "Reports by" in html
    officer = login(demo.officer).get("/").content.decode()
    assert "Approved reports to place on agendas" not in officer and "Coming report deadlines" in officer


PAGE_A, PAGE_B = "a" * 32, "b" * 32


def test_a_page_does_not_conflict_with_its_own_save_crossing_it(login, demo, monkeypatch):
    """The text a page sends as it is left, while its own autosave is still on the way, carries the
    version before that autosave: it is saved, not refused as someone else's change."""
    client = login(demo.officer)
    report = demo.draft
    base = report.version

    def save(page, version, summary):
        data = editor_data(version=version, subject=report.subject, summary=summary, editor_page=page, _autosave="1")
        return client.post(f"/reports/{report.pk}/edit/", data)

    assert save(PAGE_A, base, "Typed first.").status_code == 200
    assert save(PAGE_A, base, "Typed first. Then more, as the tab closed.").status_code == 200
    report.refresh_from_db()
    # The second autosave is of the same editing session: folded into the version the first made.
    assert report.summary == "Typed first. Then more, as the tab closed." and report.version == base + 1
    assert report.revision == 1
    # Another page (another tab, another person) that saw the version before the fold is refused.
    assert save(PAGE_B, base + 1, "Someone else's older page.").status_code == 409
    # The page's own appendix change crossing its text: the text is saved too.
    monkeypatch.setattr("reports.forms.disarm_pdf", lambda upload: DisarmedPdf(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), 1, 15))
    upload = SimpleUploadedFile("map.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    client.post(f"/reports/{report.pk}/appendices/", {"title": "Map", "file": upload, "editor_page": PAGE_A})
    assert save(PAGE_A, base + 1, "Typed just before the upload.").status_code == 200
    report.refresh_from_db()
    assert report.summary == "Typed just before the upload." and report.appendices.filter(title="Map").exists()


def test_a_new_reports_crossing_saves_make_one_draft(login, demo):
    client = login(demo.officer)
    first = editor_data(subject="One draft only", editor_page=PAGE_A, _autosave="1")
    second = editor_data(subject="One draft only", summary="And its summary.", editor_page=PAGE_A, _autosave="1")
    assert client.post("/reports/new/", first).status_code == 200
    assert client.post("/reports/new/", second).status_code == 200
    report = Report.objects.get(subject="One draft only")
    assert report.summary == "And its summary."
    # Another page starting a report makes its own.
    client.post("/reports/new/", editor_data(subject="One draft only", editor_page=PAGE_B, _autosave="1"))
    assert Report.objects.filter(subject="One draft only").count() == 2


def test_the_error_summary_lists_row_errors_and_says_which_lists_were_not_saved(login, demo):
    client = login(demo.officer)
    report = demo.draft
    before = list(report.recommendations.values_list("text", flat=True))
    data = editor_data(
        version=report.version,
        subject=report.subject,
        summary="A new summary.",
        recommendations=["R" * 20001, "A good recommendation"],
        sections=[("", "<p>A body with no heading.</p>")],
    )
    html = client.post(f"/reports/{report.pk}/edit/", data).content.decode()
    summary = html[html.index('id="form-error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert "The recommendations and body sections were not saved" in summary
    assert 'href="#recommendation-0-text">Recommendation (1):' in summary
    assert 'href="#section-0-heading">Section 1 heading:' in summary
    report.refresh_from_db()
    assert report.summary == "A new summary."  # everything else was saved
    assert list(report.recommendations.values_list("text", flat=True)) == before
    assert "A good recommendation" in html  # still on the page, to save again
