"""The public meeting page, served from a cache while what it shows is unchanged.

On the day an agenda is published, most of the people asking for a meeting page are members of
the public, and each of them is shown the same page. Rendering it costs several queries and a
template. So for visitors who are not signed in (and have no messages waiting) the rendered page
is kept in Django's cache under a key made from everything the page prints: the meeting and its
board, every agenda item with its report's state, exemption, "Report of" post and declarations of
interest, and every pack's build state. Any change to any of them gives a new key, whatever made the change (the services, the
admin, a pack build), so there is nothing to invalidate by hand.

Reading the key costs two small queries (and the connection's health check): more than half of
what a cached page costs. So the key itself is kept for RECHECK_SECONDS: a visitor sees a change
at most that long after it is saved (the clerk, signed in, sees it at once), and sooner when it
was saved through the ORM by the same process, which forgets the keys it knows (below). Page
entries expire after PUBLIC_PAGE_SECONDS, which bounds how stale the one thing the key cannot
hold, the pack's "built 5 minutes ago", can be.

Signed-in people never touch the cache: their pages differ (the agenda builder, the members'
pack, Part 2 links) and are always rendered for them. Only the page's body is kept; headers
(the Content Security Policy, cookies, Vary) are made afresh by the middleware on every request.
The default cache is per process (LocMemCache) unless CACHES says otherwise; either works.
"""

import functools
import hashlib

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse

from boards.models import AgendaItem, AgendaPack, Board, Meeting
from interests.models import Declaration
from reports.models import Post, Report

PUBLIC_PAGE_SECONDS = 60
RECHECK_SECONDS = 1

# Raised by any save or delete of what the page shows, in this process: the keys known before
# are then checked again at once (a new test's data, say, or the clerk's change on this worker).
_generation = [0]


def _forget_keys(**kwargs):
    _generation[0] += 1


for _model in (Meeting, AgendaItem, AgendaPack, Board, Report, Post, Declaration):
    post_save.connect(_forget_keys, sender=_model, dispatch_uid=f"public_cache_save_{_model.__name__}")
    post_delete.connect(_forget_keys, sender=_model, dispatch_uid=f"public_cache_delete_{_model.__name__}")


def meeting_page_key(pk):
    """A cache key for the public page of meeting `pk`, or None when it has no public page."""
    meeting = list(
        Meeting.objects.filter(pk=pk, agenda_published_at__isnull=False)
        .order_by("packs__edition")
        .values_list(
            "board__name", "board__slug", "starts_at", "venue", "status", "agenda_published_at", "agenda_version",
            "packs__edition", "packs__state", "packs__progress", "packs__file", "packs__page_count", "packs__size",
            "packs__built_at", "packs__supplement__number", "packs__revision",
        )
    )  # fmt: skip
    if not meeting:
        return None  # no such meeting, or not published: the view answers
    # An item with declarations comes once for each of them (a join, not a third query).
    items = list(
        AgendaItem.objects.filter(meeting_id=pk)
        .order_by("pk", "declarations__pk")
        .values_list(
            "pk", "position", "kind", "title", "description", "own_is_exempt", "own_exempt_paragraph", "report_id",
            "report__status", "report__is_exempt", "report__exempt_paragraphs", "report__report_of__title",
            "decision", "supplement__published_at", "declarations__pk", "declarations__member__first_name",
            "declarations__member__last_name", "declarations__kind", "declarations__nature",
            "declarations__conduct", "declarations__dispensation",
        )
    )  # fmt: skip
    digest = hashlib.blake2b(repr([meeting, items]).encode(), digest_size=16).hexdigest()
    return f"public-meeting-page:{pk}:{digest}"


def cached_for_visitors(key_for):
    """Serve the view's page from the cache to visitors not signed in, under `key_for(pk)`."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, pk, *args, **kwargs):
            if request.user.is_authenticated or len(get_messages(request)):
                return view(request, pk, *args, **kwargs)
            known = f"public-page-key:{_generation[0]}:{view.__module__}.{view.__name__}:{pk}"
            key = cache.get(known)
            if key is None:
                key = key_for(pk) or ""
                cache.set(known, key, RECHECK_SECONDS)
            if not key:
                return view(request, pk, *args, **kwargs)  # not a public page: the view answers
            content = cache.get(key)
            if content is not None:
                return HttpResponse(content)
            response = view(request, pk, *args, **kwargs)
            if response.status_code == 200 and not response.streaming and not response.cookies:
                cache.set(key, response.content, PUBLIC_PAGE_SECONDS)
            return response

        return wrapper

    return decorator
