from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from accounts.models import User
from boards import selectors as agenda
from boards.models import AgendaItem
from boards.public_cache import cached_public_page
from boards.views import get_meeting_for
from interests import selectors, services
from interests.forms import DeclarationForm, EntryForm, ReturnForm
from interests.models import REGISTER_WITHIN_DAYS, Declaration, RegisterChange, RegisterEntry, review_due


def _add_errors(form, exc):
    """A service's ValidationError beside the fields it names, or above the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# The public register ---------------------------------------------------------------------------------


@require_safe
@cached_public_page()
def register(request):
    """The register of members' interests: every member's current entries (a sensitive one only named)."""
    members = list(selectors.registered_members())
    updated = [m.register_updated_at for m in members if m.register_updated_at]
    return render(request, "interests/register.html", {"members": members, "last_updated": max(updated, default=None)})


@require_safe
@cached_public_page()
def member_register(request, pk):
    """One member's register: their current entries and when it last changed."""
    member = selectors.registered_members().filter(pk=pk).first()
    if member is None:
        raise Http404("No such member")
    return render(request, "interests/member_register.html", {"member": member})


# The member's own register ---------------------------------------------------------------------------


def _member_or_404(user):
    if not services.is_member(user):
        raise Http404("No such page")
    return user


def _own_entry(user, pk):
    _member_or_404(user)
    return get_object_or_404(RegisterEntry.objects.current(), pk=pk, member=user)


@login_required
@require_safe
def my_interests(request):
    """The member's register: what it says now, what waits for the monitoring officer, what came back."""
    member = _member_or_404(request.user)
    changes = member.register_changes.select_related("entry", "decided_by")
    last = changes.filter(status=RegisterChange.Status.ACCEPTED).aggregate(at=Max("decided_at"))["at"]
    context = {
        "entries": member.register_entries.current().order_by("category", "pk"),
        "pending": changes.filter(status=RegisterChange.Status.PENDING),
        "pending_entries": set(changes.filter(status=RegisterChange.Status.PENDING).values_list("entry_id", flat=True)),
        "returned": changes.filter(status=RegisterChange.Status.RETURNED)[:10],
        "history": changes.filter(status=RegisterChange.Status.ACCEPTED).order_by("-decided_at", "-pk"),
        "last_accepted": last,
        "review_due": review_due(last),
    }
    return render(request, "interests/my_interests.html", context)


def _entry_page(request, form, entry=None):
    return render(
        request,
        "interests/entry_form.html",
        {"form": form, "entry": entry},
        status=400 if form.errors else 200,
    )


@login_required
def my_interest_add(request):
    """The member proposes a new interest for their register."""
    member = _member_or_404(request.user)
    form = EntryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.register_propose_add(member=member, user=request.user, fields=form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Sent to the monitoring officer: the register will show it once accepted.")
            return redirect("interests:mine")
    return _entry_page(request, form)


@login_required
def my_interest_edit(request, pk):
    """The member proposes a change to one of their interests."""
    entry = _own_entry(request.user, pk)
    form = EntryForm(
        request.POST if request.method == "POST" else None, instance=RegisterEntry.objects.get(pk=entry.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.register_propose_edit(entry=entry, user=request.user, fields=form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Sent to the monitoring officer: the register will change once accepted.")
            return redirect("interests:mine")
    return _entry_page(request, form, entry)


@login_required
@require_POST
def my_interest_remove(request, pk):
    """The member proposes to take an interest off their register."""
    entry = _own_entry(request.user, pk)
    try:
        services.register_propose_remove(entry=entry, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Sent to the monitoring officer: the interest stays on the register until accepted.")
    return redirect("interests:mine")


@login_required
@require_POST
def my_interests_reviewed(request):
    """The member records that they reviewed their register and nothing has changed."""
    member = _member_or_404(request.user)
    services.register_confirm(member=member, user=request.user)
    messages.success(request, "Recorded: you reviewed your register and nothing has changed.")
    return redirect("interests:mine")


# The monitoring officer --------------------------------------------------------------------------------


def _monitoring_officer_or_404(user):
    if not (user.is_authenticated and user.is_monitoring_officer):
        raise Http404("No such page")


def _changes_page(request, status=200, refused=None):
    today = timezone.localdate()
    overdue = []
    for member in selectors.registered_members():
        if member.register_reviewed_at is None and member.took_office_on:
            due = member.took_office_on + timezone.timedelta(days=REGISTER_WITHIN_DAYS)
            if due < today:
                overdue.append((member, due))
    context = {
        "pending": RegisterChange.objects.filter(status=RegisterChange.Status.PENDING)
        .select_related("member", "entry")
        .order_by("proposed_at", "pk"),
        "decided": RegisterChange.objects.exclude(status=RegisterChange.Status.PENDING)
        .exclude(action=RegisterChange.Action.CONFIRM)
        .select_related("member", "decided_by")
        .order_by("-decided_at", "-pk")[:20],
        "overdue": overdue,
        "refused": refused,
    }
    return render(request, "interests/changes.html", context, status=status)


@login_required
@require_safe
def changes(request):
    """The monitoring officer's list: changes waiting, members with no register 28 days after taking office."""
    _monitoring_officer_or_404(request.user)
    return _changes_page(request)


def _change_or_404(user, pk):
    _monitoring_officer_or_404(user)
    return get_object_or_404(RegisterChange, pk=pk)


@login_required
@require_POST
def change_accept(request, pk):
    change = _change_or_404(request.user, pk)
    try:
        services.register_change_accept(change=change, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Accepted: {change.member}'s register is updated.")
    return redirect("interests:changes")


@login_required
@require_POST
def change_return(request, pk):
    change = _change_or_404(request.user, pk)
    form = ReturnForm(request.POST)
    form.is_valid()
    try:
        services.register_change_return(change=change, user=request.user, reason=form.cleaned_data.get("reason"))
    except ValidationError as exc:
        _add_errors(form, exc)
        return _changes_page(request, status=400, refused={"change": change.pk, "form": form})
    messages.success(request, f"Returned to {change.member} with your reason.")
    return redirect("interests:changes")


# Declarations at meetings ----------------------------------------------------------------------------


def _declaration_page(request, meeting, form, *, own, template="interests/declarations.html"):
    context = {
        "meeting": meeting,
        "form": form,
        "own": own,
        "declarations": Declaration.objects.filter(item__meeting=meeting)
        .select_related("member", "item", "entry")
        .filter(**({"member": request.user} if own else {})),
    }
    return render(request, template, context, status=400 if form.errors else 200)


def _record(request, meeting, form, member, items):
    """Record the form's declaration. An item of this meeting the form did not offer counts as none;
    another meeting's item goes to the service, which says so beside the field."""
    data = form.cleaned_data
    item = {item.pk: item for _, item in items}.get(data.get("item"))
    if item is None and data.get("item"):
        item = AgendaItem.objects.filter(pk=data["item"]).exclude(meeting=meeting).first()
    entry = RegisterEntry.objects.filter(pk=data.get("entry")).first() if data.get("entry") else None
    services.declaration_record(
        meeting=meeting,
        item=item,
        member=member,
        user=request.user,
        kind=data.get("kind"),
        nature=data.get("nature"),
        conduct=data.get("conduct"),
        dispensation=data.get("dispensation"),
        entry=entry,
    )


@login_required
def meeting_declarations(request, pk):
    """Democratic services record the declarations of interest made at the meeting."""
    if not services.may_record_declarations(request.user):
        raise Http404("No such meeting")
    meeting = get_meeting_for(request.user, pk)
    members = list(services.meeting_members(meeting))
    items = agenda.numbered_items(meeting, waiting=True)
    form = DeclarationForm(
        request.POST if request.method == "POST" else None,
        items=items,
        members=members,
        entries=RegisterEntry.objects.current().filter(member__in=members).select_related("member"),
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["member"]
        member = next((m for m in members if m.pk == chosen), None)
        if member is None and chosen:
            member = User.objects.filter(pk=chosen).first()  # not on the board: the service says so
        try:
            _record(request, meeting, form, member, items)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Declaration recorded.")
            return redirect("interests:declarations", pk=meeting.pk)
    return _declaration_page(request, meeting, form, own=False)


@login_required
@require_POST
def declaration_remove(request, pk, declaration_pk):
    """Democratic services take off a declaration recorded in error."""
    if not services.may_record_declarations(request.user):
        raise Http404("No such meeting")
    declaration = get_object_or_404(Declaration.objects.select_related("item"), pk=declaration_pk, item__meeting_id=pk)
    try:
        services.declaration_remove(declaration=declaration, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The declaration by {declaration.member} is removed.")
    return redirect("interests:declarations", pk=pk)


@login_required
def meeting_declare(request, pk):
    """A member declares an interest in an item before the meeting."""
    meeting = get_meeting_for(request.user, pk)
    if not services.meeting_members(meeting).filter(pk=request.user.pk).exists():
        raise Http404("No such page")
    items = agenda.numbered_items(meeting)
    form = DeclarationForm(
        request.POST if request.method == "POST" else None,
        items=items,
        members=[],
        entries=request.user.register_entries.current().select_related("member"),
        own=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            _record(request, meeting, form, request.user, items)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Your declaration is recorded; the clerk will see it.")
            return redirect("interests:declare", pk=meeting.pk)
    return _declaration_page(request, meeting, form, own=True)
