"""People and roles: every change to a person's account, one function each, in one transaction.

Inviting someone (no password is ever handed over: they choose their own from a link that works
once and for INVITATION_DAYS days), their roles, deactivating and reactivating them, and the
stand-ins a post holder names to approve in their place. Each writes a PersonEvent (who did what,
when). A change that may not happen raises PeopleRefused, naming the form field it concerns, and
changes nothing. The roles that live on other records (a consultee kind's officers, a post's
holder) are written here too: this is the one module that says who holds which role.
"""

import logging
import re
from datetime import datetime
from functools import partial

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from accounts.models import PersonEvent, StandIn, User
from accounts.passwords import may_use_password
from members import services as members_services
from reports.models import ConsulteeKind, Post

log = logging.getLogger(__name__)

INVITATION_DAYS = 7


class PeopleRefused(Exception):
    """The change may not be made; `field` is the form field the reason belongs beside, if any."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


# Who may manage whom ---------------------------------------------------------------------------------


def may_manage_people(user):
    """Administrators manage everyone; democratic services, councillors."""
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.is_democratic_services))


def manageable_people(user):
    """The accounts `user` may see and manage on the People screens."""
    if not may_manage_people(user):
        return User.objects.none()
    if user.is_superuser:
        return User.objects.all()
    return User.objects.filter(councillor__isnull=False)


def _require_manager_of(by, person):
    if not manageable_people(by).filter(pk=person.pk).exists():
        raise PeopleRefused("You cannot change this person's account.")


def _record(user, actor, action, note=""):
    return PersonEvent.objects.create(user=user, actor=actor, action=action, note=note)


# The invitation ----------------------------------------------------------------------------------------


class InvitationTokens(PasswordResetTokenGenerator):
    """Tokens for the invitation's link: signed with the secret key, valid for INVITATION_DAYS days, and
    void once used (the hash reads the password, which setting one changes) or once the account is
    deactivated or invited again (which sets a new unusable password)."""

    key_salt = "accounts.services.InvitationTokens"

    def _make_hash_value(self, user, timestamp):
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"

    def state(self, user, token):
        """ "valid", "expired" (the right link, too old) or "invalid" (used, replaced, or never ours)."""
        try:
            ts_b36, _ = str(token).split("-")
            timestamp = base36_to_int(ts_b36)
        except ValueError:
            return "invalid"
        if user is None or not any(
            self._make_token_with_timestamp(user, timestamp, secret) == token
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return "invalid"
        if self._num_seconds(self._now()) - timestamp > INVITATION_DAYS * 24 * 3600:
            return "expired"
        return "valid"

    def _now(self):
        # The token's clock follows timezone.now(), so a test can move it.
        return timezone.now().replace(tzinfo=None)

    def _num_seconds(self, dt):
        return int((dt - datetime(2001, 1, 1)).total_seconds())


invitation_tokens = InvitationTokens()


def invitation_link(user):
    """The link that lets `user` set their own password (made afresh: each is valid INVITATION_DAYS days)."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = invitation_tokens.make_token(user)
    return settings.SITE_URL + reverse("accounts:invitation", args=[uidb64, token])


def send_invitation(user_id, invited_by_id):
    """Email the invitation to set a password (after the commit that invited them)."""
    user = User.objects.get(pk=user_id)
    invited_by = User.objects.filter(pk=invited_by_id).first()
    body = render_to_string(
        "emails/invitation.txt",
        {
            "user": user,
            "invited_by": invited_by,
            "link": invitation_link(user),
            "days": INVITATION_DAYS,
            "council_name": settings.COUNCIL_NAME,
            "login_url": settings.SITE_URL + reverse("login"),
            "password_sign_in": may_use_password(user),
            "provider_name": settings.OIDC_PROVIDER_NAME,
        },
    )
    message = EmailMessage(
        f"Your account for {settings.COUNCIL_NAME}'s committee reports",
        body,
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )
    try:
        return get_connection(timeout=settings.EMAIL_TIMEOUT or 10).send_messages([message])
    except OSError:
        log.exception("Could not send the invitation to user %s", user_id)
        return 0


USERNAME_CHARACTERS = re.compile(r"[^\w.@+-]")


def _username_from(email):
    """The part of the email before the @, made a valid and unused username (jo.bloggs, jo.bloggs2, ...)."""
    base = USERNAME_CHARACTERS.sub("", email.split("@")[0].lower())[:140] or "user"
    candidate, number = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}{number}"
    return candidate


def user_invite(*, by, email, first_name, last_name, job_title="", username="", councillor=False):
    """Make an account for a new person and email them a link to set their own password.

    Administrators invite anyone; democratic services, councillors only. The account has no roles
    until they are given (the role picker); a councillor's gets a members.Councillor record.
    """
    if not may_manage_people(by):
        raise PeopleRefused("Only administrators and democratic services can add people.")
    if not by.is_superuser and not councillor:
        raise PeopleRefused("Democratic services can add councillors only.", field="councillor")
    email = User.objects.normalize_email(email.strip())
    if User.objects.filter(email__iexact=email).exists():
        raise PeopleRefused(
            "Someone already has an account with this email address: find them in the list of people.",
            field="email",
        )
    username = username.strip()
    with transaction.atomic():
        if username and User.objects.filter(username__iexact=username).exists():
            raise PeopleRefused("This user name is taken: choose another, or leave it empty.", field="username")
        user = User(
            username=username or _username_from(email),
            email=email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            job_title=job_title.strip(),
        )
        user.set_unusable_password()
        user.save()
        if councillor:
            members_services.councillor_create(user=user)
        _record(user, by, "invited", f"Invited by email to {email}" + (" as a councillor" if councillor else ""))
        transaction.on_commit(partial(send_invitation, user.pk, by.pk), robust=True)
    return user


def user_invite_again(*, user, by):
    """Send a new invitation to someone who has not set a password yet; the links sent before stop working."""
    _require_manager_of(by, user)
    if not user.is_active:
        raise PeopleRefused("This account is deactivated: reactivate it first.")
    if user.has_usable_password():
        raise PeopleRefused("They have already set a password: they can sign in.")
    if not user.email:
        raise PeopleRefused("Their account has no email address to send the invitation to.")
    with transaction.atomic():
        user.set_unusable_password()  # a new unusable password voids the links sent before
        user.save(update_fields=["password"])
        _record(user, by, "invitation_sent", f"Sent again to {user.email}")
        transaction.on_commit(partial(send_invitation, user.pk, by.pk), robust=True)
    return user


def invitation_accept(*, user, token, password):
    """The invited person sets their password from the link (checked again here: the link works once)."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        state = invitation_tokens.state(locked, token)
        if state != "valid" or not locked.is_active:
            raise PeopleRefused("This link has been used already or has expired.")
        if not may_use_password(locked):
            raise PeopleRefused(f"There is no password to choose: sign in with {settings.OIDC_PROVIDER_NAME}.")
        locked.set_password(password)
        locked.save(update_fields=["password"])
        _record(locked, locked, "password_set")
    return locked


# Roles -------------------------------------------------------------------------------------------------


def user_set_roles(
    *,
    user,
    by,
    is_author,
    consultee_kinds,
    posts,
    is_democratic_services,
    is_monitoring_officer,
    is_superuser,
):
    """Give or take a person's roles (administrators only). A post held by someone else moves to them."""
    if not (by.is_authenticated and by.is_superuser):
        raise PeopleRefused("Only administrators can change people's roles.")
    if user.pk == by.pk and not is_superuser:
        raise PeopleRefused(
            "You cannot take away your own administrator role: ask another administrator.", field="is_superuser"
        )
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = set(locked.roles)
        moved = []
        locked.is_author = is_author
        locked.is_democratic_services = is_democratic_services
        locked.is_monitoring_officer = is_monitoring_officer
        if locked.is_superuser != is_superuser:
            locked.is_superuser = is_superuser
            locked.is_staff = is_superuser  # the Django admin goes with the role
        locked.save(
            update_fields=["is_author", "is_democratic_services", "is_monitoring_officer", "is_superuser", "is_staff"]
        )
        # The picker offers the kinds and posts in use: those retired since (reference lists) stay as they are,
        # so the reports made in a retired post's name can still be approved by its holder.
        retired_kinds = list(locked.consultee_kinds.filter(is_active=False))
        chosen_kinds = ConsulteeKind.objects.filter(pk__in=[k.pk for k in consultee_kinds], is_active=True)
        locked.consultee_kinds.set([*chosen_kinds, *retired_kinds])
        chosen = {post.pk for post in posts}
        for post in Post.objects.select_for_update().filter(holder=locked, is_active=True).exclude(pk__in=chosen):
            post.holder = None
            post.save(update_fields=["holder"])
        for post in Post.objects.select_for_update().filter(pk__in=chosen).exclude(holder=locked):
            if post.holder_id:
                moved.append(f"{post.title} moved from {post.holder}")
                _record(post.holder, by, "roles_changed", f"No longer: Approver: {post.title} (moved to {locked})")
            post.holder = locked
            post.save(update_fields=["holder"])
        after = set(User.objects.get(pk=locked.pk).roles)
        gained, lost = sorted(after - before), sorted(before - after)
        if gained or lost:
            note = "; ".join(
                part
                for part in (
                    "Now: " + ", ".join(gained) if gained else "",
                    "No longer: " + ", ".join(lost) if lost else "",
                    "; ".join(moved),
                )
                if part
            )
            _record(locked, by, "roles_changed", note)
    return locked


def post_set_holder(*, post, holder, by):
    """Name who holds a post (administrators only, from the reference lists' screen), or no one; the person
    it leaves and the person it goes to each have it in their history. A councillor cannot hold one."""
    if not (by.is_authenticated and by.is_superuser):
        raise PeopleRefused("Only administrators can name a post's holder.", field="holder")
    if holder is not None and (not holder.is_active or holder.is_councillor):
        raise PeopleRefused("Choose an officer whose account is in use.", field="holder")
    with transaction.atomic():
        locked = Post.objects.select_for_update(of=("self",)).select_related("holder").get(pk=post.pk)
        before = locked.holder
        if (before.pk if before else None) == (holder.pk if holder else None):
            return locked
        locked.holder = holder
        locked.save(update_fields=["holder"])
        if before is not None:
            moved = f" (moved to {holder})" if holder else ""
            _record(before, by, "roles_changed", f"No longer: Approver: {locked.title}{moved}")
        if holder is not None:
            moved = f"; {locked.title} moved from {before}" if before else ""
            _record(holder, by, "roles_changed", f"Now: Approver: {locked.title}{moved}")
    return locked


def user_deactivate(*, user, by):
    """Stop someone signing in. Their account, roles and everything they did stay on record."""
    _require_manager_of(by, user)
    if user.pk == by.pk:
        raise PeopleRefused("You cannot deactivate your own account.")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_active:
            raise PeopleRefused(f"{locked} is already deactivated.")
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        _record(locked, by, "deactivated")
    return locked


def user_reactivate(*, user, by):
    """Let a deactivated person sign in again."""
    _require_manager_of(by, user)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active:
            raise PeopleRefused(f"{locked} can already sign in.")
        locked.is_active = True
        locked.save(update_fields=["is_active"])
        _record(locked, by, "reactivated")
    return locked


# Stand-ins ---------------------------------------------------------------------------------------------


def _period(stand_in):
    return f"{stand_in.starts_on:%-d %B %Y} to {stand_in.ends_on:%-d %B %Y}"


def stand_in_name(*, post, deputy, starts_on, ends_on, by):
    """The holder of `post` names `deputy` to approve (and return) its reports in their place from
    `starts_on` to `ends_on` (both days included)."""
    if deputy is None:
        raise PeopleRefused("Choose who will stand in for you.", field="deputy")
    if deputy.pk == by.pk:
        raise PeopleRefused("Name someone else: you cannot stand in for yourself.", field="deputy")
    if not deputy.is_active:
        raise PeopleRefused(f"{deputy} cannot sign in (their account is deactivated).", field="deputy")
    if deputy.is_councillor:
        raise PeopleRefused("A councillor cannot approve officers' reports: name an officer.", field="deputy")
    if ends_on < starts_on:
        raise PeopleRefused("The last day comes before the first: put the dates the right way round.", field="ends_on")
    if ends_on < timezone.localdate():
        raise PeopleRefused("These dates have passed: a stand-in is for today or later.", field="ends_on")
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.holder_id != by.pk:
            raise PeopleRefused(f"You do not hold the post of {locked.title}.", field="post")
        overlapping = StandIn.objects.filter(
            post=locked, deputy=deputy, holder=by, ended_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on
        )
        if overlapping.exists():
            raise PeopleRefused(f"{deputy} already stands in for you on some of these days.", field="deputy")
        stand_in = StandIn.objects.create(post=locked, holder=by, deputy=deputy, starts_on=starts_on, ends_on=ends_on)
        _record(by, by, "stand_in_named", f"{deputy} stands in as {locked.title}, {_period(stand_in)}")
        _record(deputy, by, "stand_in_named", f"Stands in for {by} as {locked.title}, {_period(stand_in)}")
        transaction.on_commit(partial(_tell_deputy, stand_in.pk), robust=True)
    return stand_in


def _tell_deputy(stand_in_id):
    stand_in = StandIn.objects.select_related("post", "holder", "deputy").get(pk=stand_in_id)
    if not stand_in.deputy.email:
        return 0
    body = render_to_string(
        "emails/stand_in.txt",
        {"stand_in": stand_in, "link": settings.SITE_URL + reverse("home"), "council_name": settings.COUNCIL_NAME},
    )
    message = EmailMessage(
        f"You stand in for {stand_in.holder} ({stand_in.post})",
        body,
        settings.DEFAULT_FROM_EMAIL,
        [stand_in.deputy.email],
    )
    try:
        return get_connection(timeout=settings.EMAIL_TIMEOUT or 10).send_messages([message])
    except OSError:
        log.exception("Could not tell the deputy of stand-in %s", stand_in_id)
        return 0


def stand_in_end(*, stand_in, by):
    """The holder who named a stand-in ends it now (back early, or a change of plan); the row stays."""
    with transaction.atomic():
        locked = StandIn.objects.select_for_update().select_related("post", "deputy").get(pk=stand_in.pk)
        if locked.holder_id != by.pk:
            raise PeopleRefused("Only the post holder who named this stand-in can end it.")
        if locked.ended_at is not None or locked.ends_on < timezone.localdate():
            raise PeopleRefused("This stand-in has already ended.")
        locked.ended_at = timezone.now()
        locked.save(update_fields=["ended_at"])
        _record(by, by, "stand_in_ended", f"{locked.deputy} no longer stands in as {locked.post.title}")
        _record(locked.deputy, by, "stand_in_ended", f"No longer stands in for {by} as {locked.post.title}")
    return locked
