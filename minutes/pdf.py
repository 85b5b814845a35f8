"""The public minutes as a PDF: the council's layout, stamped "Draft, subject to approval" or
"Approved <date>" on every page, rendered through the report renderer's locked-down path and
stored by content, so it is rendered again only when what it prints changes."""

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string

from boards.models import Council
from reports import pdf as report_pdf


def printed_body(minutes):
    """The public minutes with their headings nested under the page's title (h3 typed, h2 printed)."""
    return report_pdf._nest_headings(minutes.body, parent_level=1)


def minutes_html(minutes, in_pack=False):
    """In a pack the minutes print no page numbers of their own: the pack numbers every page once."""
    meeting = minutes.meeting
    return render_to_string(
        "minutes/pdf/minutes.html",
        {
            "minutes": minutes,
            "body": printed_body(minutes),
            "meeting": meeting,
            "board": meeting.board,
            "council": Council.current().display_name,
            "in_pack": in_pack,
        },
    )


def minutes_pdf(minutes, in_pack=False):
    """PDF bytes of the public minutes (never the Part 2 minutes)."""
    html = minutes_html(minutes, in_pack=in_pack)
    key = hashlib.sha256(html.encode()).hexdigest()
    name = f"minutes/{key}.pdf"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as handle:
            return handle.read()
    data = report_pdf.render_html_pdf(html)
    default_storage.save(name, ContentFile(data))
    return data


def minutes_pdf_filename(minutes):
    meeting = minutes.meeting
    return f"minutes-{meeting.board.slug}-{meeting.date:%Y-%m-%d}.pdf"
