"""Appendices for tests, stored as an upload stores them: checked and rebuilt by reports/pdfcheck.py."""

import io

from django.core.files import File

from reports.models import Appendix
from reports.pdfcheck import disarm_pdf


def stored_appendix(report, title, data, *, position=1, original_filename="appendix.pdf"):
    """An appendix of `report` whose file is `data` rebuilt, as `appendix_add` keeps it (even when approved)."""
    pdf = disarm_pdf(io.BytesIO(data))
    appendix = Appendix(
        report=report,
        position=position,
        title=title,
        original_filename=original_filename,
        page_count=pdf.pages,
        size=pdf.size,
        disarmed_version=pdf.rules_version,
    )
    appendix.file.save("appendix.pdf", File(pdf.file), save=False)
    appendix.save()
    return appendix
