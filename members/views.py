from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from boards.models import Meeting
from boards.public_cache import cached_public_page
from boards.views import get_meeting_to_manage, is_clerk
from members import selectors, services
from members.forms import ApologyForm, AttendanceForm, OtherAttendeeFormSet
from members.models import Attendance, Councillor

# The public pages are not cached for visitors: boards/public_cache.py has no `cached_public_page`
# decorator in this checkout (only the meeting page's key), and both pages cost a fixed handful of queries.


def get_councillor(pk):
    """The councillor whose User is `pk`; 404 for a user who is not a councillor."""
    return get_object_or_404(Councillor.objects.select_related("user", "party").prefetch_related("wards"), user_id=pk)


@require_safe
@cached_public_page()
def councillor_list(request):
    """Every councillor, by ward and by party."""
    view = "party" if request.GET.get("by") == "party" else "ward"
    return render(request, "members/councillor_list.html", {**selectors.councillor_lists(), "view": view})


@require_safe
@cached_public_page()
def councillor_detail(request, pk):
    """A councillor's public page: party, wards, contact details, boards and attendance."""
    councillor = get_councillor(pk)
    boards, recent = selectors.councillor_attendance(councillor.user)
    context = {
        "councillor": councillor,
        "seats": selectors.councillor_seats(councillor.user),
        "attendance_by_board": boards,
        "recent_meetings": recent,
        "substitutions": selectors.substitutions_by(councillor.user),
        # The register of interests is the interests app's page; a plain path so this page does
        # not depend on that app being installed.
        "register_url": f"/councillors/{councillor.user_id}/register/",
    }
    return render(request, "members/councillor_detail.html", context)


@require_safe
def councillor_photo(request, pk):
    """The councillor's photo, as checked and remade on upload (public, like the page)."""
    councillor = get_councillor(pk)
    if not councillor.photo:
        raise Http404("No photo")
    try:
        handle = councillor.photo.open("rb")
    except OSError:
        raise Http404("No photo") from None
    kind = "image/png" if councillor.photo.name.endswith(".png") else "image/jpeg"
    return FileResponse(handle, content_type=kind)


def _attendance_forms(meeting, data=None):
    expected = list(selectors.expected_memberships(meeting))
    candidates = selectors.substitute_candidates(meeting)
    record = selectors.attendance_record(meeting)
    if record.is_recorded:
        recorded = {row.member_id: row for row in record.rows}
        initial = {}
        for m in expected:
            row = recorded.get(m.user_id)
            if row:
                initial[f"status_{m.user_id}"] = row.status
                initial[f"substitute_{m.user_id}"] = row.substitute_id
        others = [{"name": o.name, "role": o.role, "description": o.description} for o in record.others]
    else:
        # Nothing recorded yet: start from the apologies received (with their substitutes).
        initial = {}
        for apology in selectors.standing_apologies(meeting):
            substituted = apology.substitute_id is not None
            status = Attendance.Status.SUBSTITUTED if substituted else Attendance.Status.APOLOGIES
            initial[f"status_{apology.member_id}"] = status
            initial[f"substitute_{apology.member_id}"] = apology.substitute_id
        others = []
    form = AttendanceForm(expected, candidates, data, initial=initial)
    formset = OtherAttendeeFormSet(data, initial=others, prefix="other")
    return form, formset, record


@login_required
def attendance(request, pk):
    """Democratic services record who attended a meeting: each expected member, substitutes, others."""
    meeting = get_meeting_to_manage(request.user, pk)
    form, formset, record = _attendance_forms(meeting, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            others = [
                (f.cleaned_data["name"], f.cleaned_data["role"] or "officer", f.cleaned_data["description"])
                for f in formset
                if f.cleaned_data.get("name")
            ]
            try:
                services.attendance_record(meeting=meeting, user=request.user, entries=form.entries(), others=others)
            except services.AttendanceRefused as exc:
                for key, message in exc.errors.items():
                    # A member's problem is their substitute (a missing status is the form's own error).
                    field = f"substitute_{key.removeprefix('member_')}" if key.startswith("member_") else None
                    form.add_error(field, message)
                if not exc.errors:
                    form.add_error(None, str(exc))
            else:
                messages.success(request, "Attendance saved.")
                return redirect(reverse("members:attendance", args=[meeting.pk]))
        status = 400
    context = {
        "meeting": meeting,
        "form": form,
        "formset": formset,
        "record": record,
        "apologies": selectors.standing_apologies(meeting),
        "can_record": meeting.status not in {Meeting.Status.CANCELLED, Meeting.Status.MINUTES_APPROVED}
        and meeting.date <= timezone.localdate(),
    }
    return render(request, "members/attendance.html", context, status=status)


def _meeting_for_member(request, pk):
    """A coming meeting at which the signed-in person is an expected member; 404 for anyone else."""
    meeting = get_object_or_404(Meeting.objects.select_related("board"), pk=pk)
    if not selectors.is_expected_at(request.user, meeting):
        raise Http404("No such meeting")
    return meeting


@login_required
@require_safe
def my_apologies(request):
    """A member's coming meetings, to send (or withdraw) apologies for each."""
    meetings = selectors.coming_meetings_expecting(request.user)
    for meeting in meetings:
        meeting.form = ApologyForm(selectors.substitute_candidates(meeting), prefix=f"m{meeting.pk}")
    return render(request, "members/my_apologies.html", {"meetings": meetings, "is_clerk": is_clerk(request.user)})


@login_required
@require_POST
def apologies_send(request, pk):
    """A member sends apologies for a coming meeting."""
    meeting = _meeting_for_member(request, pk)
    form = ApologyForm(selectors.substitute_candidates(meeting), request.POST, prefix=f"m{meeting.pk}")
    if form.is_valid():
        try:
            services.apology_send(
                meeting=meeting,
                user=request.user,
                reason=form.cleaned_data["reason"],
                substitute=form.cleaned_data["substitute"],
            )
        except services.AttendanceRefused as exc:
            form.add_error("substitute" if "substitute" in exc.errors else None, str(exc))
        else:
            messages.success(request, f"Apologies sent for {meeting}.")
            return redirect("members:my_apologies")
    # Shown again with what was typed and the message beside the field.
    meetings = selectors.coming_meetings_expecting(request.user)
    for other in meetings:
        other.form = (
            form
            if other.pk == meeting.pk
            else ApologyForm(selectors.substitute_candidates(other), prefix=f"m{other.pk}")
        )
    if meeting.pk not in {m.pk for m in meetings}:
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("members:my_apologies")
    context = {"meetings": meetings, "is_clerk": is_clerk(request.user)}
    return render(request, "members/my_apologies.html", context, status=400)


@login_required
@require_POST
def apologies_withdraw(request, pk):
    """A member withdraws their apologies before the meeting."""
    meeting = _meeting_for_member(request, pk)
    try:
        services.apology_withdraw(meeting=meeting, user=request.user)
    except services.AttendanceRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Apologies withdrawn for {meeting}: you are expected to attend.")
    return redirect("members:my_apologies")
