"""The audit log: who signed in, who failed to, who was locked out, who signed out, and who was
refused a report or meeting (config/middleware.py). Everything goes to the `audit` logger, one
line per event, with the event's fields also on the log record for structured handlers.

User-supplied values (a typed username, a path) are written JSON-quoted, so a newline or a quote
in them cannot forge a second log line.
"""

import json
import logging

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

log = logging.getLogger("audit")

_MAX_VALUE = 200


def client_ip(request):
    """The client's address: REMOTE_ADDR, or behind the load balancer (BEHIND_PROXY) the address it saw.

    The last X-Forwarded-For entry is the one our own proxy appended; earlier ones come from the
    client and can say anything.
    """
    if request is None:
        return ""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if last := forwarded.rsplit(",", 1)[-1].strip():
            return last[:_MAX_VALUE]
    return request.META.get("REMOTE_ADDR", "")


def _quote(value):
    return json.dumps(str(value)[:_MAX_VALUE])


def audit(event, request=None, **fields):
    """Log one audit event with the client's address and the given fields (values are quoted)."""
    fields = {"ip": client_ip(request), **fields}
    text = " ".join(f"{name}={_quote(value)}" for name, value in fields.items())
    log.info("%s %s", event, text, extra={"event": event, **{f"audit_{k}": v for k, v in fields.items()}})


def user_label(user):
    """The username, or "anonymous"."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous"
    return user.get_username()


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit("login", request, user=user.get_username())


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; only the typed username is kept.
    audit("login_failed", request, username=credentials.get("username", ""))


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    audit("login_locked_out", request, username=username or "")


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    audit("logout", request, user=user_label(user))
