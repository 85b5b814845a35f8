"""The reference lists' screens (administrators only): an index of the lists, and a page per list to add,
edit, retire, restore and reorder its entries."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from config.forms import refuse_beside
from reference import services
from reference.forms import form_for
from reference.models import LISTS, ReferenceEvent
from reference.services import ReferenceRefused
from reports.models import ConsulteeKind, Post

HISTORY_SHOWN = 30


def get_list_for(user, kind):
    """The list `kind` if `user` may manage the reference lists, else 404 (no one else is told they exist)."""
    if not services.may_manage_lists(user) or kind not in LISTS:
        raise Http404("No such page")
    return LISTS[kind]


def get_entry_for(user, kind, pk):
    ref = get_list_for(user, kind)
    return ref, get_object_or_404(ref.model, pk=pk)


def _with_details(ref, entries):
    """What the list page shows beside each entry, in a fixed number of queries."""
    if ref.model is Post:
        return entries.select_related("directorate", "holder")
    if ref.model is ConsulteeKind:
        return entries.prefetch_related("officers")
    return entries


def _holder(form):
    """A post's holder, as chosen on its form (other lists have none)."""
    return {"holder": form.cleaned_data["holder"]} if "holder" in form.fields else {}


@login_required
@require_safe
def index(request):
    """Every reference list, with how many entries are in use and retired."""
    get_list_for(request.user, next(iter(LISTS)))
    lists = []
    for ref in LISTS.values():
        counts = ref.model.objects.aggregate(live=Count("pk", filter=Q(is_active=True)), total=Count("pk"))
        lists.append({"ref": ref, "live": counts["live"], "retired": counts["total"] - counts["live"]})
    return render(request, "reference/index.html", {"lists": lists})


def _list_page(request, ref, *, form=None, status=200):
    entries = list(_with_details(ref, ref.entries()))
    context = {
        "ref": ref,
        "live": [entry for entry in entries if entry.is_active],
        "retired": [entry for entry in entries if not entry.is_active],
        "form": form if form is not None else form_for(ref),
        "events": ReferenceEvent.objects.filter(list_slug=ref.slug).select_related("actor")[:HISTORY_SHOWN],
    }
    return render(request, "reference/list.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def list_page(request, kind):
    """A list's entries in order, those in use apart from the retired; the form to add one."""
    ref = get_list_for(request.user, kind)
    if request.method != "POST":
        return _list_page(request, ref)
    form = form_for(ref, request.POST)
    if form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            entry = services.entry_add(ref=ref, by=request.user, values=values, **_holder(form))
        except ReferenceRefused as refusal:
            refuse_beside(form, refusal)
        else:
            messages.success(request, f"“{entry}” is added to the {ref.title.lower()}.")
            return redirect("reference:list", ref.slug)
    return _list_page(request, ref, form=form, status=400)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def entry_edit(request, kind, pk):
    """Rename or change an entry; reports that use it print the new name."""
    ref, entry = get_entry_for(request.user, kind, pk)
    form = form_for(ref, request.POST if request.method == "POST" else None, instance=entry)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            entry = services.entry_edit(ref=ref, entry=entry, by=request.user, values=values, **_holder(form))
        except ReferenceRefused as refusal:
            refuse_beside(form, refusal)
        else:
            messages.success(request, f"“{entry}” is saved.")
            return redirect("reference:list", ref.slug)
    entry.refresh_from_db()  # the heading names the entry as it is, not as typed
    context = {"ref": ref, "entry": entry, "form": form}
    return render(request, "reference/entry_edit.html", context, status=400 if form.is_bound else 200)


def _act(request, kind, pk, action, done):
    ref, entry = get_entry_for(request.user, kind, pk)
    try:
        entry = action(ref=ref, entry=entry, by=request.user)
    except ReferenceRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, done(ref, entry))
    return redirect("reference:list", ref.slug)


@login_required
@require_POST
def entry_retire(request, kind, pk):
    """Stop offering an entry on reports; the reports that use it keep it."""
    return _act(
        request, kind, pk, services.entry_retire,
        lambda ref, entry: f"“{entry}” is retired: reports that use it keep it, and it is not offered on others.",
    )  # fmt: skip


@login_required
@require_POST
def entry_restore(request, kind, pk):
    """Offer a retired entry again."""
    return _act(request, kind, pk, services.entry_restore, lambda ref, entry: f"“{entry}” is in use again.")


@login_required
@require_POST
def entry_move(request, kind, pk):
    """Move an entry up or down the list (a form per button, so no script is needed)."""
    direction = request.POST.get("direction", "")
    return _act(
        request, kind, pk,
        lambda **kwargs: services.entry_move(direction=direction, **kwargs),
        lambda ref, entry: f"“{entry}” is moved {direction}.",
    )  # fmt: skip
