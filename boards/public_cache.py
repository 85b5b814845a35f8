"""The public meeting page, served from a cache while what it shows is unchanged.

On the day an agenda is published, most of the people asking for a meeting page are members of
the public, and each of them is shown the same page. Rendering it costs several queries and a
template. So for visitors who are not signed in (and have no messages waiting) the rendered page
is kept in Django's cache under a key made from everything the page prints: the meeting and its
board, every agenda item with its report's state, exemption, "Report of" post and declarations of
interest, every pack's build state, the attendance once recorded (members/) and the votes
(votes/). Any change to any of them gives a new key, whatever made the change (the services, the
admin, a pack build), so there is nothing to invalidate by hand.

Reading the key costs three small queries (and the connection's health check): more than half of
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
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Length
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone

from accounts.models import StandIn, User
from actions.models import Action, ActionUpdate
from boards.models import AgendaItem, AgendaPack, Board, Council, Meeting, Membership, Supplement
from decisions.models import Notice
from interests.models import Declaration, RegisterChange, RegisterEntry
from members.models import Apology, Attendance, Councillor, OtherAttendee, Party
from minutes.models import Minutes
from officer_decisions.models import OfficerDecision
from reports.models import Appendix, ConsulteeKind, Post, Recommendation, Report, ReportEvent, Section, SignOff
from votes.models import Amendment, MemberVote, Motion

PUBLIC_PAGE_SECONDS = 60
RECHECK_SECONDS = 1

# Raised by any save or delete of what the pages show, in this process: the keys known before
# are then checked again at once (a new test's data, say, or the clerk's change on this worker).
# Signed-in search shows drafts too, and follows every such change (_search_generation); the
# public pages follow all but an unpublished report's drafting (_generation), so an officer's
# autosave, several a second across a council on publication day, does not have every public
# page's key read again on its worker (issue 21: the public stamps were a third of the server's
# CPU at 1,000 users). Either way a change made elsewhere is seen within RECHECK_SECONDS.
_generation = [0]
_search_generation = [0]

# A report in these states is on no public list. The Forward Plan lists key decisions as drafts too,
# and a meeting page its agenda's reports: of such a report they read only these columns
# (forward_plan_stamp, meeting_page_key).
_UNPUBLISHED = frozenset(
    {Report.Status.DRAFT, Report.Status.CONSULTATION, Report.Status.SIGNED_OFF, Report.Status.CORRECTION}
)
_LISTED_FIELDS = frozenset(
    {"version", "status", "is_key_decision", "is_exempt", "exempt_paragraphs", "in_forward_plan", "forward_plan_date",
     "forward_plan_accepted_on", "forward_plan_accepted_by", "meeting", "meeting_id", "board", "board_id",
     "report_of", "report_of_id"}
)  # fmt: skip


def _only_drafting(sender, instance, update_fields):
    """Whether a save of `instance` changes only what no public page prints: the text of a report
    still being drafted (a save naming its fields, none of them _LISTED_FIELDS), or a part
    of one (when the part holds its report already; otherwise it may be public)."""
    if sender in (Recommendation, Section, Appendix):
        report = instance._state.fields_cache.get("report")
        return report is not None and report.status in _UNPUBLISHED
    return (
        sender is Report
        and update_fields is not None
        and instance.status in _UNPUBLISHED
        and not update_fields & _LISTED_FIELDS
    )


def _forget_keys(sender=None, instance=None, update_fields=None, **kwargs):
    _search_generation[0] += 1
    if not _only_drafting(sender, instance, update_fields):
        _generation[0] += 1


for _model in (
    Meeting, AgendaItem, AgendaPack, Board, Report, Post, Supplement, Membership, Council, Attendance, OtherAttendee,
    Councillor, Party, Apology, Declaration, RegisterEntry, RegisterChange, Motion, Amendment, MemberVote,
    Minutes, Notice, Action, ActionUpdate, OfficerDecision,
    # What signed-in search results depend on besides (search_stamp).
    ReportEvent, Recommendation, Section, Appendix, SignOff, StandIn, ConsulteeKind.officers.through,
):  # fmt: skip
    post_save.connect(_forget_keys, sender=_model, dispatch_uid=f"public_cache_save_{_model.__name__}")
    post_delete.connect(_forget_keys, sender=_model, dispatch_uid=f"public_cache_delete_{_model.__name__}")
m2m_changed.connect(_forget_keys, sender=ConsulteeKind.officers.through, dispatch_uid="public_cache_consultee_officers")


def meeting_page_key(pk):
    """A cache key for the public page of meeting `pk` (scheduled or published), or None when there is no such meeting."""
    meeting = list(
        Meeting.objects.filter(pk=pk)
        .order_by("packs__edition")
        .values_list(
            "board__name", "board__slug", "starts_at", "venue", "status", "agenda_published_at", "agenda_version",
            "packs__edition", "packs__state", "packs__progress", "packs__file", "packs__page_count", "packs__size",
            "packs__built_at", "packs__supplement__number", "packs__revision", "minutes__status",
        )
    )  # fmt: skip
    if not meeting:
        return None  # no such meeting: the view answers
    # An item with declarations comes once for each of them, and for each amendment to its motion (joins,
    # not more queries). A motion is saved afresh, with a new pk, each time votes.services records the
    # vote, so its pk stands for its named votes.
    items = list(
        AgendaItem.objects.filter(meeting_id=pk)
        .order_by("pk", "declarations__pk", "motion__amendments__pk")
        .values_list(
            "pk", "position", "kind", "title", "description", "own_is_exempt", "own_exempt_paragraph", "report_id",
            "report__status", "report__is_exempt", "report__exempt_paragraphs", "report__report_of__title",
            "decision", "supplement__published_at", "declarations__pk", "declarations__member__first_name",
            "declarations__member__last_name", "declarations__kind", "declarations__nature",
            "declarations__conduct", "declarations__dispensation", "motion__pk", "motion__text", "motion__mover_id",
            "motion__seconder_id", "motion__method", "motion__votes_for", "motion__votes_against",
            "motion__abstentions", "motion__outcome", "motion__casting_vote", "motion__recorded_at",
            "motion__amendments__pk", "motion__amendments__text", "motion__amendments__mover_id",
            "motion__amendments__seconder_id", "motion__amendments__votes_for", "motion__amendments__votes_against",
            "motion__amendments__abstentions", "motion__amendments__outcome", "motion__amendments__casting_vote",
        )
    )  # fmt: skip
    # The attendance the page shows once recorded: each member's status and substitute, and the others.
    attendance = list(
        Meeting.objects.filter(pk=pk)
        .order_by("attendances__pk", "other_attendees__pk")
        .values_list(
            "attendances__pk", "attendances__status", "attendances__substitute_id", "attendances__recorded_at",
            "other_attendees__pk", "other_attendees__name", "other_attendees__role", "other_attendees__description",
        )
    )  # fmt: skip
    return f"public-meeting-page:{pk}:{digest([meeting, items, attendance])}"


def digest(value):
    """A short digest of `value`'s repr: a cache key's part."""
    return hashlib.blake2b(repr(value).encode(), digest_size=16).hexdigest()


def _rows(model, queryset=None):
    """Every stored value of a small table (boards, posts, memberships, the council): a few rows."""
    fields = [f.attname for f in model._meta.concrete_fields]
    return list((queryset if queryset is not None else model.objects).order_by("pk").values_list(*fields))


def public_stamp():
    """A digest of everything the public lists print, read in a few aggregate queries.

    The public home, the calendar, the papers, search, the feeds, the open data API and a board's
    page show published reports, meetings, their agenda items, supplements and packs, boards, their
    members, posts and the council; the councillors' pages their attendance and the register of interests its accepted changes. Small tables are read whole; the large ones (reports, agenda
    items) are summed, so the cost does not grow with a council's decade of papers: each
    publication, withdrawal, correction (which raises the report's version), exemption or agenda
    change moves a count or a sum. Drafts are not read at all, so an officer's autosave never
    makes a public page render again. The date is part of it: "coming" and "past" turn at midnight.
    """
    published = Report.objects.filter(status=Report.Status.PUBLISHED).aggregate(
        n=Count("pk"), pks=Sum("pk"), versions=Sum("version"), pdfs=Sum("pdf_version"),
        exempt=Count("pk", filter=Q(is_exempt=True)), meetings=Sum("meeting_id"),
    )  # fmt: skip
    items = AgendaItem.objects.filter(meeting__agenda_published_at__isnull=False).aggregate(
        n=Count("pk"), pks=Sum("pk"), positions=Sum("position"), reports=Sum("report_id"),
        exempt=Count("pk", filter=Q(own_is_exempt=True)), paragraphs=Sum("own_exempt_paragraph"),
        supplements=Sum("supplement_id"), titles=Sum(Length("title")), descriptions=Sum(Length("description")),
        decisions=Sum(Length("decision")),
    )  # fmt: skip
    meetings = list(
        Meeting.objects.order_by("pk").values_list(
            "pk", "board_id", "starts_at", "venue", "status", "agenda_published_at", "agenda_version"
        )
    )
    supplements = Supplement.objects.aggregate(n=Count("pk"), published=Max("published_at"))
    packs = AgendaPack.objects.aggregate(
        n=Count("pk"), revisions=Sum("revision"), built=Max("built_at"), sizes=Sum("size")
    )
    attendance = Attendance.objects.aggregate(n=Count("pk"), pks=Sum("pk"), recorded=Max("recorded_at"))
    register = [
        RegisterChange.objects.aggregate(n=Count("pk"), pks=Sum("pk"), decided=Max("decided_at")),
        RegisterEntry.objects.aggregate(
            n=Count("pk"),
            updated=Max("updated_at"),
            removed=Count("removed_at"),
            sensitive=Count("pk", filter=Q(is_sensitive=True)),
        ),
    ]
    # The minutes: drafts too (a count), so publishing, a correction or the approval moves it.
    minutes = Minutes.objects.aggregate(
        n=Count("pk"), updated=Max("updated_at"), published=Count("pk", filter=Q(status=Minutes.Status.PUBLISHED)),
        approved=Count("pk", filter=Q(status=Minutes.Status.APPROVED)),
    )  # fmt: skip
    # The votes' outcomes (the API's AgendaItem.result) and the councillors' names (its Persons).
    motions = Motion.objects.aggregate(
        n=Count("pk"), pks=Sum("pk"), carried=Count("pk", filter=Q(outcome="carried")), recorded=Max("recorded_at")
    )
    # The executive's decision notices (the decisions feed, the API's items): each change dates the row.
    notices = Notice.objects.aggregate(n=Count("pk"), versions=Sum("version"), updated=Max("updated_at"))
    # The officer decisions register (its feeds, the API): publication, a change to a published one, its removal.
    officer_decisions = OfficerDecision.objects.filter(status=OfficerDecision.Status.PUBLISHED).aggregate(
        n=Count("pk"), pks=Sum("pk"), updated=Max("updated_at")
    )
    names = list(
        User.objects.filter(councillor__isnull=False).order_by("pk").values_list("pk", "first_name", "last_name")
    )
    small = [_rows(model) for model in (Board, Post, Membership, Council, Councillor, Party)]
    return digest(
        [timezone.localdate(), published, items, meetings, supplements, packs, attendance, register, minutes, motions,
         notices, officer_decisions, names, small]
    )  # fmt: skip


def forward_plan_stamp():
    """What the Forward Plan prints beyond the public lists: the key decisions on it, drafts too."""
    plan = Report.objects.filter(is_key_decision=True).order_by("pk")
    rows = list(
        plan.values_list(
            "pk", "version", "status", "is_exempt", "in_forward_plan", "forward_plan_date",
            "forward_plan_accepted_on", "meeting_id", "board_id", "report_of_id",
        )
    )  # fmt: skip
    return digest([public_stamp(), rows])


def search_stamp():
    """What a signed-in person's search results can print or depend on, beyond the public lists: every
    report's text, state, exemption and people (drafts too), and who may open it (sign-offs, stand-ins,
    consultee kinds' officers; posts, boards and memberships are in `public_stamp`).

    The report aggregates read every report, so they are kept like the public stamp (`remembered`);
    each change to a report's text goes through a save that raises `updated_at` and writes a
    historical row, each change of state an event row, so one of them moves whatever the change.
    """
    reports = Report.objects.aggregate(
        n=Count("pk"), pks=Sum("pk"), versions=Sum("version"), revisions=Sum("revision"), updated=Max("updated_at"),
        exempt=Count("pk", filter=Q(is_exempt=True)), authors=Sum("author_id"),
        boards=Sum("board_id"), meetings=Sum("meeting_id"), posts=Sum("report_of_id"),
        **{f"status_{status}": Count("pk", filter=Q(status=status)) for status in Report.Status.values},
    )  # fmt: skip
    events = ReportEvent.objects.aggregate(n=Count("pk"), last=Max("pk"))
    parts = [
        model.history.aggregate(last=Max("history_id"))["last"] for model in (Report, Recommendation, Section, Appendix)
    ]
    sign_offs = SignOff.objects.aggregate(n=Count("pk"), pks=Sum("pk"), voided=Count("voided_at"))
    officers = _rows(ConsulteeKind.officers.through)
    return digest([remembered(public_stamp), reports, events, parts, sign_offs, officers, _rows(StandIn)])


def remembered(stamp):
    """`stamp()`, computed at most once per RECHECK_SECONDS in this process (and again at once
    after a save here), like the meeting page's key."""
    generation = _search_generation if stamp is search_stamp else _generation
    known = f"public-stamp:{generation[0]}:{stamp.__module__}.{stamp.__name__}"
    value = cache.get(known)
    if value is None:
        value = stamp()
        cache.set(known, value, RECHECK_SECONDS)
    return value


# Headers of a page that belong to its content and are kept with it; the rest (CSP, Vary,
# cookies, security headers) are made afresh by the middleware on every request.
KEPT_HEADERS = (
    "Content-Type", "Content-Disposition", "Content-Language", "Cache-Control", "ETag", "Last-Modified",
    "Access-Control-Allow-Origin",
)  # fmt: skip


def cached_public_page(stamp=public_stamp):
    """Serve a public page from the cache to visitors not signed in while `stamp()` is unchanged.

    The key is the page's address (scheme, host, path and query string: feeds and the API print
    absolute links) and the stamp of what the page can print, so any change to what it shows gives
    a new key, and there is nothing to invalidate by hand. Only answers of 200 are kept; errors,
    redirects and bad queries are answered by the view every time.
    """

    def decorator(view):
        name = f"{view.__module__}.{getattr(view, '__name__', type(view).__name__)}"

        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD") or request.user.is_authenticated or len(get_messages(request)):
                return view(request, *args, **kwargs)
            address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
            key = f"public-page:{name}:{digest([address, remembered(stamp)])}"
            kept = cache.get(key)
            if kept is not None:
                content, headers = kept
                response = HttpResponse(content)
                for header, value in headers:
                    response[header] = value
                return response
            response = view(request, *args, **kwargs)
            keep = PUBLIC_PAGE_SECONDS and response.status_code == 200
            if keep and not response.streaming and not response.cookies:
                headers = [(h, response[h]) for h in KEPT_HEADERS if response.has_header(h)]
                cache.set(key, (response.content, headers), PUBLIC_PAGE_SECONDS)
            return response

        return wrapper

    return decorator


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
