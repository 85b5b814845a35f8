"""Appendices in office formats (issue 18): a Word or Excel file is accepted, kept as uploaded and
converted to PDF in the background by LibreOffice (reports/officeconvert.py), bounded in time and
memory; the PDF is checked and rebuilt as an uploaded PDF is, and joins the report's PDF and the
packs. Hostile files are refused before conversion, or fail it cleanly and are shown as failed.

These tests need `soffice` (LibreOffice) and `pdftoppm`: .ci/run installs both; they are not skipped."""

import io
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks import default_task_backend
from pypdf import PdfReader

from boards import services as agenda
from boards.models import AgendaPack
from boards.packs import build_pack
from reports.models import Appendix, Report
from reports.officeconvert import appendix_convert
from reports.pdf import render_report_pdf
from reports.tasks import convert_appendix_task
from tests.officefiles import (
    docx_bytes,
    encrypted_docx,
    odp_bytes,
    rows,
    sheet_xml,
    with_parts,
    xlsx_bytes,
    zip_bomb_docx,
    zip_bytes,
)

pytestmark = pytest.mark.django_db

WORD_WORDS = "Word appendix marker: the pharmacy needs assessment"
EXCEL_WORDS = "XL-7731"  # short: a cell prints only what fits its column


def upload(client, report, data, name, title="Office appendix"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return client.post(reverse("reports:appendix_upload", args=[report.pk]), {"title": title, "file": file})


def queued_conversions():
    return [r.args[0] for r in default_task_backend.results if r.task.module_path == convert_appendix_task.module_path]


def workbook():
    sheets = {f"Sheet {n}": [[EXCEL_WORDS, f"sheet {n}"], *rows(20)] for n in range(1, 3)}
    return xlsx_bytes(sheets)


def pdf_words(data):
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def test_it_accepts_a_word_file_keeps_it_and_converts_it_in_the_background(
    demo, login, django_capture_on_commit_callbacks
):
    default_task_backend.clear()
    client = login(demo.officer)
    data = docx_bytes(WORD_WORDS, pages=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, demo.draft, data, "Pharmacy needs.docx", title="Pharmacy needs")
    assert response.status_code == 302
    appendix = demo.draft.appendices.get()
    assert appendix.conversion == "pending" and appendix.source_format == "docx" and not appendix.file
    assert queued_conversions() == [appendix.pk]  # nothing converted inside the request
    page = client.get(reverse("reports:edit", args=[demo.draft.pk])).content.decode()
    assert "Waiting to be converted to PDF" in page and 'hx-trigger="every 2s"' in page  # polled while it converts
    # The PDF is not offered until it is made; the original is, at once.
    assert client.get(reverse("reports:appendix", args=[demo.draft.pk, appendix.pk])).status_code == 503
    original = client.get(reverse("reports:appendix_original", args=[demo.draft.pk, appendix.pk]))
    assert original.status_code == 200 and b"".join(original.streaming_content) == data
    assert original["Content-Disposition"].startswith("attachment") and original["Content-Disposition"].endswith(
        '.docx"'
    )

    appendix_convert(appendix_id=appendix.pk)

    appendix.refresh_from_db()
    assert appendix.conversion == "done" and appendix.is_disarmed and appendix.problem == ""
    assert appendix.page_count == 2
    pdf = client.get(reverse("reports:appendix", args=[demo.draft.pk, appendix.pk]))
    assert pdf.status_code == 200
    assert WORD_WORDS in pdf_words(b"".join(pdf.streaming_content))
    thumbnail = client.get(reverse("reports:appendix_thumbnail", args=[demo.draft.pk, appendix.pk]))
    assert thumbnail.status_code == 200 and b"".join(thumbnail.streaming_content).startswith(b"\x89PNG")
    status = client.get(reverse("reports:appendix_status", args=[demo.draft.pk])).content.decode()
    assert "Converted to PDF" in status and "2 pages" in status and "hx-trigger" not in status  # polling stops
    assert "Download the original Word file" in status
    assert WORD_WORDS in pdf_words(render_report_pdf(Report.objects.get(pk=demo.draft.pk)))


def test_it_accepts_an_excel_workbook_and_its_pages_join_the_report_pdf(demo, login):
    response = upload(login(demo.officer), demo.draft, workbook(), "Budget.xlsx", title="Budget")
    assert response.status_code == 302
    appendix = appendix_convert(appendix_id=demo.draft.appendices.get().pk)
    assert appendix.conversion == "done" and appendix.source_format == "xlsx" and appendix.page_count >= 2
    words = pdf_words(render_report_pdf(Report.objects.get(pk=demo.draft.pk)))
    assert EXCEL_WORDS in words
    assert "Appendix A, page 1 of 2" in words


@pytest.fixture
def published(demo, django_capture_on_commit_callbacks):
    """The upcoming meeting with its public report placed and the agenda published."""
    meeting = demo.board.meetings.filter(starts_at__gt=timezone.now()).get()
    report = Report.objects.get(subject="Better Care Fund Plan 2025 to 2027")
    agenda.agenda_add_report(meeting=meeting, report=report, user=demo.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        agenda.agenda_publish(meeting=meeting, user=demo.clerk)
    return meeting, report


def office_appendix(report, data, source_format, title, position):
    """An office appendix as `appendix_add_office` keeps it, waiting for its conversion."""
    appendix = Appendix(
        report=report, title=title, position=position, source_format=source_format, conversion="pending"
    )
    appendix.original.save(f"original.{source_format}", ContentFile(data), save=False)
    appendix.save()
    return appendix


def test_word_and_excel_appendices_appear_in_the_members_pack_once_converted(published):
    meeting, report = published
    word = office_appendix(report, docx_bytes(WORD_WORDS), "docx", "Needs assessment", 1)
    excel = office_appendix(report, workbook(), "xlsx", "Budget workbook", 2)
    before = pdf_words(build_pack(meeting, AgendaPack.Edition.MEMBERS).pdf)
    assert WORD_WORDS not in before and EXCEL_WORDS not in before  # not joined before they are converted
    assert appendix_convert(appendix_id=word.pk).conversion == "done"
    assert appendix_convert(appendix_id=excel.pk).conversion == "done"
    members = pdf_words(build_pack(meeting, AgendaPack.Edition.MEMBERS).pdf)
    assert WORD_WORDS in members and EXCEL_WORDS in members


# Hostile files, refused before conversion ----------------------------------------------------------


def _docx_with(extra, types=None):
    return with_parts(docx_bytes("A document"), extra, types=types)


def _odt(extra=None, content=b"", manifest=b""):
    return zip_bytes(
        {
            "mimetype": b"application/vnd.oasis.opendocument.text",
            "META-INF/manifest.xml": b"<manifest:manifest>" + manifest + b"</manifest:manifest>",
            "content.xml": b"<office:document-content><office:body><office:text>"
            + content
            + b"<text:p>Words</text:p></office:text></office:body></office:document-content>",
            **(extra or {}),
        }
    )


def _huge_sheet(declared):
    return xlsx_bytes({"Data": [[1]]}, raw={"Data": sheet_xml([[1]]).replace('ref="A1:A1"', f'ref="{declared}"')})


REFUSED = {
    "a zip bomb (200 MB from 200 KB)": (zip_bomb_docx, "report.docx", "would unpack to far more than it holds"),
    "a password-protected docx": (encrypted_docx, "report.docx", "password-protected"),
    "a password-protected xlsx": (encrypted_docx, "budget.xlsx", "password-protected"),
    "a truncated docx": (lambda: docx_bytes("A document")[:3000], "report.docx", "damaged or incomplete"),
    "noise named .docx": (lambda: os.urandom(5000), "report.docx", "damaged or incomplete"),
    "a zip that is no office file": (lambda: zip_bytes({"a.txt": b"hello"}), "report.docx", "not a PDF or an office"),
    "an executable named .xlsx": (lambda: b"MZ\x90\x00" + b"\0" * 4000, "budget.xlsx", "damaged or incomplete"),
    "a .docm": (lambda: docx_bytes("A document"), "report.docm", "contains macros"),
    "vbaProject.bin in a docx": (
        lambda: _docx_with({"word/vbaProject.bin": b"\0" * 100}),
        "report.docx",
        "contains macros",
    ),
    "a macro-enabled content type renamed .xlsx": (
        lambda: with_parts(workbook(), {}, types=(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")),
        "budget.xlsx",
        "contains macros",
    ),
    "an OLE object embedded in a docx": (
        lambda: _docx_with({"word/embeddings/oleObject1.bin": OLE_BYTES}),
        "report.docx",
        "embedded objects",
    ),
    "a linked workbook in an xlsx": (
        lambda: xlsx_bytes({"Data": rows(3)}, extra={"xl/externalLinks/externalLink1.xml": b"<externalLink/>"}),
        "budget.xlsx",
        "takes content from outside itself",
    ),
    "a linked picture in a docx": (
        lambda: _docx_with(
            {
                "word/_rels/document.xml.rels": (
                    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                    b'relationships"><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/'
                    b'2006/relationships/image" Target="http://example.com/tracker.png" TargetMode="External"/>'
                    b"</Relationships>"
                )
            }
        ),
        "report.docx",
        "takes content from outside itself",
    ),
    "a sheet of 1,000,000 rows": (lambda: _huge_sheet("A1:C1000000"), "big.xlsx", "1,000,000 rows"),
    "Basic macros in an OpenDocument text": (
        lambda: _odt({"Basic/Standard/Module1.xml": b"<script:module/>"}),
        "report.odt",
        "contains macros",
    ),
    "a script bound to an event in an OpenDocument text": (
        lambda: _odt(
            content=b'<office:event-listeners><script:event-listener script:language="ooo:script" '
            b'script:event-name="dom:load" xlink:href="vnd.sun.star.script:Standard.Module1.Run?language=Basic'
            b'&amp;location=application"/></office:event-listeners>'
        ),
        "report.odt",
        "contains macros",
    ),
    "a linked section in an OpenDocument text": (
        lambda: _odt(content=b'<text:section-source xlink:href="http://example.com/evil.odt"/>'),
        "report.odt",
        "takes content from outside itself",
    ),
    "an OLE object in an OpenDocument text": (
        lambda: _odt(manifest=b'<manifest:file-entry manifest:media-type="application/vnd.sun.star.oleobject"/>'),
        "report.odt",
        "embedded objects",
    ),
}
OLE_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600


@pytest.mark.parametrize("case", REFUSED)
def test_a_hostile_office_file_is_refused_by_the_field_with_nothing_kept(demo, login, case):
    make, name, message = REFUSED[case]
    default_task_backend.clear()
    started = time.monotonic()
    response = upload(login(demo.officer), demo.draft, make(), name, title="Hostile file")
    assert time.monotonic() - started < 10
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'value="Hostile file"' in html and "There is a problem" in html
    assert demo.draft.appendices.count() == 0 and queued_conversions() == []


def test_a_word_file_named_pdf_is_taken_by_its_content(demo, login):
    assert upload(login(demo.officer), demo.draft, docx_bytes("Named wrongly"), "appendix.pdf").status_code == 302
    assert demo.draft.appendices.get().source_format == "docx"


def test_hyperlinks_are_not_external_content(demo, login):
    rels = (
        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'hyperlink" Target="https://www.sefton.gov.uk/" TargetMode="External"/></Relationships>'
    )
    data = xlsx_bytes({"Data": rows(3)}, extra={"xl/worksheets/_rels/sheet1.xml.rels": rels})
    assert upload(login(demo.officer), demo.draft, data, "links.xlsx").status_code == 302


# Hostile files that pass the pre-check: the conversion is bounded and fails, shown as failed ------


def _added(demo, login, data, name):
    assert upload(login(demo.officer), demo.draft, data, name).status_code == 302
    return demo.draft.appendices.get()


def test_a_million_rows_without_a_declared_size_fail_by_the_time_bound(demo, login, settings):
    settings.OFFICE_CONVERT_SECONDS = 4
    data = xlsx_bytes({"Data": [[r] for r in range(1_000_000)]}, dimension=False)
    appendix = _added(demo, login, data, "million.xlsx")
    started = time.monotonic()
    appendix = appendix_convert(appendix_id=appendix.pk)
    assert time.monotonic() - started < 15
    assert appendix.conversion == "failed" and not appendix.is_disarmed
    assert "took more than 4 seconds and was stopped" in appendix.problem
    status = login(demo.officer).get(reverse("reports:appendix_status", args=[demo.draft.pk])).content.decode()
    assert "Could not be converted to PDF" in status and "took more than 4 seconds" in status
    assert not [line for line in os.popen("ps -eo stat,cmd").read().splitlines() if "million" in line]


def test_a_conversion_over_the_memory_bound_fails_cleanly(demo, login, settings):
    settings.OFFICE_CONVERT_MEMORY_MB = 200
    appendix = appendix_convert(appendix_id=_added(demo, login, docx_bytes("Small"), "small.docx").pk)
    assert appendix.conversion == "failed" and "ran out of memory" in appendix.problem
    assert not appendix.file


def test_a_file_libreoffice_cannot_read_fails_with_a_reason(demo, login):
    # A docx whose main part is not XML passes the zip checks; the converter gives up on it.
    data = _docx_with({"word/document.xml": b"this is not xml at all" * 50})
    appendix = appendix_convert(appendix_id=_added(demo, login, data, "broken.docx").pk)
    assert appendix.conversion == "failed" and not appendix.is_disarmed
    assert "could not be converted to PDF: it may be damaged" in appendix.problem
    download = login(demo.officer).get(reverse("reports:appendix", args=[demo.draft.pk, appendix.pk]))
    assert download.status_code == 410  # refused, with the reason, never a half-made file


def test_the_converter_gets_no_network_and_a_throwaway_profile(monkeypatch, tmp_path):
    from reports import officeconvert

    seen = {}

    class Stop(Exception):
        pass

    def fake_popen(command, **kwargs):
        seen.update(command=command, **kwargs)
        raise Stop

    monkeypatch.setattr(officeconvert.subprocess, "Popen", fake_popen)
    with pytest.raises(Stop):
        officeconvert.convert_to_pdf(str(tmp_path / "a.docx"), str(tmp_path))
    command = seen["command"]
    assert command[:2] == ["/usr/bin/unshare", "--net"] or command[0].endswith("unshare")
    assert f"-env:UserInstallation=file://{tmp_path}/profile" in command
    profile = (tmp_path / "profile" / "user" / "registrymodifications.xcu").read_text()
    assert 'oor:name="DisableMacrosExecution"' in profile and "<value>true</value>" in profile
    assert seen["start_new_session"] and seen["preexec_fn"]
    assert set(seen["env"]) == {"PATH", "HOME", "LANG", "TMPDIR"}  # nothing secret


def test_a_child_in_the_namespace_has_no_network():
    import subprocess

    from reports.officeconvert import _network_namespace

    prefix = _network_namespace()
    assert prefix, "unshare --net must work where the worker runs"
    links = subprocess.run([*prefix, "cat", "/proc/net/dev"], capture_output=True, check=True).stdout.decode()
    interfaces = [line.split(":")[0].strip() for line in links.splitlines()[2:]]
    assert interfaces == ["lo"]


# Pages: who may see them, and what they cost -------------------------------------------------------


@pytest.mark.parametrize("name", ["appendix_original", "appendix_thumbnail"])
def test_an_outsider_and_a_visitor_get_no_original_or_thumbnail(demo, login, client, name):
    appendix = office_appendix(demo.draft, docx_bytes("Secret"), "docx", "Secret", 1)
    appendix.thumbnail.save("t.png", ContentFile(b"\x89PNG fake"), save=True)
    url = reverse(f"reports:{name}", args=[demo.draft.pk, appendix.pk])
    assert client.get(url).status_code == 302  # to sign in
    assert login(demo.outsider).get(url).status_code == 404
    assert login(demo.officer).get(url).status_code == 200
    assert login(demo.officer).post(url).status_code == 405


def test_an_outsider_and_a_visitor_get_no_status(demo, login, client):
    url = reverse("reports:appendix_status", args=[demo.draft.pk])
    assert client.get(url).status_code == 302
    assert login(demo.outsider).get(url).status_code == 404
    assert login(demo.officer).post(url).status_code == 405


def test_the_status_costs_the_same_queries_with_one_appendix_or_six(demo, login):
    client = login(demo.officer)
    url = reverse("reports:appendix_status", args=[demo.draft.pk])

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    office_appendix(demo.draft, b"x", "docx", "One", 1)
    one = count()
    for position in range(2, 7):
        office_appendix(demo.draft, b"x", "xlsx", f"Workbook {position}", position)
    assert count() == one
    # Lettered as the report prints them, in the editor and in the list it polls.
    for page in (url, reverse("reports:edit", args=[demo.draft.pk])):
        listed = client.get(page).content.decode()
        assert "Appendix A: One" in listed and "Appendix F: Workbook 6" in listed


def test_the_worker_task_converts_and_queues_again_the_pdf_of_a_report_approved_meanwhile(
    demo, django_capture_on_commit_callbacks
):
    from reports.tasks import store_report_pdf_task

    report = Report.objects.get(subject="Better Care Fund Plan 2025 to 2027")
    assert report.status == Report.Status.APPROVED
    appendix = office_appendix(report, docx_bytes(WORD_WORDS), "docx", "Needs assessment", 1)
    default_task_backend.clear()
    with django_capture_on_commit_callbacks(execute=True):
        convert_appendix_task.call(appendix.pk)
    appendix.refresh_from_db()
    assert appendix.conversion == "done"
    queued = [
        r.args[0] for r in default_task_backend.results if r.task.module_path == store_report_pdf_task.module_path
    ]
    assert queued == [report.pk]
    convert_appendix_task.call(appendix.pk)  # run twice (a worker taken for dead): nothing more to do
    assert Appendix.objects.get(pk=appendix.pk).file.name == appendix.file.name


def test_rebuilding_appendices_after_a_deploy_leaves_a_waiting_office_file_to_its_conversion(demo):
    from django.core.management import call_command

    appendix = office_appendix(demo.draft, docx_bytes("Waiting"), "docx", "Waiting", 1)
    out = io.StringIO()
    call_command("disarm_appendices", stdout=out, stderr=io.StringIO())
    assert "0 rebuilt, 0 refused" in out.getvalue()
    appendix.refresh_from_db()
    assert appendix.conversion == "pending" and appendix.problem == ""


def _opendocument(data, source, target, tmp_path):
    """`data` (a .docx or .xlsx) saved as OpenDocument by LibreOffice, as an officer's office suite would."""
    import subprocess

    (tmp_path / f"in.{source}").write_bytes(data)
    profile = f"-env:UserInstallation=file://{tmp_path}/profile"
    command = ["soffice", "--headless", profile, "--convert-to", target, "--outdir", str(tmp_path), f"in.{source}"]
    subprocess.run(command, cwd=tmp_path, capture_output=True, timeout=120, check=True)
    return (tmp_path / f"in.{target}").read_bytes()


SLIDE_WORDS = "PPT-4412"  # short: a slide's text box prints what fits it


@pytest.mark.parametrize(
    "source, target",
    [("docx", "odt"), ("xlsx", "ods"), ("odp", "odp"), ("odp", "pptx"), ("docx", "doc"), ("xlsx", "xls")],
)
def test_opendocument_powerpoint_and_97_2003_files_are_accepted_and_converted(demo, login, tmp_path, source, target):
    data = {"docx": docx_bytes(WORD_WORDS), "xlsx": workbook(), "odp": odp_bytes(SLIDE_WORDS, "Second slide")}[source]
    document = data if source == target else _opendocument(data, source, target, tmp_path)
    appendix = appendix_convert(appendix_id=_added(demo, login, document, f"appendix.{target}").pk)
    assert appendix.source_format == target and appendix.conversion == "done", appendix.problem
    words = pdf_words(render_report_pdf(Report.objects.get(pk=demo.draft.pk)))
    assert {"docx": WORD_WORDS, "xlsx": EXCEL_WORDS, "odp": SLIDE_WORDS}[source] in words
    if source == "odp":
        assert appendix.page_count == 2  # a page a slide


@pytest.fixture
def db_queue(settings):
    """The real database queue, as the worker reads it (the tests' default records tasks without running them)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.WORKER_LOST_AFTER = 3


def test_the_worker_sweep_leaves_no_office_appendix_converting_for_ever(demo, db_queue):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from reports.tasks import recover_stalled_conversions

    long_ago = timezone.now() - timedelta(minutes=5)
    fresh = office_appendix(demo.draft, docx_bytes("Fresh"), "docx", "Fresh", 1)
    lost = office_appendix(demo.draft, docx_bytes("Lost"), "docx", "Lost", 2)
    dead = office_appendix(demo.draft, docx_bytes("Dead"), "docx", "Dead", 3)
    coming = office_appendix(demo.draft, docx_bytes("Coming"), "docx", "Coming", 4)
    Appendix.objects.filter(pk__in=[lost.pk, dead.pk, coming.pk]).update(uploaded_at=long_ago)
    Appendix.objects.filter(pk__in=[dead.pk, coming.pk]).update(conversion="converting")
    DBTaskResult.objects.all().delete()
    convert_appendix_task.enqueue(coming.pk)  # its job was taken back from a dead worker: it will run
    finished = convert_appendix_task.enqueue(dead.pk)  # its job failed: the worker died on every attempt
    DBTaskResult.objects.filter(pk=finished.id).update(status=TaskResultStatus.FAILED)

    # Waiting with no job: queued again. Converting with none coming: failed, with what to do.
    assert recover_stalled_conversions() == ([lost.pk], [dead.pk])
    assert recover_stalled_conversions() == ([], [])  # the lost one's job is now coming
    states = dict(Appendix.objects.values_list("pk", "conversion"))
    assert states[fresh.pk] == "pending" and states[lost.pk] == "pending" and states[coming.pk] == "converting"
    assert states[dead.pk] == "failed"
    assert "upload it again" in Appendix.objects.get(pk=dead.pk).problem
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY).values_list("args_kwargs", flat=True)
    assert sorted(row["args"][0] for row in waiting) == sorted([coming.pk, lost.pk])


def test_the_worker_runs_the_conversion_sweep():
    from boards.management.commands import run_worker
    from reports.tasks import recover_stalled_conversions

    assert recover_stalled_conversions in run_worker.SWEEPS
