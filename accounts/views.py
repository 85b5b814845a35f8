"""People and roles (administrators; democratic services for councillors), the invitation's set-password
page, and each person's own account page, where a post holder names a stand-in."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import services
from accounts.forms import ROLE_HELP, InviteForm, RolesForm, StandInForm
from accounts.models import StandIn, User
from accounts.passwords import may_use_password
from accounts.services import PeopleRefused
from boards.models import Membership
from config.forms import refuse_beside

PER_PAGE = 50


def with_roles(people):
    """`people` with everything User.roles reads, in a fixed number of queries however many there are."""
    return people.prefetch_related(
        "consultee_kinds",
        "posts",
        Prefetch(
            "memberships", queryset=Membership.objects.current().select_related("board"), to_attr="current_memberships"
        ),
        Prefetch(
            "stand_ins",
            queryset=StandIn.objects.in_force().select_related("post", "holder"),
            to_attr="stand_ins_in_force",
        ),
    ).select_related("councillor")


def _require_people_manager(user):
    # Their screens only: anyone else is not told they exist.
    if not services.may_manage_people(user):
        raise Http404("No such page")


def get_person_for(user, pk):
    """The account `pk` if `user` may manage it (administrators: anyone; democratic services: councillors), else 404."""
    _require_people_manager(user)
    return get_object_or_404(with_roles(services.manageable_people(user)), pk=pk)


@login_required
@require_safe
def people_list(request):
    """Everyone `request.user` manages, with their roles in words; found by name, user name or email."""
    _require_people_manager(request.user)
    people = services.manageable_people(request.user)
    query = request.GET.get("q", "").strip()[:100]
    if query:
        people = people.filter(
            Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(username__icontains=query)
            | Q(email__icontains=query)
        )
    show = request.GET.get("show", "active")
    if show not in {"active", "deactivated"}:
        show = "active"
    people = people.filter(is_active=show == "active")
    page = Paginator(with_roles(people).order_by("last_name", "first_name", "username"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "query": query, "show": show, "councillors_only": not request.user.is_superuser}
    return render(request, "accounts/people_list.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def person_new(request):
    """Add someone by email: they are sent a link to choose their own password."""
    _require_people_manager(request.user)
    councillors_only = not request.user.is_superuser
    form = InviteForm(request.POST if request.method == "POST" else None, councillors_only=councillors_only)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.user_invite(
                by=request.user,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                job_title=data["job_title"],
                username=data["username"],
                councillor=councillors_only or data["councillor"],
            )
        except PeopleRefused as refusal:
            refuse_beside(form, refusal)
        else:
            if settings.PASSWORD_SIGN_IN:
                sent = (
                    f"an invitation to {person.email} to choose a password "
                    f"(the link works for {services.INVITATION_DAYS} days)"
                )
            else:
                sent = f"an email to {person.email} telling them to sign in with {settings.OIDC_PROVIDER_NAME}"
            messages.success(request, f"{person} has been sent {sent}. Their user name is {person.username}.")
            return redirect("accounts:person", person.pk)
    status = 400 if form.is_bound else 200
    context = {"form": form, "councillors_only": councillors_only}
    return render(request, "accounts/person_new.html", context, status=status)


def _person_page(request, person, *, roles_form=None, status=200):
    may_set_roles = request.user.is_superuser
    if may_set_roles and roles_form is None:
        roles_form = RolesForm(initial=RolesForm.initial_for(person))
    context = {
        "person": person,
        "roles_form": roles_form if may_set_roles else None,
        "memberships": person.current_memberships,
        "board_member_help": ROLE_HELP["board_member"],
        "stand_ins": person.stand_ins_in_force,
        "events": person.person_events.select_related("actor"),
        "invited": not person.has_usable_password() and person.person_events.filter(action="invited").exists(),
        "invitation_days": services.INVITATION_DAYS,
        "uses_password": may_use_password(person),
    }
    return render(request, "accounts/person_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def person_detail(request, pk):
    """A person's account, their roles in words and their history; administrators change the roles here."""
    person = get_person_for(request.user, pk)
    if request.method != "POST":
        return _person_page(request, person)
    if not request.user.is_superuser:
        raise Http404("No such page")
    form = RolesForm(request.POST)
    if form.is_valid():
        try:
            services.user_set_roles(user=person, by=request.user, **form.cleaned_data)
        except PeopleRefused as refusal:
            refuse_beside(form, refusal)
        else:
            messages.success(request, f"{person}'s roles are saved.")
            return redirect("accounts:person", person.pk)
    return _person_page(request, person, roles_form=form, status=400)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def person_deactivate(request, pk):
    """Ask, then stop the person signing in; everything they did stays on record."""
    person = get_person_for(request.user, pk)
    error, status = "", 200
    if request.method == "POST":
        try:
            services.user_deactivate(user=person, by=request.user)
        except PeopleRefused as refusal:
            error, status = str(refusal), 409
        else:
            messages.success(request, f"{person} is deactivated: they can no longer sign in.")
            return redirect("accounts:person", person.pk)
    elif not person.is_active:
        messages.info(request, f"{person} is already deactivated.")
        return redirect("accounts:person", person.pk)
    context = {"person": person, "error": error, "self": person.pk == request.user.pk}
    return render(request, "accounts/person_deactivate.html", context, status=status)


@login_required
@require_POST
def person_reactivate(request, pk):
    """Let a deactivated person sign in again."""
    person = get_person_for(request.user, pk)
    try:
        services.user_reactivate(user=person, by=request.user)
    except PeopleRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"{person} can sign in again.")
    return redirect("accounts:person", person.pk)


@login_required
@require_POST
def person_invite_again(request, pk):
    """Send a new invitation link to someone who has not set a password; earlier links stop working."""
    person = get_person_for(request.user, pk)
    try:
        services.user_invite_again(user=person, by=request.user)
    except PeopleRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request, f"A new invitation has been sent to {person.email}; the links sent before no longer work."
        )
    return redirect("accounts:person", person.pk)


# The invitation's link -----------------------------------------------------------------------------------


def _invited_user(uidb64):
    try:
        return User.objects.filter(pk=int(force_str(urlsafe_base64_decode(uidb64)))).first()
    except (TypeError, ValueError, OverflowError):
        return None


@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request, uidb64, token):
    """The invited person chooses their password, or (PASSWORD_SIGN_IN off) is shown how to sign in with
    their council account. A used, replaced or expired link says so, and how to get another."""
    user = _invited_user(uidb64)
    state = services.invitation_tokens.state(user, token) if user is not None else "invalid"
    if state != "valid" or not user.is_active:
        used = state == "invalid" and user is not None and user.has_usable_password()
        context = {"state": "used" if used else state, "days": services.INVITATION_DAYS}
        return render(request, "accounts/invitation_refused.html", context, status=410 if state == "expired" else 404)
    if not may_use_password(user):
        # Council sign-in only: no password to choose; the invitation points to the council's sign-in.
        if request.method == "POST":
            return HttpResponseNotAllowed(["GET", "HEAD"])
        context = {"person": user, "provider_name": settings.OIDC_PROVIDER_NAME}
        return render(request, "accounts/invitation_council.html", context)
    form = SetPasswordForm(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(user=user, token=token, password=form.cleaned_data["new_password1"])
        except PeopleRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"Your password is set. Sign in with your user name, {user.username}.")
            return redirect("login")
    status = 400 if form.is_bound else 200
    return render(request, "accounts/invitation.html", {"form": form, "person": user}, status=status)


# My account: roles, and a post holder's stand-ins ------------------------------------------------------


def _account_page(request, *, form=None, status=200):
    user = request.user
    posts = list(user.posts.all())
    if posts and form is None:
        form = StandInForm(holder=user)
    named = StandIn.objects.filter(holder=user, ended_at__isnull=True).select_related("post", "deputy")
    context = {
        "posts": posts,
        "form": form if posts else None,
        "roles": with_roles(User.objects.filter(pk=user.pk)).get().roles,
        "named": [s for s in named if s.ends_on >= timezone.localdate()],
        "standing_in": user.stand_ins.in_force().select_related("post", "holder"),
        "uses_password": may_use_password(user),
        "provider_name": settings.OIDC_PROVIDER_NAME,
    }
    return render(request, "accounts/my_account.html", context, status=status)


@login_required
@require_safe
def my_account(request):
    """Your roles in words, your password, and, for a post holder, who stands in for them."""
    return _account_page(request)


@login_required
@require_POST
def stand_in_new(request):
    """A post holder names a deputy for dates."""
    if not request.user.posts.exists():
        raise Http404("No such page")
    form = StandInForm(request.POST, holder=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            stand_in = services.stand_in_name(by=request.user, **data)
        except PeopleRefused as refusal:
            refuse_beside(form, refusal)
        else:
            messages.success(
                request,
                f"{stand_in.deputy} stands in for you as {stand_in.post} from {stand_in.starts_on:%-d %B %Y} "
                f"to {stand_in.ends_on:%-d %B %Y}. They have been told by email.",
            )
            return redirect("accounts:my_account")
    return _account_page(request, form=form, status=400)


@login_required
@require_POST
def stand_in_end(request, pk):
    """The holder ends a stand-in they named."""
    stand_in = get_object_or_404(StandIn, pk=pk, holder=request.user)
    try:
        services.stand_in_end(stand_in=stand_in, by=request.user)
    except PeopleRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"{stand_in.deputy} no longer stands in for you.")
    return redirect("accounts:my_account")
