"""The Forward Plan as a PDF: rendered through the report renderer's locked-down path, stored by content."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from reports import pdf as report_pdf


def forward_plan_pdf(entries, today=None):
    """(PDF bytes, content key) of the Forward Plan; rendered only when the page it prints has changed."""
    today = today or timezone.localdate()
    html = render_to_string(
        "public/pdf/forward_plan.html", {"entries": entries, "today": today, "council": settings.COUNCIL_NAME}
    )
    return report_pdf.stored_html_pdf(html, "forward-plan")
