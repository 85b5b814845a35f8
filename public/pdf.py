"""The Forward Plan as a PDF: rendered through the report renderer's locked-down path, stored by content."""

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone

from reports import pdf as report_pdf


def forward_plan_pdf(entries, today=None):
    """(PDF bytes, content key) of the Forward Plan; rendered only when the page it prints has changed."""
    today = today or timezone.localdate()
    html = render_to_string(
        "public/pdf/forward_plan.html", {"entries": entries, "today": today, "council": settings.COUNCIL_NAME}
    )
    key = hashlib.sha256(html.encode()).hexdigest()
    name = f"forward-plan/{key}.pdf"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as handle:
            return handle.read(), key
    data = report_pdf.render_html_pdf(html)
    default_storage.save(name, ContentFile(data))
    return data, key
