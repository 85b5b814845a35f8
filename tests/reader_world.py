"""Shared by the reader's tests: the demo's upcoming meeting published (the Better Care Fund plan in Part 1,
the sexual health contract award in Part 2), its public report given a longer body, and the correction
of a published report's paragraph through the corrections service (reports.services)."""

import json
import uuid

from boards import services as agenda
from boards.models import Board, Meeting
from reports.demo import BOARD
from reports.models import Report, Section
from tests.test_public import EXEMPT_SUBJECT, PUBLIC_SUBJECT

# The Better Care Fund plan's body as the reader tests read it: four numbered paragraphs in section 1,
# two in section 2, so "1.4" and "2.1" exist.
BODY = [
    (
        "Introduction",
        "<ol><li><p>The Better Care Fund brings together NHS and local government funding to support integrated "
        "health and care.</p></li><li><p>Each area must agree a plan, approved by its Health and Wellbeing "
        "Board.</p></li><li><p>The plan for Sefton was drafted with the NHS and the voluntary sector.</p></li>"
        "<li><p>The plan sets aside £3.2m for carers' breaks over the two years.</p></li></ol>",
    ),
    (
        "The plan",
        "<ol><li><p>The plan keeps the existing schemes and adds investment in intermediate care.</p></li>"
        "<li><p>Progress is reported to the Board every quarter.</p></li></ol>",
    ),
]


def publish_for_reading(clerk, *, body=True):
    """Publish the demo's upcoming meeting with both waiting reports; the public one's body as BODY.
    Returns (meeting, public report, exempt report)."""
    from django.utils import timezone

    board = Board.objects.get(slug=BOARD["slug"])
    meeting = Meeting.objects.filter(board=board, starts_at__gt=timezone.now()).get()
    public = Report.objects.get(subject=PUBLIC_SUBJECT)
    exempt = Report.objects.get(subject=EXEMPT_SUBJECT)
    if body:
        set_body(public, BODY)
    agenda.agenda_add_report(meeting=meeting, report=public, user=clerk)
    agenda.agenda_add_report(meeting=meeting, report=exempt, user=clerk)
    agenda.agenda_publish(meeting=meeting, user=clerk)
    public.refresh_from_db()
    exempt.refresh_from_db()
    return meeting, public, exempt


def set_body(report, body):
    """Give the report's sections these (heading, html) bodies, as they were written before approval."""
    sections = list(report.sections.order_by("position", "pk"))
    for position, (heading, html) in enumerate(body):
        if position < len(sections):
            Section.objects.filter(pk=sections[position].pk).update(heading=heading, body=html)
        else:
            Section.objects.create(report=report, position=position, heading=heading, body=html)


def correct_paragraph(report, old, new):
    """Correct a published report as a council does: democratic services open a correction, its author
    replaces `old` words by `new` in the copy's body through the editor's service, and democratic
    services republish it as a new edition."""
    from accounts.models import User
    from reports import services
    from reports.forms import Row

    clerk = User.objects.get(username="clerk")
    copy = services.report_open_correction(report=report, user=clerk).draft
    rows = [Row(s.pk, {"heading": s.heading, "body": s.body.replace(old, new)}) for s in copy.sections.all()]
    assert any(old in s.body for s in copy.sections.all()), f"{old!r} is in no section of {report}"
    services.report_save_draft(
        report=copy, fields={}, recommendations=None, sections=rows, user=copy.author, expected_version=copy.version
    )
    services.report_republish(report=report, user=clerk, what_changed=f"{old!r} now reads {new!r}.")
    report.refresh_from_db()


def sync(client, meeting, *changes):
    """POST a sync of `changes` for `meeting` as the client's user; returns the response."""
    body = {"device": "test-device", "meeting": meeting.pk, "changes": list(changes)}
    return client.post("/reader/api/notes/sync/", json.dumps(body), content_type="application/json")


def change(anchor, *, text="", quote="", highlight=False, base=0, deleted=False, id=None):
    return {
        "id": str(id or uuid.uuid4()),
        "anchor": anchor,
        "quote": quote,
        "highlight": highlight,
        "text": text,
        "deleted": deleted,
        "base": base,
    }
