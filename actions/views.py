"""The tracker of actions arising from decisions, each action's page, recording and updating them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from actions import selectors, services
from actions.forms import ActionForm, TrackerFilterForm, UpdateForm
from actions.models import Action
from actions.services import ActionRefused
from boards.models import AgendaItem
from boards.public_cache import cached_public_page, public_stamp
from config.forms import refuse_beside

PER_PAGE = 50


def actions_stamp():
    """What the public tracker and action pages print: the public lists, and the actions themselves."""
    return (public_stamp(), selectors.stamp())


def get_action_for(user, pk):
    """The action `pk` if `user` may see it (anyone, for a Part 1 item's), or 404."""
    return get_object_or_404(Action.objects.visible_to(user).select_related(*selectors.RELATED), pk=pk)


@require_safe
@cached_public_page(stamp=actions_stamp)
def tracker(request):
    """Actions arising from decisions, soonest due first: the public see Part 1 items' only."""
    user = request.user
    form = TrackerFilterForm(
        request.GET or None, boards=selectors.boards_with_actions(user), owners=selectors.owners_of_actions(user)
    )
    if form.is_bound and not form.is_valid():
        return render(request, "actions/tracker.html", {"form": form, "errors": True}, status=400)
    filters = form.filters() if form.is_bound else {}
    actions = selectors.tracker(user, **filters)
    page = Paginator(actions, PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "filtered": any(filters.values())}
    return render(request, "actions/tracker.html", context)


def _detail_page(request, action, form=None, status=200):
    context = {
        "action": action,
        "updates": action.updates.select_related("actor"),
        "form": form
        or (UpdateForm(initial={"status": action.status}) if services.may_update(request.user, action) else None),
    }
    return render(request, "actions/detail.html", context, status=status)


@require_safe
@cached_public_page(stamp=actions_stamp)
def detail(request, pk):
    """One action with its history; its owner and democratic services get the form to update it."""
    return _detail_page(request, get_action_for(request.user, pk))


@login_required
@require_POST
def update(request, pk):
    """The owner (or democratic services) records the action's status now, with a note."""
    action = get_action_for(request.user, pk)
    if not services.may_update(request.user, action):
        raise Http404("No such page")
    form = UpdateForm(request.POST)
    if form.is_valid():
        try:
            services.action_update(
                action=action, user=request.user, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
            )
        except ActionRefused as exc:
            refuse_beside(form, exc)
        else:
            messages.success(request, "Update recorded.")
            return redirect(action)
    return _detail_page(request, action, form, status=400)


def get_item_to_record(user, pk, item_pk):
    """The agenda item `item_pk` of meeting `pk`, for someone who may record actions on its board's decisions; else 404."""
    item = get_object_or_404(AgendaItem.objects.select_related("meeting__board", "report"), pk=item_pk, meeting_id=pk)
    if not services.may_record(user, item.meeting.board):
        raise Http404("No such page")
    return item


@login_required
def new(request, pk, item_pk):
    """Democratic services (or the board's clerk) record an action arising from the decision on an item."""
    item = get_item_to_record(request.user, pk, item_pk)
    if reason := services.not_ready_reason(item):
        messages.error(request, reason)
        return redirect(item.meeting)
    form = ActionForm(request.POST if request.method == "POST" else None, meeting=item.meeting)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            action = services.action_create(
                item=item,
                user=request.user,
                description=data["description"],
                owner=data["owner"],
                due_on=data["due_on"],
            )
        except ActionRefused as exc:
            refuse_beside(form, exc)
        else:
            messages.success(request, f"Action recorded: {action.owner} is responsible, due {action.due_on:%-d %B %Y}.")
            return redirect(action)
    context = {"form": form, "item": item, "meeting": item.meeting, "existing": item.actions.select_related("owner")}
    return render(request, "actions/new.html", context, status=400 if form.errors else 200)


@login_required
@require_safe
def mine(request):
    """My actions: those I own, unfinished first."""
    return render(request, "actions/mine.html", {"actions": selectors.owned_by(request.user)})
