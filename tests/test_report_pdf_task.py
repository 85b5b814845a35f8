"""An approved report's PDF is made and stored by a background job queued by the approval, so the
first download is served from storage; a download never stores anything itself."""

import pytest
from django.urls import reverse
from django_tasks import default_task_backend

from reports import pdf, services
from reports.models import Report
from reports.tasks import store_report_pdf_now, store_report_pdf_task
from tests.test_workflow import report_in

pytestmark = pytest.mark.django_db


def queued_pdfs():
    return [r.args[0] for r in default_task_backend.results if r.task.module_path == store_report_pdf_task.module_path]


def run_queued():
    for report_id in queued_pdfs():
        store_report_pdf_now(report_id)
    default_task_backend.clear()


def test_approval_queues_the_pdf_and_the_worker_stores_it(demo, login, django_capture_on_commit_callbacks, monkeypatch):
    default_task_backend.clear()
    report = report_in(demo, "signed_off", subject="A report approved for the task test")
    assert queued_pdfs() == []
    with django_capture_on_commit_callbacks(execute=True):
        services.report_approve(report=report, user=demo.director)
    assert queued_pdfs() == [report.pk]
    report.refresh_from_db()
    assert not report.pdf_file  # nothing made inside the approval's request
    run_queued()
    report.refresh_from_db()
    assert report.pdf_file and report.pdf_key == pdf.report_pdf_key(report)
    assert store_report_pdf_now(report.pk) is None  # current already: nothing to do

    def no_render(*args, **kwargs):
        raise AssertionError("the first download is served from storage, not rendered")

    monkeypatch.setattr(pdf, "render_report_pages", no_render)
    monkeypatch.setattr(pdf, "render_report_pdf", no_render)
    response = login(demo.director).get(reverse("reports:pdf", args=[report.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


def test_placing_an_approved_report_queues_its_pdf_again(demo, django_capture_on_commit_callbacks):
    from boards import services as agenda

    report = Report.objects.get(subject="Better Care Fund Plan 2025 to 2027")
    Report.objects.filter(pk=report.pk).update(meeting=None)  # written for no meeting yet
    meeting = demo.board.meetings.filter(status="scheduled").exclude(pk=demo.meeting.pk).get()
    default_task_backend.clear()
    with django_capture_on_commit_callbacks(execute=True):
        agenda.agenda_add_report(meeting=meeting, report=report, user=demo.clerk)
    assert queued_pdfs() == [report.pk]  # its header now prints the meeting's date


def test_a_download_without_a_stored_pdf_stores_nothing(demo, login):
    report = Report.objects.get(pk=demo.seed.pk)
    assert not report.pdf_file
    response = login(demo.member).get(reverse("reports:pdf", args=[report.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    report.refresh_from_db()
    assert not report.pdf_file


def test_the_worker_leaves_a_draft_alone(demo):
    assert store_report_pdf_now(demo.draft.pk) is None
    assert store_report_pdf_now(10**9) is None


def test_the_demo_queues_its_approved_reports_pdfs(demo, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    default_task_backend.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", "--force", stdout=StringIO())
    final = Report.objects.filter(status__in=[Report.Status.APPROVED, Report.Status.PUBLISHED])
    assert demo.seed.pk in queued_pdfs() and sorted(queued_pdfs()) == sorted(final.values_list("pk", flat=True))
