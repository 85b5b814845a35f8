"""Security headers and the Content Security Policy, brute-force lockout, password rules, the idle
session timeout and the audit log."""

import base64
import hashlib
import logging
import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from config.middleware import editor_style_hash
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def csp(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    policy = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        policy[name] = sources
    return policy


def inline_scripts(html):
    """The bodies of <script> elements with no src that a browser would run or load as an import map."""
    found = []
    for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S | re.I):
        if "src=" in attrs or re.search(r'type="application/(ld\+)?json"', attrs):
            continue
        found.append((attrs.strip(), body))
    return found


def sha256_source(text):
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# Headers and CSP


def test_it_sends_the_security_headers(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = csp(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["style-src"] == ["'self'", editor_style_hash()]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert not any(source.startswith(("http:", "https:", "*")) for sources in policy.values() for source in sources)


def test_a_json_answer_has_the_strictest_policy_and_a_page_keeps_its_own(client, login, demo):
    """JSON is data, never a page (config.middleware.DATA_POLICY): it may load nothing and be framed by
    no one. The open data API, an autosave's answer, the reader's notes, and an error in JSON alike."""
    strict = {"default-src": ["'none'"], "frame-ancestors": ["'none'"]}
    for url in ("/api/v1/", "/api/v1/papers/", "/api/v1/papers/999999/"):
        answer = client.get(url)
        assert answer["Content-Type"].startswith("application/json"), url
        assert csp(answer) == strict, url
    login(demo.officer)
    draft = demo.draft
    autosave = client.post(
        f"/reports/{draft.pk}/edit/",
        {"_autosave": "1", "version": str(draft.version), "_changed": "summary", "summary": "Typed"},
        HTTP_ACCEPT="application/json",
    )
    assert autosave.status_code == 200 and autosave["Content-Type"] == "application/json"
    assert csp(autosave) == strict
    page = client.get(f"/reports/{draft.pk}/edit/")
    assert csp(page)["default-src"] == ["'self'"] and "script-src" in csp(page)


@pytest.mark.parametrize(
    "who, url",
    [
        (None, LOGIN),
        ("officer", "/"),
        ("officer", "/reports/new/"),
        ("officer", "/reports/{draft}/edit/"),
        ("officer", "/reports/{draft}/"),
        ("admin", "/admin/"),
        ("admin", "/admin/accounts/user/"),
        ("admin", "/admin/accounts/user/add/"),
        ("admin", "/admin/accounts/user/{officer}/change/"),
        ("admin", "/admin/reports/report/{draft}/change/"),
    ],
)
def test_it_has_no_inline_script_but_the_editor_import_map(client, demo, who, url):
    if who:
        client.force_login(demo.users[who])
    response = client.get(url.format(draft=demo.draft.pk, officer=demo.officer.pk))
    assert response.status_code == 200
    allowed = csp(response)["script-src"]
    for attrs, body in inline_scripts(response.content.decode()):
        assert attrs == 'type="importmap"', f"inline script on {url}: {attrs} {body[:80]}"
        assert sha256_source(body) in allowed, "the import map's hash is not in the policy"


def test_it_renders_the_editor_import_map_whose_hash_it_allows(login, demo):
    response = login(demo.officer).get("/reports/new/")
    scripts = inline_scripts(response.content.decode())
    assert [attrs for attrs, _ in scripts] == ['type="importmap"']
    assert sha256_source(scripts[0][1]) in csp(response)["script-src"]


def test_it_finds_the_css_the_editor_injects():
    # None would mean a django-prose-editor release changed how Tiptap's base CSS is shipped:
    # the editor would then collapse spaces under the policy (see config/middleware.py).
    assert editor_style_hash().startswith("'sha256-")


def test_it_does_not_allow_another_import_map(login, demo):
    response = login(demo.officer).get("/reports/new/")
    assert sha256_source('{"imports": {"evil": "https://attacker.example/x.js"}}') not in csp(response)["script-src"]


# Brute-force lockout


@pytest.fixture
def axes_on(settings):
    """Lockout as in production (the test settings turn it off so that client.login() works)."""
    settings.AXES_ENABLED = True
    return settings


def sign_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR="203.0.113.9")


def test_it_locks_an_account_after_five_failed_sign_ins(client, demo, axes_on):
    for _ in range(4):
        response = sign_in(client, "officer", "wrong password")
        assert response.status_code == 200
        assert "did not match" in response.content.decode()
    response = sign_in(client, "officer", "wrong password")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Sign-in is paused for this account" in html
    assert "5 unsuccessful attempts" in html and "30 minutes" in html
    assert "contact your system administrator" in html
    # The right password does not help while the lockout lasts, and nothing is signed in.
    response = sign_in(client, "officer", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_it_lets_the_account_in_again_after_thirty_minutes(client, demo, axes_on):
    for _ in range(5):
        sign_in(client, "officer", "wrong password")
    assert sign_in(client, "officer", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=29))
    assert sign_in(client, "officer", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    response = sign_in(client, "officer", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(demo.officer.pk)


def test_it_locks_only_the_account_under_attack(client, demo, axes_on):
    for _ in range(5):
        sign_in(client, "officer", "wrong password")
    # Same address, another person: council offices share addresses.
    assert sign_in(client, "finance", PASSWORD).status_code == 302


def test_it_counts_only_failures_in_a_row(client, demo, axes_on):
    for _ in range(4):
        sign_in(client, "officer", "wrong password")
    assert sign_in(client, "officer", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert sign_in(client, "officer", "wrong password").status_code == 200


def test_it_locks_the_admin_sign_in_too(client, demo, axes_on):
    for _ in range(5):
        response = client.post("/admin/login/", {"username": "admin", "password": "nope", "next": "/admin/"})
    assert response.status_code == 429
    assert client.post("/admin/login/", {"username": "admin", "password": PASSWORD}).status_code == 429


def test_it_keeps_the_test_clients_login_and_force_login_working(client, demo):
    assert client.login(username="officer", password=PASSWORD)
    assert client.get("/").status_code == 200
    client.logout()
    client.force_login(demo.clerk)
    assert client.get("/").status_code == 200


def test_it_signs_out_only_by_post(login, demo):
    client = login(demo.officer)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/").status_code == 200


# Passwords and sessions


@pytest.mark.parametrize(
    "password, message",
    [
        ("Tr0ub4dor&3", "at least 12 characters"),
        ("password1234", "too common"),
        ("qwertyuiop123", "too common"),
        ("394857203948", "entirely numeric"),
    ],
)
def test_it_refuses_weak_passwords(db, password, message):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert any(message in text for text in refused.value.messages)


def test_it_accepts_a_long_uncommon_password(db):
    validate_password("grey heron over the Mersey")


@pytest.mark.parametrize("password", ["Committee2026", "aaaaaaaaaaaa"])
def test_it_refuses_a_password_that_is_easy_to_guess_and_says_why(demo, password):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=demo.officer)
    said = " ".join(refused.value.messages)
    assert "This password is too easy to guess: someone with a copy of the password store could find it in" in said
    assert "Add another word or two" in said or "easy to guess" in said.split(":", 1)[1]


def test_it_says_what_is_wrong_with_a_repeated_password(db):
    with pytest.raises(ValidationError) as refused:
        validate_password("aaaaaaaaaaaa")
    assert 'Repeats like "aaa" are easy to guess.' in " ".join(refused.value.messages)


def test_it_refuses_the_demo_password_as_a_new_password_but_the_demo_users_sign_in_with_it(client, demo):
    # load_demo sets the published demo password directly, past the validators; no one can choose it.
    with pytest.raises(ValidationError):
        validate_password(PASSWORD)
    response = client.post(LOGIN, {"username": "officer", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_it_refuses_an_easy_password_when_changing_it(login, demo):
    client = login(demo.officer)
    data = {"old_password": PASSWORD, "new_password1": "Committee2026", "new_password2": "Committee2026"}
    response = client.post("/accounts/password_change/", data)
    assert response.status_code == 200
    assert "too easy to guess" in response.content.decode()
    demo.officer.refresh_from_db()
    assert demo.officer.check_password(PASSWORD)


def test_it_refuses_a_weak_password_in_the_admin(login, demo):
    client = login(demo.admin)
    page = client.get("/admin/accounts/user/add/").content.decode()
    # Whatever inline formsets the page has, posted empty.
    data = dict(
        re.findall(
            r'<input type="hidden" name="([\w-]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)"[^>]*value="(\d+)"', page
        )
    )
    data |= {
        "username": "newofficer",
        "usable_password": "true",
        "password1": "password1234",
        "password2": "password1234",
    }
    response = client.post("/admin/accounts/user/add/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This password is too common." in html
    assert not User.objects.filter(username="newofficer").exists()
    data["password1"] = data["password2"] = "grey heron over the Mersey"
    assert client.post("/admin/accounts/user/add/", data).status_code == 302
    assert User.objects.get(username="newofficer").check_password("grey heron over the Mersey")


def test_it_signs_out_after_an_hour_idle(login, demo, settings):
    assert settings.SESSION_COOKIE_AGE == 60 * 60 and settings.SESSION_REFRESH_SECONDS == 60
    client = login(demo.officer)
    response = client.get("/")
    assert response.status_code == 200 and "sessionid" not in response.cookies, "signing in started its minute"
    session = Session.objects.get(session_key=client.session.session_key)
    assert abs((session.expire_date - timezone.now()) - timedelta(hours=1)) < timedelta(minutes=1)

    # Use moves the expiry on: it is an idle timeout, not a fixed one. Within a minute of the last
    # move the session is not written again (nor its cookie sent); after it, it is.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=5))
    response = client.get("/reports/")
    assert response.status_code == 200 and "sessionid" not in response.cookies
    session.refresh_from_db()
    assert session.expire_date < timezone.now() + timedelta(minutes=6)
    stored = client.session
    stored["_refreshed"] -= 61
    stored.save()
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=5))
    response = client.get("/reports/")
    assert response.cookies["sessionid"]["max-age"] == 3600
    session.refresh_from_db()
    assert session.expire_date > timezone.now() + timedelta(minutes=59)

    # An hour without a request and the session is gone.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/reports/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


# The audit log


def audit_records(caplog):
    return [r for r in caplog.records if r.name == "audit"]


def test_it_logs_sign_ins_failures_lockouts_and_sign_outs(client, demo, axes_on, caplog):
    caplog.set_level(logging.INFO, logger="audit")
    sign_in(client, "officer", PASSWORD)
    client.post("/accounts/logout/", REMOTE_ADDR="203.0.113.9")
    for _ in range(5):
        sign_in(client, "finance", "wrong password")
    events = [(r.event, r.getMessage()) for r in audit_records(caplog)]
    assert events[0] == ("login", 'login ip="203.0.113.9" user="officer"')
    assert events[1] == ("logout", 'logout ip="203.0.113.9" user="officer"')
    assert events[2] == ("login_failed", 'login_failed ip="203.0.113.9" username="finance"')
    assert [e for e, _ in events].count("login_failed") == 5
    assert ("login_locked_out", 'login_locked_out ip="203.0.113.9" username="finance"') in events
    assert "wrong password" not in caplog.text


def test_it_logs_a_refused_report_with_who_asked(login, demo, caplog):
    caplog.set_level(logging.INFO, logger="audit")
    client = login(demo.outsider)
    caplog.clear()
    assert client.get(f"/reports/{demo.draft.pk}/", REMOTE_ADDR="198.51.100.7").status_code == 404
    assert client.post(f"/reports/{demo.draft.pk}/appendices/", {"title": "x"}).status_code == 404
    assert client.get("/meetings/999999/").status_code == 404
    records = audit_records(caplog)
    assert [r.event for r in records] == ["access_refused"] * 3
    assert records[0].getMessage() == (
        f'access_refused ip="198.51.100.7" user="outsider" method="GET" path="/reports/{demo.draft.pk}/" status="404"'
    )
    assert records[1].audit_method == "POST" and records[1].audit_user == "outsider"
    assert records[2].audit_path == "/meetings/999999/"


def test_it_logs_a_refused_public_paper(client, db, caplog):
    caplog.set_level(logging.INFO, logger="audit")
    assert client.get("/papers/999999/").status_code == 404
    (record,) = audit_records(caplog)
    assert record.audit_user == "anonymous" and record.audit_path == "/papers/999999/"


def test_it_does_not_log_allowed_access(login, demo, caplog):
    client = login(demo.officer)
    caplog.set_level(logging.INFO, logger="audit")
    caplog.clear()
    assert client.get(f"/reports/{demo.draft.pk}/").status_code == 200
    assert audit_records(caplog) == []


def test_it_keeps_one_event_on_one_line(client, demo, caplog):
    caplog.set_level(logging.INFO, logger="audit")
    sign_in(client, 'officer"\nlogin ip="1.2.3.4" user="admin', "x")
    (record,) = audit_records(caplog)
    assert "\n" not in record.getMessage()
    assert record.getMessage().startswith('login_failed ip="203.0.113.9" username="officer\\"\\nlogin')


def test_it_takes_the_address_the_load_balancer_saw(client, demo, caplog, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    caplog.set_level(logging.INFO, logger="audit")
    sign_in_through_proxy = client.post(
        LOGIN,
        {"username": "officer", "password": "x"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.44",  # the client wrote the first, our proxy the last
    )
    assert sign_in_through_proxy.status_code == 200
    assert audit_records(caplog)[0].audit_ip == "192.0.2.44"


def test_it_strips_control_characters_from_everything_posted(login, demo):
    from tests.editor import editor_data

    client = login(demo.officer)
    data = editor_data(
        version=demo.draft.version, subject="Bell\x07 and\nnull\x00 subject", summary="Tab\tand\x01 line\nkept"
    )
    client.post(f"/reports/{demo.draft.pk}/edit/", data)
    demo.draft.refresh_from_db()
    assert demo.draft.subject == "Bell and null subject"  # one line, no control characters
    assert demo.draft.summary == "Tab\tand line\nkept"


# Caching


def signed_in_urls(demo):
    """Pages, files, refusals and redirects a signed-in person meets, public pages included."""
    from boards.models import AgendaPack
    from tests.test_public import build_packs

    build_packs(demo.meeting)
    assert AgendaPack.objects.filter(meeting=demo.meeting, state=AgendaPack.State.READY).count() == 3
    return [
        "/",
        "/reports/",
        f"/reports/{demo.seed.pk}/",
        f"/reports/{demo.seed.pk}/pdf/",
        f"/reports/{demo.draft.pk}/edit/",
        f"/meetings/{demo.meeting.pk}/",
        f"/meetings/{demo.meeting.pk}/pack.pdf",
        f"/meetings/{demo.meeting.pk}/members-pack.pdf",
        f"/papers/{demo.seed.pk}/",
        f"/papers/{demo.seed.pk}/pdf/",
        "/public/",
        "/forward-plan/",
        "/feeds/agendas.rss",
        "/api/v1/",
        "/reports/999999/",
        "/accounts/login/",
    ]


def test_it_tells_every_cache_not_to_keep_what_a_signed_in_person_sees(login, demo):
    urls = signed_in_urls(demo)
    for user in (demo.member, demo.clerk, demo.officer):
        client = login(user)
        for url in urls:
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
            assert response["Cache-Control"] == "private, no-store", (user.username, url, response.status_code)


def test_it_keeps_the_public_caching_for_visitors(client, demo):
    signed_in_urls(demo)
    response = client.get(f"/papers/{demo.seed.pk}/pdf/")
    assert response["Cache-Control"] == "public, max-age=300"
    response = client.get(f"/meetings/{demo.meeting.pk}/pack.pdf")
    b"".join(response.streaming_content)
    assert response["Cache-Control"].startswith("public")
