from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from config.forms import refuse_beside
from officer_decisions import selectors, services
from officer_decisions.forms import DecisionForm, RegisterFilterForm, ReturnForm
from officer_decisions.models import OfficerDecision
from officer_decisions.services import OfficerDecisionRefused

PER_PAGE = 20


# The public register ------------------------------------------------------------------------------


@require_safe
def register(request):
    """The public register of officer decisions: newest first, by words in the title and a range of dates."""
    form = RegisterFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "officer_decisions/register.html", {"form": form, "errors": True}, status=400)
    data = form.cleaned_data if form.is_bound else {}
    decisions = selectors.public_register(
        q=data.get("q", ""), date_from=data.get("date_from"), date_to=data.get("date_to")
    )
    page = Paginator(decisions, PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "filtered": any(data.values()) if data else False}
    return render(request, "officer_decisions/register.html", context)


@require_safe
def detail(request, pk):
    """One published officer decision; an exempt one shows only its title, date, maker and the paragraph."""
    decision = get_object_or_404(OfficerDecision.objects.published().select_related("officer"), pk=pk)
    wards = [] if decision.is_exempt else list(decision.wards.all())
    return render(request, "officer_decisions/detail.html", {"decision": decision, "wards": wards})


# The officer ---------------------------------------------------------------------------------------


def _recorder_or_404(user):
    if not services.may_record(user):
        raise Http404("No such page")


def get_decision_for(user, pk):
    """The officer's own decision, or 404: nobody else's draft is theirs to see."""
    _recorder_or_404(user)
    return get_object_or_404(OfficerDecision, pk=pk, officer=user)


def _form_page(request, form, decision=None):
    return render(
        request,
        "officer_decisions/form.html",
        {"form": form, "decision": decision},
        status=400 if form.errors else 200,
    )


@login_required
def new(request):
    """The officer records a decision they took under delegated powers (saved as a draft)."""
    _recorder_or_404(request.user)
    form = DecisionForm(
        request.POST if request.method == "POST" else None, initial={"officer_title": request.user.job_title}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.officer_decision_record(user=request.user, fields=data, wards=data["wards"])
        except OfficerDecisionRefused as exc:
            refuse_beside(form, exc)
        else:
            messages.success(request, "Saved as a draft. Check it, then submit it to democratic services.")
            return redirect("officer_decisions:submit", pk=decision.pk)
    return _form_page(request, form)


@login_required
def edit(request, pk):
    """The officer changes their decision while it is a draft or returned to them."""
    decision = get_decision_for(request.user, pk)
    if not decision.is_editable:
        messages.info(
            request, f"This decision is {decision.get_status_display().lower()}: it can no longer be changed."
        )
        return redirect("officer_decisions:mine")
    form = DecisionForm(request.POST if request.method == "POST" else None, initial=DecisionForm.initial_for(decision))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.officer_decision_edit(decision=decision, user=request.user, fields=data, wards=data["wards"])
        except OfficerDecisionRefused as exc:
            refuse_beside(form, exc)
        else:
            messages.success(request, "Saved. Check it, then submit it to democratic services.")
            return redirect("officer_decisions:submit", pk=decision.pk)
    return _form_page(request, form, decision)


@login_required
def submit(request, pk):
    """The officer checks the record as it will be published, and sends it to democratic services."""
    decision = get_decision_for(request.user, pk)
    if request.method == "POST":
        try:
            services.officer_decision_submit(decision=decision, user=request.user)
        except OfficerDecisionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Sent to democratic services, who will publish it on the register.")
            return redirect("officer_decisions:mine")
    context = {
        "decision": decision,
        "wards": list(decision.wards.all()),
        "events": decision.events.select_related("actor"),
    }
    return render(request, "officer_decisions/submit.html", context)


@login_required
@require_safe
def mine(request):
    """The officer's own decisions and where each one is."""
    _recorder_or_404(request.user)
    return render(request, "officer_decisions/mine.html", {"decisions": selectors.recorded_by(request.user)})


# Democratic services -------------------------------------------------------------------------------


def _reviewer_or_404(user):
    if not services.may_review(user):
        raise Http404("No such page")


def _review_page(request, status=200, refused=None):
    context = {
        "waiting": selectors.waiting_for_review(),
        "published": selectors.recently_published(),
        "refused": refused,
    }
    return render(request, "officer_decisions/review.html", context, status=status)


@login_required
@require_safe
def review(request):
    """Democratic services' queue: decisions waiting to be published or returned."""
    _reviewer_or_404(request.user)
    return _review_page(request)


def _submitted_or_404(user, pk):
    _reviewer_or_404(user)
    return get_object_or_404(OfficerDecision, pk=pk)


@login_required
@require_POST
def publish(request, pk):
    decision = _submitted_or_404(request.user, pk)
    try:
        services.officer_decision_publish(decision=decision, user=request.user)
    except OfficerDecisionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Published on the register: {decision.title}.")
    return redirect("officer_decisions:review")


@login_required
@require_POST
def return_to_officer(request, pk):
    decision = _submitted_or_404(request.user, pk)
    form = ReturnForm(request.POST)
    form.is_valid()
    try:
        services.officer_decision_return(decision=decision, user=request.user, comment=form.cleaned_data.get("comment"))
    except OfficerDecisionRefused as exc:
        if exc.field != "comment":
            messages.error(request, exc.message)
            return redirect("officer_decisions:review")
        refuse_beside(form, exc)
        return _review_page(request, status=400, refused={"decision": decision.pk, "form": form})
    messages.success(request, f"Returned to {decision.officer} with your comment.")
    return redirect("officer_decisions:review")
