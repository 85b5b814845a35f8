"""Background jobs of reports: the approved report's PDF, made and stored off the request path.

`report_approve` (and any later step that changes what an approved report prints, such as placing
it on an agenda) queues `store_report_pdf_task` once its transaction commits; the worker renders the
PDF (with the background bound, not the request's) and stores it, so downloads are served from
storage. A download that finds no current stored PDF (the job has not run yet, or something the
report prints changed elsewhere) renders it for that answer and stores nothing: no GET writes.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from config.queue import first_args_of_coming
from reports.models import Report

log = logging.getLogger(__name__)

# Seconds a background render may take: more than a request's, as for packs.
STORE_PDF_TIMEOUT = 120


@task()
def store_report_pdf_task(report_id):
    """Store the report's PDF if it is approved or published and its stored PDF is not current."""
    store_report_pdf_now(report_id)


def store_report_pdf_now(report_id):
    """Make and store the report's PDF; None when there is nothing to do (gone, a draft, current)."""
    from reports.pdf import is_final, report_pdf_key, store_report_pdf

    report = Report.objects.filter(pk=report_id).first()
    if report is None or not is_final(report):
        return None
    if report.pdf_file and report.pdf_key == report_pdf_key(report):
        return None
    timeout = getattr(settings, "STORE_PDF_TIMEOUT", STORE_PDF_TIMEOUT)
    return store_report_pdf(report, timeout=timeout)


def queue_report_pdf(report):
    """Queue the report's PDF to be stored once the current transaction commits."""
    report_id = report.pk
    transaction.on_commit(lambda: store_report_pdf_task.enqueue(report_id))


@task()
def convert_appendix_task(appendix_id):
    """Convert an office appendix to PDF (reports.officeconvert.appendix_convert), bounded in time and memory."""
    from reports.officeconvert import appendix_convert

    appendix = appendix_convert(appendix_id=appendix_id)
    if (
        appendix
        and appendix.is_disarmed
        and appendix.report.status in (Report.Status.APPROVED, Report.Status.PUBLISHED)
    ):
        queue_report_pdf(appendix.report)  # approved while it converted: its stored PDF lacks the appendix


def recover_stalled_conversions(now=None):
    """The worker's sweep for office appendices no job will finish, as boards.tasks.recover_stalled_packs
    is for packs: one waiting with no job coming (its job was lost before it ran) is queued again; one
    left "converting" with no job coming (its worker was stopped on every attempt, and the job failed)
    is shown as failed, with what to do, rather than converting for ever. Returns (queued, failed) ids."""
    from reports.models import Appendix
    from reports.officeconvert import fail_abandoned

    now = now or timezone.now()
    settled = now - timedelta(seconds=max(1.0, settings.WORKER_LOST_AFTER / 6))
    stalled = (
        Appendix.objects.filter(conversion__in=[Appendix.Conversion.PENDING, Appendix.Conversion.CONVERTING])
        .exclude(conversion=Appendix.Conversion.PENDING, uploaded_at__gte=settled)  # its job is on the way
        .exclude(pk__in=first_args_of_coming(convert_appendix_task))
        .values_list("pk", "conversion")
    )
    queued, abandoned = [], []
    for appendix_id, conversion in stalled:
        if conversion == Appendix.Conversion.PENDING:
            log.warning("Appendix %s waited with no conversion coming: queued again", appendix_id)
            convert_appendix_task.enqueue(appendix_id)
            queued.append(appendix_id)
        else:
            abandoned.append(appendix_id)
    failed = fail_abandoned(abandoned)
    for appendix_id in failed:
        log.error("Appendix %s was left converting by a job that ended: shown as failed", appendix_id)
    return queued, failed
