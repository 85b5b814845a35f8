from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import quote_etag
from django.views.decorators.http import require_POST, require_safe

from boards.downloads import cache_control, disposition, not_modified
from boards.models import Meeting
from boards.public_cache import cached_public_page
from boards.views import get_meeting_to_manage, is_clerk
from minutes import pdf, selectors, services
from minutes.forms import MinutesForm
from minutes.models import Minutes


def get_public_minutes(pk):
    """The minutes of meeting `pk` the public may read; 404 until they are published."""
    minutes = selectors.public_minutes(pk)
    if minutes is None:
        raise Http404("No published minutes")
    return minutes


@cached_public_page()
def minutes_page(request, pk):
    """The minutes: democratic services draft and edit them here; everyone else reads the published ones."""
    if is_clerk(request.user):
        return _edit(request, get_meeting_to_manage(request.user, pk))
    if request.method not in ("GET", "HEAD"):
        raise Http404("No such page")  # only democratic services write minutes; the rest read them
    minutes = get_public_minutes(pk)
    context = {"minutes": minutes, "meeting": minutes.meeting, "body": pdf.printed_body(minutes)}
    return render(request, "minutes/public.html", context)


def _edit(request, meeting):
    minutes = Minutes.objects.filter(meeting=meeting).select_related("approved_at_meeting").first()
    initial = {"body": minutes.body, "exempt_body": minutes.exempt_body} if minutes else {}
    form = MinutesForm(request.POST if request.method == "POST" else None, initial=initial)
    action = request.POST.get("action", "save")
    if request.method == "POST":
        try:
            if action == "draft":
                services.minutes_draft(meeting=meeting, user=request.user)
                messages.success(request, "The minutes were drafted from the meeting's record.")
                return redirect("minutes:minutes", pk=meeting.pk)
            if form.is_valid():
                services.minutes_save(meeting=meeting, user=request.user, **form.cleaned_data)
                messages.success(request, "Minutes saved.")
                return redirect("minutes:minutes", pk=meeting.pk)
        except services.MinutesRefused as exc:
            form.add_error(None, str(exc))
    context = {
        "meeting": meeting,
        "minutes": minutes,
        "form": form,
        "may_be_minuted": services.may_be_minuted(meeting),
        "editable": services.may_be_minuted(meeting)
        and meeting.status != Meeting.Status.MINUTES_APPROVED
        and not (minutes and minutes.is_final),
        "due": services.minutes_due(meeting),
        "next_meeting": selectors.next_meeting(meeting),
    }
    return render(request, "minutes/edit.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def minutes_publish(request, pk):
    """Democratic services publish the minutes as a draft, subject to approval."""
    meeting = get_meeting_to_manage(request.user, pk)
    try:
        services.minutes_publish(meeting=meeting, user=request.user)
    except services.MinutesRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The minutes are published as a draft, subject to approval.")
    return redirect("minutes:minutes", pk=meeting.pk)


@require_safe
def minutes_pdf(request, pk):
    """The public minutes as a PDF, stamped draft or approved; democratic services may see a draft's too.

    Its ETag is the minutes' state (what was saved, and when, and its status), so a client holding this
    edition gets 304 before anything is rendered."""
    if is_clerk(request.user):
        minutes = get_object_or_404(
            Minutes.objects.select_related("meeting__board", "approved_at_meeting"), meeting_id=pk
        )
    else:
        minutes = get_public_minutes(pk)
    private = not minutes.is_public
    version = f"minutes-{minutes.pk}-{minutes.status}-{minutes.updated_at.timestamp()}-{minutes.approved_at_meeting_id}"
    unchanged = not_modified(request, version, private=private)
    if unchanged:
        return unchanged
    response = HttpResponse(pdf.minutes_pdf(minutes), content_type="application/pdf")
    response["Content-Disposition"] = disposition(request, pdf.minutes_pdf_filename(minutes))
    response["ETag"] = quote_etag(version)
    response["Cache-Control"] = cache_control(private)
    return response
