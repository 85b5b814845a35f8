"""Sign in with the council's account, against a real OpenID Connect provider run here.

The provider is oidc-provider-mock (Authlib's authorization server in a small Flask app), served on
localhost from a thread: the test follows the redirect to it over HTTP, answers its sign-in and consent
form, follows its redirect back to the callback with Django's test client, and the app exchanges the
code at the provider's token endpoint, fetches its keys and checks the signed identity token, all over
real HTTP. Nothing in the app is mocked.

Providers: `provider` as configured in a council; `expired_provider`, whose tokens are issued already
expired (its token lifetime set to minus an hour); `other_application`, the same provider seen through a
client registration mix-up, which issues its codes and tokens to another application (it rewrites the
client id it is given), so its tokens are properly signed but for another audience.
"""

import io
import logging
import threading
import uuid
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import oidc_provider_mock
import pytest
import werkzeug.serving
from django.contrib.auth import SESSION_KEY
from django.test import Client

from accounts.models import User
from accounts.oidc import CouncilAccountBackend, SignInRefused
from tests.test_settings import PRODUCTION, run

CLIENT_ID = "committee-reports"
START = "/accounts/oidc/start/"
CALLBACK = "/accounts/oidc/callback/"
LOGIN = "/accounts/login/"


@contextmanager
def serve(app):
    """Serve a WSGI app on a free localhost port from a thread, for the duration of the block."""
    server = werkzeug.serving.make_server("localhost", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class ForAnotherApplication:
    """WSGI middleware: the provider is told, at its authorization and token endpoints, that the client
    is "another-application", so the codes and identity tokens it issues are another application's."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ["PATH_INFO"] == "/oauth2/authorize":
            environ["QUERY_STRING"] = self._rewritten(environ["QUERY_STRING"])
        if environ["PATH_INFO"] == "/oauth2/token":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)).decode()
            body = self._rewritten(body).encode()
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)

    @staticmethod
    def _rewritten(query):
        fields = parse_qs(query, keep_blank_values=True)
        fields["client_id"] = ["another-application"]
        return urlencode(fields, doseq=True)


@pytest.fixture(scope="module")
def provider():
    with serve(oidc_provider_mock.app(require_nonce=True)) as url:
        yield url


@pytest.fixture(scope="module")
def expired_provider():
    with serve(oidc_provider_mock.app(access_token_max_age=timedelta(hours=-1))) as url:
        yield url


@pytest.fixture(scope="module")
def other_application():
    app = oidc_provider_mock.app()
    app.wsgi_app = ForAnotherApplication(app.wsgi_app)
    with serve(app) as url:
        yield url


def configure(settings, issuer, **more):
    """The app set up as README's "Sign in with the council's account" says, for this issuer."""
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = "a client secret"
    settings.OIDC_OP_ISSUER = issuer
    settings.OIDC_PROVIDER_NAME = "your Sefton Council account"
    for name, value in more.items():
        setattr(settings, name, value)


@pytest.fixture
def council(settings, provider):
    configure(settings, provider)
    return provider


def person(provider, email, **claims):
    """A person at the identity provider with these claims; their subject identifier."""
    sub = str(uuid.uuid4())
    answer = httpx.put(f"{provider}/users/{sub}", json={**({"email": email} if email else {}), **claims})
    assert answer.status_code == 204
    return sub


def at_provider(client, sub, next_url=None):
    """Start signing in, sign in and consent at the provider; the provider's redirect back to the app."""
    response = client.get(START + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302
    authorize = response["Location"]
    query = parse_qs(urlparse(authorize).query)
    assert query["client_id"] == [CLIENT_ID] and query["response_type"] == ["code"]
    assert query["redirect_uri"] == ["http://testserver" + CALLBACK]
    assert {"state", "nonce", "code_challenge"} <= query.keys()
    page = httpx.get(authorize)  # the provider's sign-in and consent form
    assert page.status_code == 200 and "Authorize" in page.text
    answer = httpx.post(authorize, data={"sub": sub})
    assert answer.status_code == 302, answer.text
    back = answer.headers["location"]
    assert back.startswith("http://testserver" + CALLBACK + "?")
    return back.removeprefix("http://testserver")


def sign_in(client, sub, next_url=None):
    """The whole flow; the app's answer to the provider's redirect back."""
    return client.get(at_provider(client, sub, next_url))


def officer(email="eleanor.moulton@sefton.gov.uk", **fields):
    return User.objects.create_user(
        fields.pop("username", "eleanor"), email=email, first_name="Eleanor", last_name="Moulton", **fields
    )


def signed_in_as(client):
    return client.session.get(SESSION_KEY)


def audit_lines(caplog):
    return [record.getMessage() for record in caplog.records if record.name == "audit"]


def refused(response, status=403):
    assert response.status_code == status
    html = response.content.decode()
    assert "You could not be signed in" in html
    return " ".join(html.split())


# The whole flow ----------------------------------------------------------------------------------


def test_it_signs_in_the_account_with_the_email_address_end_to_end(db, council, caplog):
    eleanor = officer(is_author=True)
    sub = person(
        council,
        "Eleanor.Moulton@Sefton.gov.uk",  # another case than the account's
        name="Someone Else",
        roles=["Administrator"],
        groups=["Democratic services"],
    )
    client = Client()
    with caplog.at_level(logging.INFO, logger="audit"):
        response = sign_in(client, sub, next_url="/reports/")
    assert response.status_code == 302 and response["Location"] == "/reports/"
    assert signed_in_as(client) == str(eleanor.pk)
    assert client.get("/reports/").status_code == 200
    assert 'login ip="127.0.0.1" user="eleanor"' in audit_lines(caplog)
    # The provider's word made no account and gave no role, nor changed the name.
    assert User.objects.count() == 1
    eleanor.refresh_from_db()
    assert (eleanor.first_name, eleanor.is_superuser, eleanor.is_staff, eleanor.is_democratic_services) == (
        "Eleanor",
        False,
        False,
        False,
    )
    assert eleanor.last_login is not None


def test_it_offers_the_council_account_on_the_sign_in_page(db, council):
    html = Client().get(LOGIN + "?next=/reports/").content.decode()
    assert f'href="{START}?next=/reports/"' in html
    assert "Sign in with your Sefton Council account" in html
    assert 'name="password"' in html  # passwords stay on unless turned off


def test_it_discovers_the_endpoints_from_the_issuer(db, council):
    response = Client().get(START)
    assert response["Location"].startswith(council + "/oauth2/authorize?")


# Refusals: a page that says why, nobody signed in, nothing changed ---------------------------------


def test_it_refuses_an_email_address_no_account_has(db, council, caplog):
    officer()
    client = Client()
    with caplog.at_level(logging.INFO, logger="audit"):
        response = sign_in(client, person(council, "stranger@sefton.gov.uk", roles=["Administrator"]))
    html = refused(response)
    assert "There is no account here for stranger@sefton.gov.uk" in html
    assert "Ask an administrator of committee reports to add you with this email address" in html
    assert signed_in_as(client) is None
    assert list(User.objects.values_list("username", flat=True)) == ["eleanor"]
    assert (
        'login_refused ip="127.0.0.1" method="council account" reason="unknown" email="stranger@sefton.gov.uk"'
        in audit_lines(caplog)
    )


def test_it_refuses_a_deactivated_account(db, council):
    officer(is_active=False)
    client = Client()
    html = refused(sign_in(client, person(council, "eleanor.moulton@sefton.gov.uk")))
    assert "The account for eleanor.moulton@sefton.gov.uk has been deactivated" in html
    assert signed_in_as(client) is None
    assert User.objects.get().last_login is None


def test_it_refuses_when_several_accounts_have_the_email_address(db, council):
    officer()
    officer(email="ELEANOR.MOULTON@sefton.gov.uk", username="eleanor2")
    client = Client()
    html = refused(sign_in(client, person(council, "eleanor.moulton@sefton.gov.uk")))
    assert "More than one account here has the email address eleanor.moulton@sefton.gov.uk" in html
    assert signed_in_as(client) is None
    assert User.objects.filter(last_login__isnull=False).count() == 0


def test_it_refuses_a_person_the_provider_gives_no_email_address(db, council):
    officer(email="")  # an account with no email address is never anyone's match
    client = Client()
    html = refused(sign_in(client, person(council, None, name="Eleanor Moulton")))
    assert "did not give a confirmed email address for you" in html
    assert signed_in_as(client) is None


def test_it_refuses_an_email_address_the_provider_has_not_verified(db, council):
    officer()
    client = Client()
    html = refused(sign_in(client, person(council, "eleanor.moulton@sefton.gov.uk", email_verified=False)))
    assert "did not give a confirmed email address" in html
    assert signed_in_as(client) is None


def test_it_refuses_an_identity_token_for_another_audience(db, settings, other_application):
    configure(settings, other_application)
    officer()
    client = Client()
    html = refused(sign_in(client, person(other_application, "eleanor.moulton@sefton.gov.uk")))
    assert "was issued for a different application" in html
    assert signed_in_as(client) is None
    assert User.objects.get().last_login is None


def test_it_refuses_an_expired_identity_token(db, settings, expired_provider):
    configure(settings, expired_provider)
    officer()
    client = Client()
    html = refused(sign_in(client, person(expired_provider, "eleanor.moulton@sefton.gov.uk")))
    assert "had expired" in html
    assert signed_in_as(client) is None


def test_it_refuses_an_identity_token_signed_with_another_key(db, settings, provider, expired_provider):
    # The keys published at another provider's address: the token's signature does not verify with them.
    configure(settings, provider, OIDC_OP_JWKS_ENDPOINT=f"{expired_provider}/jwks")
    officer()
    client = Client()
    html = refused(sign_in(client, person(provider, "eleanor.moulton@sefton.gov.uk")))
    assert "signature could not be verified" in html
    assert signed_in_as(client) is None


def test_it_refuses_a_token_from_another_issuer(db, settings, provider, expired_provider):
    # Endpoints set one by one at one provider, the issuer trusted another's.
    configure(
        settings,
        expired_provider,
        OIDC_OP_AUTHORIZATION_ENDPOINT=f"{provider}/oauth2/authorize",
        OIDC_OP_TOKEN_ENDPOINT=f"{provider}/oauth2/token",
        OIDC_OP_JWKS_ENDPOINT=f"{provider}/jwks",
    )
    officer()
    html = refused(sign_in(Client(), person(provider, "eleanor.moulton@sefton.gov.uk")))
    assert "issued by a different identity provider" in html


def test_it_refuses_a_state_this_browser_did_not_start(db, council):
    officer()
    client = Client()
    back = at_provider(client, person(council, "eleanor.moulton@sefton.gov.uk"))
    html = refused(client.get(back.replace("state=", "state=x")))
    assert "could not be matched to this browser" in html
    # Another browser, with the right state: not its sign-in either.
    refused(Client().get(back))
    assert signed_in_as(client) is None


def test_it_refuses_the_same_answer_twice(db, council):
    officer()
    client = Client()
    back = at_provider(client, person(council, "eleanor.moulton@sefton.gov.uk"))
    assert client.get(back).status_code == 302
    eleanor = signed_in_as(client)
    html = refused(client.get(back))
    assert "already used" in html
    assert signed_in_as(client) == eleanor  # a refused replay changes nothing


def test_it_says_so_when_the_person_cancels_at_the_provider(db, council):
    client = Client()
    response = client.get(START)
    answer = httpx.post(response["Location"], data={"action": "deny"})
    back = answer.headers["location"]
    assert "error=access_denied" in back
    html = refused(client.get(back.removeprefix("http://testserver")))
    assert "was cancelled or refused there" in html
    assert signed_in_as(client) is None


def test_it_says_so_when_the_provider_cannot_be_reached(db, settings):
    with serve(oidc_provider_mock.app()) as gone:
        pass
    configure(settings, gone, OIDC_TIMEOUT=2)
    html = refused(Client().get(START), status=503)
    assert "cannot be reached just now" in html


def test_it_reads_the_email_address_from_userinfo_when_the_token_has_none(db, council):
    """Entra ID puts the email address in the identity token only when asked to: userinfo gives it."""
    sub = person(council, "eleanor.moulton@sefton.gov.uk")
    code = parse_qs(urlparse(httpx.post(authorize_url(council), data={"sub": sub}).headers["location"]).query)
    tokens = httpx.post(
        f"{council}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code["code"][0],
            "client_id": CLIENT_ID,
            "client_secret": "s",
            "redirect_uri": "http://testserver" + CALLBACK,
        },
    ).json()
    backend = CouncilAccountBackend()
    claims = backend.with_userinfo({"sub": sub}, tokens["access_token"])
    assert claims["email"] == "eleanor.moulton@sefton.gov.uk"
    # Userinfo about someone else does not count.
    with pytest.raises(SignInRefused) as refusal:
        backend.with_userinfo({"sub": "someone-else"}, tokens["access_token"])
    assert refusal.value.reason == "token"


def authorize_url(provider):
    query = {
        "response_type": "code",
        "scope": "openid email",
        "client_id": CLIENT_ID,
        "redirect_uri": "http://testserver" + CALLBACK,
        "state": "s",
        "nonce": "n",
    }
    return f"{provider}/oauth2/authorize?{urlencode(query)}"


# Off, and passwords off --------------------------------------------------------------------------


def test_it_is_off_until_configured(db, client):
    assert client.get(START).status_code == 404
    assert client.get(CALLBACK + "?code=x&state=y").status_code == 404
    html = client.get(LOGIN).content.decode()
    assert "oidc" not in html and 'name="password"' in html


def test_turning_passwords_off_leaves_them_to_administrators(db, council, settings):
    settings.PASSWORD_SIGN_IN = False
    officer(password="a long password of words")
    User.objects.create_superuser("root", email="root@sefton.gov.uk", password="a long password of words")
    client = Client()
    html = " ".join(client.get(LOGIN).content.decode().split())
    assert "Sign in with your Sefton Council account" in html
    assert "<summary>Administrators: sign in with a password</summary>" in html
    response = client.post(LOGIN, {"username": "eleanor", "password": "a long password of words"})
    assert response.status_code == 200
    assert "only administrators sign in with a password here" in response.content.decode()
    assert signed_in_as(client) is None
    response = client.post(LOGIN, {"username": "root", "password": "a long password of words"})
    assert response.status_code == 302
    assert signed_in_as(client) == str(User.objects.get(username="root").pk)
    # The council account still signs the officer in.
    assert sign_in(Client(), person(council, "eleanor.moulton@sefton.gov.uk")).status_code == 302


def test_turning_passwords_off_ends_password_sessions_but_the_administrators(db, settings):
    eleanor = officer(password="a long password of words")
    root = User.objects.create_superuser("root", email="root@sefton.gov.uk", password="a long password of words")
    theirs, ours = Client(), Client()
    assert theirs.login(username="eleanor", password="a long password of words")
    assert ours.login(username="root", password="a long password of words")
    settings.PASSWORD_SIGN_IN = False
    assert theirs.get("/reports/").status_code == 302  # sent to sign in
    assert ours.get("/reports/").status_code == 200
    assert eleanor.pk != root.pk


def test_a_deactivated_account_is_signed_out_of_its_council_session(db, council):
    eleanor = officer()
    client = Client()
    assert sign_in(client, person(council, "eleanor.moulton@sefton.gov.uk")).status_code == 302
    assert client.get("/reports/").status_code == 200
    eleanor.is_active = False
    eleanor.save()
    assert client.get("/reports/").status_code == 302


def test_both_steps_from_outside(db, council):
    """Configured: a POST to either step is refused and changes nothing; a callback no sign-in started
    is refused for the visitor and for someone signed in, who stays who they were."""
    outsider = User.objects.create_user("outsider", email="outsider@sefton.gov.uk")
    visitor, signed_in = Client(), Client()
    signed_in.force_login(outsider)
    last_login = User.objects.get().last_login
    for client in (visitor, signed_in):
        assert client.post(START).status_code == 405
        assert client.post(CALLBACK + "?code=x&state=y").status_code == 405
        refused(client.get(CALLBACK + "?code=x&state=y"))
        refused(client.get(CALLBACK))
    assert signed_in_as(visitor) is None
    assert signed_in_as(signed_in) == str(outsider.pk)
    assert list(User.objects.values_list("last_login", flat=True)) == [last_login]


# Configured from the environment -------------------------------------------------------------------

ENTRA = {
    "OIDC_CLIENT_ID": "6731de76-14a6-49ae-97bc-6eba6914391e",
    "OIDC_CLIENT_SECRET": "a client secret",
    "OIDC_ISSUER": "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
    "OIDC_PROVIDER_NAME": "your Sefton Council account",
}


def test_it_is_configured_from_the_environment_and_passes_the_deployment_check():
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.OIDC_ENABLED, s.OIDC_RP_CLIENT_ID, s.OIDC_OP_ISSUER, s.PASSWORD_SIGN_IN, "
        "s.OIDC_PROVIDER_NAME]))"
    )
    result = run("-c", script, **PRODUCTION, **ENTRA, PASSWORD_SIGN_IN="off")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        '[true, "6731de76-14a6-49ae-97bc-6eba6914391e", '
        '"https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0", false, '
        '"your Sefton Council account"]'
    )
    result = run("manage.py", "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, **ENTRA)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"OIDC_CLIENT_SECRET": ""}, "OIDC_CLIENT_SECRET must be set when OIDC_CLIENT_ID is"),
        ({"OIDC_ISSUER": ""}, "OIDC_CLIENT_ID needs OIDC_ISSUER, or OIDC_AUTHORIZATION_ENDPOINT"),
        ({"OIDC_ISSUER": "http://login.example.gov.uk"}, "OIDC_ISSUER must be an https:// address"),
        ({"OIDC_SIGN_ALGO": "HS256"}, "OIDC_SIGN_ALGO must be RS256/384/512 or ES256/384/512"),
        ({"OIDC_SCOPES": "email profile"}, "OIDC_SCOPES must include openid"),
        ({"OIDC_CLIENT_ID": ""}, "OIDC_CLIENT_ID must be set to sign in with the council's account"),
        ({"OIDC_CLIENT_ID": "", "OIDC_ISSUER": "", "PASSWORD_SIGN_IN": "off"}, "PASSWORD_SIGN_IN can be off only"),
    ],
)
def test_it_refuses_to_start_half_configured(overrides, message):
    result = run("-c", "import config.settings", **(PRODUCTION | ENTRA | overrides))
    assert result.returncode == 1
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


# Invitations and password pages with passwords off (issue 17) ------------------------------------------


def invite(by, email="new.officer@sefton.gov.uk"):
    """`by` invites an officer (the email goes once the caller's commit callbacks run)."""
    from accounts import services as people

    return people.user_invite(by=by, email=email, first_name="Nia", last_name="New")


def invitation_path(user):
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from accounts import services as people

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"/accounts/invitation/{uid}/{people.invitation_tokens.make_token(user)}/"


def test_with_passwords_off_the_invitation_sends_to_the_council_sign_in_and_sets_no_password(
    db, council, settings, django_capture_on_commit_callbacks
):
    from django.core import mail

    settings.PASSWORD_SIGN_IN = False
    root = User.objects.create_superuser("root", email="root@sefton.gov.uk", password="a long password of words")
    with django_capture_on_commit_callbacks(execute=True):
        nia = invite(root)
    body = mail.outbox[-1].body
    assert "There is no password to choose: sign in with your Sefton Council account" in body
    assert "/accounts/invitation/" not in body and "Choose your password" not in body
    client = Client()
    page = client.get(invitation_path(nia))
    html = " ".join(page.content.decode().split())
    assert page.status_code == 200
    assert f'href="{START}"' in html and "Sign in with your Sefton Council account" in html
    assert 'name="new_password1"' not in html
    # A password posted anyway is refused and sets nothing.
    posted = client.post(
        invitation_path(nia), {"new_password1": "a long password of words", "new_password2": "a long password of words"}
    )
    assert posted.status_code == 405
    nia.refresh_from_db()
    assert not nia.has_usable_password()
    # Their page says how they sign in, not that a password is still to be chosen.
    admin = Client()
    admin.force_login(root)
    page = " ".join(admin.get(f"/people/{nia.pk}/").content.decode().split())
    assert "they sign in with the council account (invited; not signed in yet)" in page
    assert "Not set yet" not in page
    # The button signs them in with the council account, matched by the invitation's email address.
    assert sign_in(client, person(council, "new.officer@sefton.gov.uk")).status_code == 302
    assert signed_in_as(client) == str(nia.pk)
    page = " ".join(admin.get(f"/people/{nia.pk}/").content.decode().split())
    assert "None: they sign in with the council account</dd>" in page


def test_with_passwords_off_the_service_refuses_to_set_a_password(db, council, settings):
    from accounts import services as people

    settings.PASSWORD_SIGN_IN = False
    root = User.objects.create_superuser("root", email="root@sefton.gov.uk", password="a long password of words")
    nia = invite(root)
    token = people.invitation_tokens.make_token(nia)
    with pytest.raises(people.PeopleRefused, match="no password to choose"):
        people.invitation_accept(user=nia, token=token, password="a long password of words")
    nia.refresh_from_db()
    assert not nia.has_usable_password()


def test_with_passwords_on_the_invitation_still_asks_for_a_password(db, council, django_capture_on_commit_callbacks):
    from django.core import mail

    root = User.objects.create_superuser("root", email="root@sefton.gov.uk", password="a long password of words")
    with django_capture_on_commit_callbacks(execute=True):
        nia = invite(root)
    assert "Choose your password by following this link" in mail.outbox[-1].body
    html = Client().get(invitation_path(nia)).content.decode()
    assert 'name="new_password1"' in html and "Choose your password" in html


def test_with_passwords_off_password_change_is_not_found_nor_linked_but_for_administrators(db, council, settings):
    settings.PASSWORD_SIGN_IN = False
    eleanor = officer()
    root = User.objects.create_superuser("root", email="root@sefton.gov.uk", password="a long password of words")
    theirs, ours = Client(), Client()
    assert sign_in(theirs, person(council, "eleanor.moulton@sefton.gov.uk")).status_code == 302
    ours.force_login(root)
    for path in ("/accounts/password_change/", "/accounts/password_change/done/"):
        assert theirs.get(path).status_code == 404
        assert ours.get(path).status_code == 200
    assert theirs.post("/accounts/password_change/", {"old_password": "x", "new_password1": "y"}).status_code == 404
    account = theirs.get("/my/account/").content.decode()
    assert "/accounts/password_change/" not in account
    assert "You sign in with your Sefton Council account" in account
    assert "/accounts/password_change/" in ours.get("/my/account/").content.decode()
    assert eleanor.pk
    # Not signed in: the sign-in page first, as before.
    assert Client().get("/accounts/password_change/").status_code == 302


def test_with_passwords_on_everyone_may_change_their_password(db, council):
    eleanor = officer(password="a long password of words")
    client = Client()
    client.force_login(eleanor)
    assert client.get("/accounts/password_change/").status_code == 200
    assert "/accounts/password_change/" in client.get("/my/account/").content.decode()
