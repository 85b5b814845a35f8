"""The page shown when sign-in is refused because of too many failed attempts (django-axes)."""

from axes.helpers import get_client_username
from django.conf import settings
from django.shortcuts import render


def lockout_response(request, original_response=None, credentials=None):
    """A plain-words page (HTTP 429) saying what happened, how long it lasts and who can help."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "username": get_client_username(request, credentials) or "",
    }
    return render(request, "registration/locked_out.html", context, status=429)
