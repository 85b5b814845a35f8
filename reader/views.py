"""The members' reader: a meeting's papers in the browser, item by item, with the member's private notes.

Every page and answer here is for the member alone: meetings are gated as the members' pack is
(reader.selectors.get_meeting_to_read, 404 for anyone else), and notes are only ever read for
request.user. Answers are private and never stored by a shared cache (config PrivateNoStoreMiddleware).
"""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from reader import selectors, services
from reports.models import Appendix


def _reader_item(user, meeting, item_pk):
    """The ReaderItem `item_pk` of the meeting, or 404."""
    found = selectors.reader_items(user, meeting, only=item_pk, parts="none")
    if not found:
        raise Http404("No such item")
    return found[0]


@login_required
@require_safe
def index(request):
    """The meetings whose papers the member may read: upcoming first, then recent."""
    upcoming, past = selectors.meetings_to_read(request.user)
    return render(request, "reader/index.html", {"upcoming": upcoming, "past": past})


def _meeting_context(request, meeting, items):
    from minutes.models import Minutes

    minutes = Minutes.objects.filter(meeting=meeting, approved_at__isnull=False).only("approved_at").first()
    delete_on = services.notes_delete_on(minutes.approved_at) if minutes else None
    return {
        "meeting": meeting,
        "items": items,
        "any_exempt": any(entry.is_exempt for entry in items),
        "delete_on": delete_on,
        "past": delete_on is not None and delete_on <= timezone.localdate(),
        "warn": delete_on is not None and (delete_on - timezone.localdate()).days <= settings.READER_NOTES_WARN_DAYS,
        "max_chars": settings.READER_NOTE_MAX_CHARS,
        "keep_days": settings.READER_NOTES_KEEP_DAYS,
    }


@login_required
@require_safe
def meeting(request, meeting_pk):
    """The reader's shell: the agenda with jump links, the first item in full, later items as they scroll in."""
    meeting = selectors.get_meeting_to_read(request.user, meeting_pk)
    items = selectors.reader_items(request.user, meeting, parts="none")
    context = _meeting_context(request, meeting, items)
    first = next((entry for entry in items if entry.report is not None), items[0] if items else None)
    context["first"] = first
    context["first_html"] = selectors.item_html(meeting, first) if first is not None else ""
    return render(request, "reader/meeting.html", context)


@login_required
@require_safe
def read(request, meeting_pk):
    """/meetings/<id>/read/ (DESIGN.md's address for the reader): on to the meeting in the reader."""
    meeting = selectors.get_meeting_to_read(request.user, meeting_pk)
    return redirect(reverse("reader:meeting", args=[meeting.pk]))


@login_required
@require_safe
def item(request, meeting_pk, item_pk):
    """One agenda item's HTML fragment, for the shell to load as the member scrolls (and to keep offline)."""
    meeting = selectors.get_meeting_to_read(request.user, meeting_pk)
    entry = _reader_item(request.user, meeting, item_pk)
    return HttpResponse(selectors.item_html(meeting, entry))


@login_required
@require_safe
def search(request, meeting_pk):
    """Search within the meeting's papers the member may read: paragraphs holding every word asked."""
    meeting = selectors.get_meeting_to_read(request.user, meeting_pk)
    query = request.GET.get("q", "").strip()[:200]
    items = selectors.reader_items(request.user, meeting, parts="blocks")
    results = [
        (entry, block, selectors.marked(block.text, query) if block else None)
        for entry, block in (selectors.search_meeting(request.user, meeting, query, items) if query else [])
    ]
    context = {"meeting": meeting, "query": query, "results": results, "items": items}
    return render(request, "reader/search.html", context)


@login_required
@require_safe
def report_pdf(request, meeting_pk, item_pk):
    """The item's report as its PDF, under /reader/ so the device can keep it offline."""
    from reports.pdf import report_pdf_response

    meeting = selectors.get_meeting_to_read(request.user, meeting_pk)
    entry = _reader_item(request.user, meeting, item_pk)
    if entry.report is None:
        raise Http404("No report")
    return report_pdf_response(request, entry.report)


@login_required
@require_safe
def appendix_pdf(request, meeting_pk, item_pk, appendix_pk):
    """One appendix of the item's report, under /reader/ like the report's PDF."""
    from reports.pdf import appendix_response

    meeting = selectors.get_meeting_to_read(request.user, meeting_pk)
    entry = _reader_item(request.user, meeting, item_pk)
    if entry.report is None:
        raise Http404("No report")
    appendix = get_object_or_404(Appendix, pk=appendix_pk, report=entry.report)
    filename = f"{slugify(entry.report.subject)[:60] or 'report'}-appendix-{appendix.letter}.pdf"
    return appendix_response(request, appendix, filename)


# The notes API --------------------------------------------------------------------------------------


def _api_refusal(status, error, message):
    return JsonResponse({"error": error, "message": message}, status=status)


SIGNED_OUT = (403, "signed_out", "You are signed out. Sign in again: your notes on this device are kept and sent then.")
NO_MEETING = (404, "no_meeting", "There is no such meeting whose papers you can read.")


def _api_meeting(request, raw):
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        return None
    return selectors.readable_meetings(request.user).filter(pk=pk).first()


@require_safe
def api_notes(request):
    """The member's notes of one meeting, as JSON, each placed in the papers as they read now."""
    if not request.user.is_authenticated:
        return _api_refusal(*SIGNED_OUT)
    meeting = _api_meeting(request, request.GET.get("meeting"))
    if meeting is None:
        return _api_refusal(*NO_MEETING)
    index = selectors.meeting_blocks(request.user, meeting)
    return JsonResponse({"meeting": meeting.pk, "notes": selectors.notes_of(request.user, meeting, index)})


@require_POST
def api_sync(request):
    """A device's changes to the member's notes of a meeting in, every current note of that meeting out:
    {"notes": [...], "conflicts": [ids], "refused": [{"id", "reason"}]} (see reader.services.notes_sync)."""
    if not request.user.is_authenticated:
        return _api_refusal(*SIGNED_OUT)
    if request.content_type != "application/json":
        return _api_refusal(400, "bad_json", "Send the changes as JSON (Content-Type: application/json).")
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return _api_refusal(400, "bad_json", "The request is not JSON.")
    if not isinstance(body, dict):
        return _api_refusal(400, "bad_request", "Send an object with “meeting” and “changes”.")
    meeting = _api_meeting(request, body.get("meeting"))
    if meeting is None:
        return _api_refusal(*NO_MEETING)
    index = selectors.meeting_blocks(request.user, meeting)
    try:
        result = services.notes_sync(user=request.user, meeting=meeting, changes=body.get("changes", []), index=index)
    except services.SyncRefused as refusal:
        return _api_refusal(400, "bad_request", str(refusal))
    return JsonResponse(
        {
            "meeting": meeting.pk,
            "notes": selectors.notes_of(request.user, meeting, index),
            "conflicts": result.conflicts,
            "refused": result.refused,
        }
    )


# Exports and deletion -----------------------------------------------------------------------------


def _notes_for_export(user, meeting):
    items = selectors.reader_items(user, meeting, parts="blocks", pages=False)
    index = selectors.meeting_blocks(user, meeting, items)
    notes = selectors.notes_of(user, meeting, index)
    titles = {
        entry.pk: f"{entry.number}. {entry.title}" + (" (Exempt: not for publication)" if entry.is_exempt else "")
        for entry in items
    }
    for note in notes:
        note["item_title"] = titles.get(note["item"], "")
    return notes


def _export_name(meeting, extension):
    return f"my-notes-{slugify(meeting.board.name)}-{meeting.date:%Y-%m-%d}.{extension}"


@login_required
@require_safe
def notes_txt(request, meeting_pk):
    """The member's notes of the meeting as a text file."""
    meeting = selectors.get_meeting_to_read(request.user, meeting_pk)
    context = {"meeting": meeting, "notes": _notes_for_export(request.user, meeting), "user": request.user}
    text = render_to_string("reader/notes.txt", context)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(meeting, "txt")}"'
    return response


@login_required
@require_safe
def notes_pdf(request, meeting_pk):
    """The member's notes of the meeting as a PDF: made for this answer and never stored."""
    from reports import pdf

    meeting = selectors.get_meeting_to_read(request.user, meeting_pk)
    context = {
        "meeting": meeting,
        "notes": _notes_for_export(request.user, meeting),
        "user": request.user,
        "council_name": pdf.council_branding().display_name,
    }
    html = render_to_string("reader/pdf/notes.html", context)
    try:
        data = pdf.render_html_pdf(html, fetcher=pdf.app_fetcher())
    except pdf.PdfRenderError:
        response = HttpResponse("Your notes could not be made into a PDF just now; download them as text instead.")
        response.status_code = 503
        return response
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(meeting, "pdf")}"'
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notes_delete(request, meeting_pk):
    """Delete all the member's notes of the meeting, after asking."""
    meeting = selectors.get_meeting_to_read(request.user, meeting_pk)
    if request.method == "POST":
        count = services.notes_delete(user=request.user, meeting=meeting)
        messages.success(request, f"{count} note{'' if count == 1 else 's'} deleted.")
        return redirect(reverse("reader:meeting", args=[meeting.pk]))
    return render(request, "reader/notes_delete.html", {"meeting": meeting})
