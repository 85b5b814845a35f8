"""Sign in with the council's account: OpenID Connect's authorization-code flow.

mozilla-django-oidc runs the flow (the state, nonce and PKCE kept in the session, the redirect to the
provider, the code exchanged at its token endpoint); this module checks what comes back and finds the
account. The library (5.0) leaves the identity token's audience and issuer unchecked, and an expired
token or one without a key id (`kid`) was a server error there, so the token is checked here with PyJWT:
signature by the provider's published keys, issuer, audience (and `azp`), expiry, issue time, nonce.

A person is matched by email address, in any case, to one existing account that is active. No account
is created and nothing about one is changed from the provider's word: its roles are the
administrators' to give. Any refusal is a `SignInRefused` with a reason the callback shows in plain words.
"""

import logging

import jwt
import requests
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts.models import User
from config.auth import signed_in_user

log = logging.getLogger(__name__)

DISCOVERY_CACHE_SECONDS = 3600

# Where each endpoint comes from: the setting that names it, else this key of the discovery document.
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


class SignInRefused(Exception):
    """The council's sign-in did not give one active account: `reason` says why, `email` whose it was."""

    def __init__(self, reason, email=""):
        super().__init__(reason)
        self.reason = reason
        self.email = email


def _get_json(url):
    """GET a provider's JSON document; an unreachable provider or a bad answer is a refusal, `unavailable`."""
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError):
        raise SignInRefused("unavailable") from None


def discovery():
    """The issuer's discovery document (kept for an hour), or {} when the endpoints are set one by one."""
    issuer = settings.OIDC_OP_ISSUER
    if not issuer:
        return {}
    key = f"oidc-discovery:{issuer}"
    document = cache.get(key)
    if document is None:
        document = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
        # The document must be the issuer's own (OpenID Connect Discovery 1.0, section 4.3).
        found = document.get("issuer") if isinstance(document, dict) else None
        if str(found).rstrip("/") != issuer.rstrip("/"):
            log.warning("The discovery document's issuer is %r, not OIDC_ISSUER %r", found, issuer)
            raise SignInRefused("unavailable")
        if not all(
            isinstance(document.get(name), str) for name in ("authorization_endpoint", "token_endpoint", "jwks_uri")
        ):
            log.warning("The discovery document of %r lacks an endpoint", issuer)
            raise SignInRefused("unavailable")
        cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return document


def endpoint(setting):
    """The provider's endpoint for a setting in ENDPOINTS: set in the environment, else discovered."""
    return getattr(settings, setting) or str(discovery().get(ENDPOINTS[setting], ""))


def provider_settings(attr, *args):
    """mozilla-django-oidc's `get_settings`, with the endpoints resolved through discovery."""
    if attr in ENDPOINTS:
        return endpoint(attr)
    return getattr(settings, attr, *args)


class CouncilAccountBackend(OIDCAuthenticationBackend):
    """Signs in the one active account whose email the council's identity provider vouches for.

    Only the callback calls it (with a nonce): a password sign-in never reaches it. A failed attempt
    raises SignInRefused rather than returning None, so Django sends no `user_login_failed` and
    django-axes records no failure for an empty username.
    """

    get_settings = staticmethod(provider_settings)

    def __init__(self, *args, **kwargs):
        # The library reads every endpoint here; Django makes a backend for each sign-in and for each
        # request of a signed-in person, so they are read only when a sign-in needs them.
        self.UserModel = User

    # Read by the library's get_token, which posts the code to the provider.
    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: endpoint("OIDC_OP_TOKEN_ENDPOINT"))

    def authenticate(self, request, *, nonce, code_verifier):
        """Exchange the callback's code for tokens, check the identity token and return its account."""
        if not settings.OIDC_ENABLED or request is None or not request.GET.get("code"):
            return None
        self.request = request
        payload = {
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "client_secret": settings.OIDC_RP_CLIENT_SECRET,
            "grant_type": "authorization_code",
            "code": request.GET["code"],
            "redirect_uri": request.build_absolute_uri(reverse(settings.OIDC_AUTHENTICATION_CALLBACK_URL)),
        }
        if code_verifier is not None:
            payload["code_verifier"] = code_verifier
        try:
            tokens = self.get_token(payload)
        except requests.HTTPError:
            raise SignInRefused("token") from None
        except (requests.RequestException, ValueError):
            raise SignInRefused("unavailable") from None
        if not isinstance(tokens, dict) or not isinstance(tokens.get("id_token"), str):
            raise SignInRefused("token")
        claims = self.verify_token(tokens["id_token"], nonce=nonce)
        claims = self.with_userinfo(claims, tokens.get("access_token"))
        return account_for(claims)

    def verify_token(self, token, **kwargs):
        """The identity token's claims, once its signature, issuer, audience, times and nonce are right."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise SignInRefused("token") from None
        key = self.signing_key(header)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[settings.OIDC_RP_SIGN_ALGO],
                audience=settings.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER or None,
                leeway=settings.OIDC_LEEWAY_SECONDS,
                options={"require": ["iss", "sub", "aud", "exp", "iat"]},
            )
        except (jwt.ExpiredSignatureError, jwt.ImmatureSignatureError):
            raise SignInRefused("expired") from None
        except jwt.InvalidAudienceError:
            raise SignInRefused("audience") from None
        except jwt.InvalidIssuerError:
            raise SignInRefused("issuer") from None
        except (jwt.InvalidSignatureError, jwt.InvalidAlgorithmError):
            raise SignInRefused("signature") from None
        except jwt.InvalidTokenError:
            raise SignInRefused("token") from None
        # A token for several audiences names the one it was given to (OpenID Connect Core 3.1.3.7).
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != settings.OIDC_RP_CLIENT_ID:
            raise SignInRefused("audience")
        if claims.get("nonce") != kwargs.get("nonce"):
            raise SignInRefused("nonce")
        return claims

    def signing_key(self, header):
        """The provider's published key that signed the token: by its key id, or its only signing key."""
        algorithm = settings.OIDC_RP_SIGN_ALGO
        if header.get("alg") != algorithm:
            raise SignInRefused("signature")
        document = _get_json(endpoint("OIDC_OP_JWKS_ENDPOINT"))
        keys = document.get("keys") if isinstance(document, dict) else None
        if not isinstance(keys, list):
            raise SignInRefused("unavailable")
        kty = "RSA" if algorithm.startswith("RS") else "EC"
        keys = [
            k
            for k in keys
            if isinstance(k, dict)
            and k.get("kty") == kty
            and k.get("use", "sig") == "sig"
            and k.get("alg", algorithm) == algorithm
            and (not header.get("kid") or k.get("kid") == header["kid"])
        ]
        if len(keys) != 1:
            raise SignInRefused("signature")
        try:
            return jwt.PyJWK(keys[0], algorithm=algorithm)
        except jwt.PyJWTError:
            raise SignInRefused("signature") from None

    def with_userinfo(self, claims, access_token):
        """The token's claims, with the userinfo endpoint's added when the token has no email address.

        The userinfo answer counts only if it is about the same person (OpenID Connect Core 5.3.4).
        """
        url = endpoint("OIDC_OP_USER_ENDPOINT")
        if claims.get(settings.OIDC_EMAIL_CLAIM) or not url or not access_token:
            return claims
        try:
            response = requests.get(
                url, headers={"Authorization": f"Bearer {access_token}"}, timeout=settings.OIDC_TIMEOUT
            )
            response.raise_for_status()
            info = response.json()
        except (requests.RequestException, ValueError):
            raise SignInRefused("unavailable") from None
        if not isinstance(info, dict) or info.get("sub") != claims["sub"]:
            raise SignInRefused("token")
        return {**info, **claims}

    def get_user(self, user_id):
        """The signed-in person on each request, while their account is active (the library's skips that)."""
        user = signed_in_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def account_for(claims):
    """The one account, active, with the email address the provider vouches for, in any case."""
    email = claims.get(settings.OIDC_EMAIL_CLAIM)
    email = email.strip() if isinstance(email, str) else ""
    if not email or (settings.OIDC_EMAIL_CLAIM == "email" and claims.get("email_verified") is False):
        raise SignInRefused("no_email")
    accounts = list(User.objects.filter(email__iexact=email)[:2])
    if not accounts:
        raise SignInRefused("unknown", email)
    if len(accounts) > 1:
        raise SignInRefused("ambiguous", email)
    if not accounts[0].is_active:
        raise SignInRefused("inactive", email)
    return accounts[0]
