"""Signing in: the sign-in page, and signing in with the council's account (OpenID Connect).

The council account's two steps are mozilla-django-oidc's views: the first sends the browser to the
identity provider with a fresh state, nonce and PKCE challenge kept in the session; the provider sends
it back to the callback, which checks the state and has accounts.oidc.CouncilAccountBackend exchange the
code and find the account. Every refusal is a page that says why (never a 500), and a line in the
audit log.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.shortcuts import render
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts.oidc import SignInRefused, endpoint, provider_settings
from accounts.passwords import may_use_password
from config.audit import audit

# Why a council sign-in was refused, and what to do about it ({provider} and {email} filled in).
REFUSALS = {
    "state": (
        "This sign-in could not be matched to this browser: it was started in another browser or window, "
        "took too long, or was already used.",
        "Start again from the sign-in page.",
    ),
    "cancelled": (
        "Signing in with {provider} was cancelled or refused there.",
        "Start again from the sign-in page, or ask your system administrator if it keeps happening.",
    ),
    "unavailable": (
        "{provider} cannot be reached just now, or did not answer as expected.",
        "Try again in a few minutes. If it keeps happening, tell your system administrator.",
    ),
    "token": (
        "{provider} did not complete the sign-in: it refused the request or answered with something we could not read.",
        "Start again from the sign-in page. If it keeps happening, tell your system administrator.",
    ),
    "audience": (
        "The identity token from {provider} was issued for a different application, so it cannot sign you in here.",
        "Tell your system administrator: the application's client ID may be set wrongly.",
    ),
    "issuer": (
        "The identity token was issued by a different identity provider from the one this site trusts.",
        "Tell your system administrator: the issuer may be set wrongly.",
    ),
    "expired": (
        "The identity token from {provider} had expired, or was dated in the future.",
        "Start again from the sign-in page. If it keeps happening, this server's clock or the "
        "provider's may be wrong: tell your system administrator.",
    ),
    "signature": (
        "The identity token's signature could not be verified with {provider}'s published keys.",
        "Start again from the sign-in page. If it keeps happening, tell your system administrator.",
    ),
    "nonce": (
        "The identity token was not issued for this sign-in.",
        "Start again from the sign-in page.",
    ),
    "no_email": (
        "{provider} did not give a confirmed email address for you, and accounts here are found by email address.",
        "Ask your system administrator.",
    ),
    "unknown": (
        "There is no account here for {email}. Signing in with {provider} does not make one.",
        "Ask an administrator of committee reports to add you with this email address.",
    ),
    "inactive": (
        "The account for {email} has been deactivated.",
        "If you still need it, ask an administrator of committee reports to reactivate it.",
    ),
    "ambiguous": (
        "More than one account here has the email address {email}, so we cannot tell which one is yours.",
        "Ask an administrator of committee reports to give each account its own email address.",
    ),
    "failed": (
        "Signing in with {provider} did not succeed.",
        "Start again from the sign-in page.",
    ),
}


def council_sign_in_refused(request, refusal):
    """The page for a refused council sign-in (403; 503 when the provider cannot be reached)."""
    audit("login_refused", request, method="council account", reason=refusal.reason, email=refusal.email)
    what, next_step = REFUSALS[refusal.reason]
    names = {"provider": settings.OIDC_PROVIDER_NAME, "email": refusal.email}
    context = {"what": what.format(**names), "next_step": next_step.format(**names)}
    status = 503 if refusal.reason == "unavailable" else 403
    return render(request, "registration/council_sign_in_refused.html", context, status=status)


class SignInView(auth_views.LoginView):
    """Django's sign-in page, offering the council's account when configured, a password when allowed."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            council_sign_in=settings.OIDC_ENABLED,
            provider_name=settings.OIDC_PROVIDER_NAME,
            password_sign_in=settings.PASSWORD_SIGN_IN,
            **kwargs,
        )


class PasswordsOnlyMixin:
    """A password page: 404 for someone who does not sign in with a password (PASSWORD_SIGN_IN off, not an
    administrator); Django's sign-in redirect first for someone not signed in."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_use_password(request.user):
            raise Http404("You sign in with your council account: there is no password to change here.")
        return super().dispatch(request, *args, **kwargs)


class PasswordChangeView(PasswordsOnlyMixin, auth_views.PasswordChangeView):
    """Django's change-password page, for those who sign in with a password."""


class PasswordChangeDoneView(PasswordsOnlyMixin, auth_views.PasswordChangeDoneView):
    """Django's "password changed" page, for those who sign in with a password."""


class CouncilSignInMixin:
    """Both steps: 404 while the council's account is not configured; a refusal is its page."""

    get_settings = staticmethod(provider_settings)

    def dispatch(self, request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404("Signing in with the council's account is not configured.")
        try:
            return super().dispatch(request, *args, **kwargs)
        except SignInRefused as refusal:
            return council_sign_in_refused(request, refusal)


class CouncilSignInStart(CouncilSignInMixin, OIDCAuthenticationRequestView):
    """Sends the browser to the identity provider (its address discovered when first needed)."""

    def __init__(self, **kwargs):
        # The library reads the endpoint here, where a provider that cannot be reached would be a 500.
        View.__init__(self, **kwargs)

    OIDC_OP_AUTH_ENDPOINT = property(lambda self: endpoint("OIDC_OP_AUTHORIZATION_ENDPOINT"))
    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)


class CouncilSignInCallback(CouncilSignInMixin, OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: the state checked, then the backend signs the person in."""

    def get(self, request):
        states = request.session.get("oidc_states")
        states = states if isinstance(states, dict) else {}
        state = request.GET.get("state", "")
        if request.GET.get("error"):
            # The provider's own refusal (the person cancelled, or was not allowed): the state is spent.
            if state in states:
                del states[state]
                request.session.modified = True
            raise SignInRefused("cancelled")
        if not request.GET.get("code") or state not in states:
            raise SignInRefused("state")
        return super().get(request)

    def login_failure(self):
        raise SignInRefused("failed")
