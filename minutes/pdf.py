"""The public minutes as a PDF: the council's layout, stamped "Draft, subject to approval" or
"Approved <date>" on every page, rendered through the report renderer's locked-down path and
stored by content, so it is rendered again only when what it prints changes. The Part 2 minutes
print only in the next meeting's members' pack (exempt_minutes_pdf), never on their own."""

from django.template.loader import render_to_string

from boards.models import Council
from boards.selectors import agenda_parts, numbered_items
from reports import pdf as report_pdf
from reports.models import exempt_grounds


def printed_body(minutes):
    """The public minutes with their headings nested under the page's title (h3 typed, h2 printed)."""
    return report_pdf._nest_headings(minutes.body, parent_level=1)


def minutes_html(minutes, in_pack=False, part2=False):
    """In a pack the minutes print no page numbers of their own: the pack numbers every page once.

    With `part2`, the Part 2 minutes instead, headed "not for publication" with the grounds of the
    recorded meeting's Part 2 items: only the members' pack prints them (exempt_minutes_pdf).
    """
    meeting = minutes.meeting
    context = {
        "minutes": minutes,
        "body": printed_body(minutes),
        "meeting": meeting,
        "board": meeting.board,
        "council": Council.current().display_name,
        "in_pack": in_pack,
    }
    if part2:
        _, exempt_items = agenda_parts(numbered_items(meeting))
        paragraphs = sorted({p for _, item in exempt_items for p in item.exempt_paragraphs})
        context.update(
            body=report_pdf._nest_headings(minutes.exempt_body, parent_level=1),
            part2=True,
            grounds=exempt_grounds(paragraphs),
        )
    return render_to_string("minutes/pdf/minutes.html", context)


def minutes_pdf(minutes, in_pack=False):
    """PDF bytes of the public minutes (never the Part 2 minutes)."""
    return report_pdf.stored_html_pdf(minutes_html(minutes, in_pack=in_pack), "minutes")[0]


def exempt_minutes_pdf(minutes):
    """PDF bytes of the Part 2 minutes, for the members' pack of the next meeting only.

    Rendered for each build and never stored on their own: the members' pack is the one file that
    holds them, as it holds the exempt reports.
    """
    return report_pdf.render_html_pdf(minutes_html(minutes, in_pack=True, part2=True))


def minutes_pdf_filename(minutes):
    meeting = minutes.meeting
    return f"minutes-{meeting.board.slug}-{meeting.date:%Y-%m-%d}.pdf"
