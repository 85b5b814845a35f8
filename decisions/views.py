"""Decision notices: the public register and each notice; democratic services publish, correct and
record outcomes; scrutiny members call decisions in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from boards.models import AgendaItem, Board
from boards.views import get_meeting_to_manage, is_clerk
from config.forms import refuse_beside
from decisions import selectors, services
from decisions.forms import CallInForm, ConveneForm, CorrectForm, OutcomeForm, PublishForm
from decisions.models import Notice
from public import queries

PER_PAGE = 50


@require_safe
def register(request):
    """Every decision notice, newest first; ?board=<slug> for one board's."""
    notices = selectors.notices()
    boards = Board.objects.filter(is_executive=True).order_by("name")
    board = None
    slug = request.GET.get("board", "")
    if slug:
        board = boards.filter(slug=slug).first()
        if board is not None:
            notices = notices.filter(item__meeting__board=board)
    page = Paginator(notices, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "decisions/register.html", {"page": page, "boards": boards, "board": board})


def _notice(pk):
    return get_object_or_404(
        selectors.notices()
        .select_related("scrutiny_item__meeting__board")
        .prefetch_related("versions", "call_in__signatures__member"),
        pk=pk,
    )


@require_safe
def notice(request, pk):
    """A decision notice: the decision, reasons, alternatives, conflicts, when it takes effect, its call-in."""
    found = _notice(pk)
    call_in = getattr(found, "call_in", None)
    signed = call_in is not None and any(s.member_id == request.user.pk for s in call_in.signatures.all())
    context = {
        "notice": found,
        "detail": selectors.sees_detail(request.user, found),
        "call_in": call_in,
        "may_call_in": services.may_call_in(request.user, found) and found.is_open_to_call_in() and not signed,
        "signed": signed,
        "clerk": is_clerk(request.user),
        "outcome_form": OutcomeForm() if is_clerk(request.user) and found.status == Notice.Status.CALLED_IN else None,
        "has_story": bool(found.item.report_id) and queries.is_public_issue(found.item.report_id),
    }
    return render(request, "decisions/notice.html", context)


@login_required
@require_safe
def meeting_notices(request, pk):
    """Democratic services: a held executive meeting's decisions and their notices."""
    meeting = get_meeting_to_manage(request.user, pk)
    context = {
        "meeting": meeting,
        "items": selectors.decided_items(meeting),
        "due_on": selectors.notice_due_on(meeting),
    }
    return render(request, "decisions/meeting_notices.html", context)


@login_required
def publish(request, pk, item_pk):
    """Democratic services publish the notice of one decision, starting from what the record holds."""
    meeting = get_meeting_to_manage(request.user, pk)
    item = get_object_or_404(AgendaItem.objects.select_related("report"), pk=item_pk, meeting=meeting)
    if hasattr(item, "notice"):
        return redirect(item.notice)
    form = PublishForm(request.POST if request.method == "POST" else None, initial=selectors.notice_defaults(item))
    if request.method == "POST" and form.is_valid():
        try:
            published = services.notice_publish(item=item, user=request.user, **form.cleaned_data)
        except services.NoticeRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Decision notice {published.reference} is published.")
            return redirect(published)
    context = {"meeting": meeting, "item": item, "form": form, "due_on": selectors.notice_due_on(meeting)}
    return render(request, "decisions/publish.html", context, status=400 if form.errors else 200)


@login_required
def correct(request, pk):
    """Democratic services correct a published notice; the earlier text stays on the notice's page."""
    if not is_clerk(request.user):
        raise Http404("No such page")
    found = _notice(pk)
    initial = {f: getattr(found, f) for f in ("decision", "reasons", "alternatives", "conflicts")}
    form = CorrectForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.notice_correct(notice=found, user=request.user, **form.cleaned_data)
        except services.NoticeRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "The notice is corrected; its earlier text is kept on its page.")
            return redirect(found)
    return render(
        request, "decisions/correct.html", {"notice": found, "form": form}, status=400 if form.errors else 200
    )


@login_required
def call_in(request, pk):
    """A scrutiny member starts a call-in with their reasons."""
    found = _notice(pk)
    if not services.may_call_in(request.user, found):
        raise Http404("No such page")
    form = CallInForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.call_in_request(notice=found, user=request.user, reasons=form.cleaned_data["reasons"])
        except services.NoticeRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Your call-in is started: other members of the committee can now sign it.")
            return redirect(found)
    return render(
        request, "decisions/call_in.html", {"notice": found, "form": form}, status=400 if form.errors else 200
    )


@login_required
@require_POST
def sign(request, pk):
    """A scrutiny member adds their signature to a call-in."""
    found = _notice(pk)
    if not services.may_call_in(request.user, found):
        raise Http404("No such page")
    try:
        signed = services.call_in_sign(notice=found, user=request.user)
    except services.NoticeRefused as refused:
        messages.error(request, str(refused))
    else:
        if signed.completed_at:
            messages.success(request, "You have signed. The decision is called in: its implementation is suspended.")
        else:
            messages.success(request, "You have signed the call-in.")
    return redirect(found)


@login_required
@require_POST
def outcome(request, pk):
    """Democratic services record the scrutiny committee's outcome for a called-in decision."""
    if not is_clerk(request.user):
        raise Http404("No such page")
    found = _notice(pk)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.call_in_outcome(notice=found, user=request.user, **form.cleaned_data)
        except services.NoticeRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, "The outcome is recorded on the notice.")
            return redirect(found)
    else:
        messages.error(request, "Choose what the committee decided.")
    return redirect(found)


@login_required
def convene(request, pk):
    """Democratic services convene a special meeting of the scrutiny committee to hear a call-in."""
    if not is_clerk(request.user):
        raise Http404("No such page")
    found = _notice(pk)
    if found.status != Notice.Status.CALLED_IN:
        messages.info(request, "Only a called-in decision waiting for the scrutiny committee needs a meeting.")
        return redirect(found)
    board = services.scrutiny_board_for(found)
    initial = {"date": services.earliest_with_notice(), "time": "18:00"}
    form = ConveneForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.call_in_convene_meeting(
                notice=found, user=request.user, starts_at=form.starts_at(), venue=data["venue"],
                urgency_reason=data["urgency_reason"],
            )  # fmt: skip
        except services.NoticeRefused as refused:
            refuse_beside(form, refused)
        else:
            messages.success(request, f"Special meeting convened: {meeting}. The call-in is on its agenda.")
            return redirect(found)
    context = {"notice": found, "form": form, "board": board, "earliest": services.earliest_with_notice()}
    return render(request, "decisions/convene.html", context, status=400 if form.errors else 200)
