"""The report PDF: one template, one render function, a locked-down fetcher, a stored file."""

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify
from weasyprint import HTML

from reports.html import number_paragraphs


def _refuse_everything(url, *args, **kwargs):
    raise ValueError(f"The PDF renderer does not fetch {url[:80]!r}")


def render_report_pdf(report):
    """The report as PDF bytes."""
    sections = [(n, s, number_paragraphs(n, s.body)) for n, s in enumerate(report.sections.all(), start=1)]
    html = render_to_string("reports/pdf/report.html", {"report": report, "sections": sections})
    return HTML(string=html, url_fetcher=_refuse_everything).write_pdf()


def report_pdf_response(request, report):
    pdf = render_report_pdf(report)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = (slugify(report.subject)[:80] or "report") + ".pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
