"""Security middleware: the Content Security Policy, the request size cap, unreadable bodies, control
characters, the audit of refused access and no caching of what a signed-in person sees."""

import base64
import functools
import hashlib
import logging
import re
import time
from pathlib import Path

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.dispatch import receiver
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.datastructures import MultiValueDict
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.defaults import bad_request

from config.audit import audit, user_label

log = logging.getLogger(__name__)

# Refused access under these is written to the audit log: a 404 from `get_report_for` and the
# like, and the public site's report pages (an exempt or unpublished report is a 404 there).
AUDITED_PREFIXES = ("/reports/", "/meetings/", "/papers/")


def _sha256_source(text):
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@functools.cache
def editor_importmap_hash():
    """The CSP source for the rich-text editor's inline import map: its SHA-256 hash.

    django-prose-editor renders `<script type="importmap">` inline (browsers load import maps
    no other way), always with the same content for a given set of static files. Allowing
    exactly that content by its hash keeps every other inline script refused, and needs no
    nonce threaded through the views. The hash is taken from the package's own object, so a new
    release or new static file names change it with them.
    """
    from django_prose_editor.widgets import importmap

    html = str(importmap.render())
    return _sha256_source(html[html.index(">") + 1 : html.rindex("</script>")])


@functools.cache
def editor_style_hash():
    """The CSP source for the base CSS that the editor (Tiptap) injects as a `<style>` element.

    The CSS is a fixed string inside the package's editor.js: its hash is taken from that file,
    so it follows upgrades. Without it the editor collapses spaces as you type. None if the
    string cannot be found (a release that no longer injects it).
    """
    from django.contrib.staticfiles import finders

    path = finders.find("django_prose_editor/editor.js")
    source = Path(path).read_text(encoding="utf-8") if path else ""
    marker = source.find(".ProseMirror {")
    start, end = source.rfind("`", 0, marker), source.find("`", marker)
    if marker < 0 or start < 0 or end < 0 or "${" in source[start:end] or "\\" in source[start:end]:
        log.warning("The rich-text editor's injected CSS was not found; the CSP will refuse it")
        return None
    return _sha256_source(source[start + 1 : end])


# A JSON answer (an autosave's, the open data API's, the reader's notes) is data, never a page: it
# loads nothing and may be framed by no one (OWASP's REST Security Cheat Sheet).
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy from settings.CONTENT_SECURITY_POLICY, plus the editor's two inline hashes;
    DATA_POLICY for JSON, without building the pages' policy (issue 21: a tenth of an autosave's CPU)."""

    def process_response(self, request, response):
        if (
            response.get("Content-Type", "").startswith("application/json")
            and "Content-Security-Policy" not in response
        ):
            response["Content-Security-Policy"] = DATA_POLICY
            return response
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only:
            return parts
        try:
            sources = {"script-src": editor_importmap_hash(), "style-src": editor_style_hash()}
        except ValueError:
            # A static file missing from the manifest: the editor page fails on its own; the rest works.
            log.exception("Could not hash the editor's import map for the Content Security Policy")
            return parts
        update = dict(parts.update or {})
        for directive, source in sources.items():
            if source:
                update[directive] = [*update.get(directive, []), source]
        parts.update = update
        return parts


class IdleTimeoutMiddleware:
    """Move a signed-in session's expiry on as it is used, so that SESSION_COOKIE_AGE is an idle
    timeout, but write the session at most once every SESSION_REFRESH_SECONDS rather than on every
    request. Inside SessionMiddleware, which saves a session marked modified on the way out."""

    KEY = "_refreshed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.session_key is None:
            return response  # no session cookie: nothing to keep alive
        last = session.get(self.KEY, 0)  # loads the session, which forgets its key if it has expired
        now = int(time.time())
        if session.session_key is not None and (session.modified or now - last >= settings.SESSION_REFRESH_SECONDS):
            session[self.KEY] = now
        return response


@receiver(user_logged_in, dispatch_uid="idle_timeout_fresh_session")
def _fresh_session(sender, request, user, **kwargs):
    """A new session starts its idle minute now, so the request after signing in writes nothing."""
    if getattr(request, "session", None) is not None:
        request.session[IdleTimeoutMiddleware.KEY] = int(time.time())


class RequestSizeLimitMiddleware:
    """Refuse a request whose body is larger than REQUEST_MAX_BYTES (413), without reading any of it.

    The Content-Length is what the server will pass on, so the check is exact; a body without
    one (chunked) reaches Django empty. Files a little over the appendix limit are let through so
    that the upload form can say so next to its field and keep the title typed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BYTES:
            log.warning("Refused a %s-byte request to %s", length, request.path)
            return self.too_large(request, length)
        return self.get_response(request)

    def too_large(self, request, length):
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = "/"
        context = {"size_mb": length / 1024 / 1024, "max_mb": settings.APPENDIX_MAX_MB, "back": back}
        return render(request, "413.html", context, status=413)


class AuditRefusedAccessMiddleware:
    """Write every 403 or 404 on a report or meeting URL to the audit log, with who asked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (403, 404) and request.path_info.startswith(AUDITED_PREFIXES):
            audit(
                "access_refused",
                request,
                user=user_label(getattr(request, "user", None)),
                method=request.method,
                path=request.get_full_path(),
                status=response.status_code,
            )
        return response


# C0 control characters other than tab, line feed and carriage return: no one types them, XML (the
# feeds) and email headers cannot carry them, and PostgreSQL refuses NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class StripControlCharactersMiddleware:
    """Remove control characters from every posted form value before any view reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type in {
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        }:
            posted = request.POST
            if any(_CONTROL.search(value) for values in posted.lists() for value in values[1]):
                cleaned = posted.copy()
                for key, values in posted.lists():
                    cleaned.setlist(key, [_CONTROL.sub("", value) for value in values])
                cleaned._mutable = False
                request.POST = cleaned
        return self.get_response(request)


def keeps_fields_of_unreadable_upload(view):
    """Mark an upload view: a file part Django cannot read (a 1,000-character file name makes its
    header too long) reaches the view without the file, with the fields read before it kept and
    `request.unreadable_upload` set, so that its form can say so by the file field."""
    view.keeps_fields_of_unreadable_upload = True
    return view


def _parse_keeping_fields(request, meta, post_data):
    """Django's multipart parse, except that a failure keeps the fields read before it."""
    parser = MultiPartParser(meta, post_data, request.upload_handlers, request.encoding)
    try:
        return parser.parse()
    except MultiPartParserError as exc:
        read = getattr(parser, "_post", None)
        if not read:
            raise
        request.unreadable_upload = str(exc)
        kept = read.copy()
        kept._mutable = False
        return kept, MultiValueDict()


class UnreadableBodyMiddleware:
    """Read every POST's form data before anything else does; answer 400 with the site's page when it
    cannot be read.

    Django refuses a form sent in another character set than UTF-8 (`charset=latin-1`), too many
    fields or a broken multipart body. With DEBUG on, its error page then reads the body again and
    fails with a bare 500; here the refusal is the same page whatever DEBUG says.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST":
            if request.content_type == "multipart/form-data" and self._view_keeps_fields(request):
                request.parse_file_upload = functools.partial(_parse_keeping_fields, request)
            try:
                request.POST  # noqa: B018 - parsed here, once, so that a failure is answered here
            except (BadRequest, SuspiciousOperation, MultiPartParserError) as exc:
                request._mark_post_parse_error()  # as Django's own handler does: nothing reads it again
                log.warning("Refused an unreadable %s body to %s: %s", request.content_type, request.path, exc)
                return bad_request(request, exc)
        return self.get_response(request)

    @staticmethod
    def _view_keeps_fields(request):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return getattr(match.func, "keeps_fields_of_unreadable_upload", False)


class PrivateNoStoreMiddleware:
    """Every response to a signed-in person says `Cache-Control: private, no-store`.

    Their pages (exempt reports above all) and files must not be kept by a shared cache or on a
    shared computer's disk. Responses to visitors keep whatever caching their view chose.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Signed in when the request came (signing out) or when it leaves (signing in).
        signed_in = settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated
        response = self.get_response(request)
        if signed_in or request.user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
        return response
