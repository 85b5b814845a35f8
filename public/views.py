"""The public site: no sign-in needed. Every report is reached through `queries.get_public_report`."""

import calendar
import datetime as dt
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import quote_etag
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from actions import selectors as actions
from boards.models import Meeting
from boards.public_cache import cached_public_page, digest, forward_plan_stamp, remembered, search_stamp
from config.numbers import whole_number
from config.paths import path_of
from decisions.selectors import story as decision_story
from public import queries
from public.forms import CalendarForm, SearchForm
from public.search import search_reports

PER_PAGE = 20
# How long a signed-in person's search results are kept (the key changes with what they print; 0: never).
SIGNED_IN_SEARCH_SECONDS = 60


def bad_request(request, template, context):
    """The page again with its form's errors, and 400: the query string could not be understood."""
    return render(request, template, context, status=400)


@require_safe
@cached_public_page()
def home(request):
    """The public front page: find a meeting, read its papers, search."""
    context = {
        "coming": Meeting.objects.upcoming().exclude(status=Meeting.Status.CANCELLED).select_related("board")[:6],
        "published": queries.public_meetings().select_related("board").order_by("-agenda_published_at")[:6],
    }
    return render(request, "public/home.html", context)


def _month_link(day, board):
    query = f"?month={day:%Y-%m}"
    return query + (f"&board={board.slug}" if board else "")


@require_safe
@cached_public_page()
def meeting_calendar(request):
    """Meetings by month, optionally of one board: coming ones first, then past ones, newest first."""
    form = CalendarForm(request.GET or None)
    context = {"form": form}
    if request.GET and not form.is_valid():
        return bad_request(request, "public/calendar.html", {"form": form, "errors": True})
    data = form.cleaned_data if form.is_bound else {}
    board, month = data.get("board"), data.get("month")
    meetings = Meeting.objects.select_related("board").order_by("starts_at")
    if board:
        meetings = meetings.filter(board=board)
    today = timezone.localdate()
    if month:
        last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
        in_month = list(meetings.filter(starts_at__date__gte=month, starts_at__date__lte=last))
        previous = (month - dt.timedelta(days=1)).replace(day=1)
        following = last + dt.timedelta(days=1)
        context.update(
            {
                "month": month,
                "in_month": in_month,
                "previous_link": _month_link(previous, board),
                "next_link": _month_link(following, board),
            }
        )
    else:
        context["coming"] = list(meetings.filter(starts_at__date__gte=today)[:50])
        past = meetings.filter(starts_at__date__lt=today).order_by("-starts_at")
        context["page"] = Paginator(past, 50).get_page(request.GET.get("page"))
    context.update({"board": board, "this_month_link": _month_link(today, board)})
    return render(request, "public/calendar.html", context)


def _report_context(report):
    item = report.agenda_item
    return {
        "report": report,
        "story": decision_story(report),
        "meeting": item.meeting,
        "sections": report.numbered_sections(),
        "appendices": list(report.appendices.all()),
        # Its history, for the public: a paper first published as exempt says when it was released.
        "released": report.events.filter(action="released").order_by("-at", "-pk").first(),
    }


@require_safe
@cached_public_page()
def paper_detail(request, pk):
    """A public report as an accessible web page."""
    report = queries.get_public_report(pk)
    return render(request, "public/paper_detail.html", _report_context(report))


@require_safe
def paper_pdf(request, pk):
    """A public report as a PDF."""
    from boards.downloads import disposition, not_modified, serve_pdf
    from reports.pdf import is_current_pdf_key, report_pdf_filename, report_pdf_key, report_pdf_response

    report = queries.get_public_report(pk)
    # The ETag is what the PDF prints (its key), stored or made now: a rendering is not byte-identical
    # twice, and a client holding this content need not wait for it to be made again.
    key = report_pdf_key(report)
    version = f"report-{report.pk}-{key}"
    unchanged = not_modified(request, version, private=False)
    if unchanged:
        return unchanged
    if is_current_pdf_key(report, key):
        # The stored file, with byte ranges, as the packs are served.
        try:
            return serve_pdf(
                request, report.pdf_file, version=version, filename=report_pdf_filename(report), private=False
            )
        except OSError:
            pass  # missing from storage: made afresh below, as the internal download does
    response = report_pdf_response(request, report)
    if response.status_code == 200:
        response["Cache-Control"] = "public, max-age=300"
        response["ETag"] = quote_etag(version)
        response["Content-Disposition"] = disposition(request, report_pdf_filename(report))
    return response


@require_safe
def paper_appendix(request, pk, appendix_pk):
    """An appendix of a public report."""
    from boards.downloads import serve_pdf
    from reports.pdf import appendix_response

    report = queries.get_public_report(pk)
    appendix = queries.get_public_appendix(report, appendix_pk)
    letter = appendix.letter
    filename = f"{slugify(report.subject)[:60] or 'report'}-appendix-{letter.lower()}.pdf"
    if appendix.is_disarmed:
        # Its stored file changes only with a new upload or rebuild, each under a new name.
        version = hashlib.blake2b(f"{appendix.file.name}:{appendix.disarmed_version}".encode(), digest_size=16)
        try:
            return serve_pdf(
                request, appendix.file, version=f"appendix-{appendix.pk}-{version.hexdigest()}", filename=filename,
                private=False,
            )  # fmt: skip
        except OSError:
            pass  # missing from storage: appendix_response says what it would say
    return appendix_response(request, appendix, filename)


@require_safe
@cached_public_page(forward_plan_stamp)
def forward_plan(request):
    """The Forward Plan: notice of the key decisions to be taken."""
    context = {
        "entries": queries.forward_plan(),
        "today": timezone.localdate(),
        "forward_plan_pending": queries.forward_plan_pending(request.user),  # for democratic services only
    }
    return render(request, "public/forward_plan.html", context)


def issue_stamp():
    """What an issue's page prints: the Forward Plan's and the public lists' facts, and the actions."""
    return (forward_plan_stamp(), actions.stamp())


@require_safe
@cached_public_page(issue_stamp)
def issue(request, pk):
    """One issue's story: a key decision on the Forward Plan, or a public report, from notice to implementation."""
    report = queries.get_public_issue(pk)
    public = queries.is_public_report(report.pk)
    context = {
        "report": report,
        # What the Forward Plan prints of it, and no more (an exempt report: title as its agenda gives it,
        # board, date, the Schedule 12A paragraph).
        "entry": queries.ForwardPlanEntry(report, {report.pk} if public else set()),
        "story": decision_story(report),
        # The agenda item whose decision any actions arise from: only a public (Part 1) report's.
        "public_item": report.agenda_item if public else None,
    }
    if context["public_item"] is not None:
        item = context["public_item"]
        context["arising"] = actions.public_for_items([item]).get(item.pk, [])
    return render(request, "public/issue.html", context)


@require_safe
def forward_plan_pdf(request):
    """The Forward Plan as a PDF, stored until what it prints changes."""
    from public.pdf import forward_plan_pdf as render_plan

    today = timezone.localdate()
    data, key = render_plan(queries.forward_plan(today), today)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="forward-plan-{today:%Y-%m-%d}.pdf"'
    response["ETag"] = f'"{key}"'
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
@cached_public_page()
def search(request):
    """Search the reports this visitor may open.

    A visitor's page is kept whole (cached_public_page). A signed-in person's results are kept too, for
    them alone: the page's content, under their id, their role's reach, the address and the stamp of
    everything the results depend on (search_stamp); the page around it is made for each request.
    """
    key = None
    if request.user.is_authenticated and SIGNED_IN_SEARCH_SECONDS:
        stamp = remembered(search_stamp)
        key = "signed-in-search:" + digest(
            [request.user.pk, request.user.sees_everything, request.get_full_path(), stamp]
        )
        kept = cache.get(key)
        if kept is not None:
            query, content = kept
            return render(request, "public/search.html", {"query": query, "content": content})
    form = SearchForm(request.GET or None)
    context = {"form": form, "query": ""}
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400  # the page again with its form's errors: the query string could not be understood
    elif form.is_bound:
        data = form.cleaned_data
        results = search_reports(
            request.user, data["q"], board=data["board"], date_from=data["date_from"], date_to=data["date_to"]
        )
        if data["q"].strip():
            number = whole_number(request.GET.get("page")) or 1
            results.fetch((number - 1) * PER_PAGE, number * PER_PAGE)  # the page and the count in one query
        page = Paginator(results, PER_PAGE).get_page(request.GET.get("page"))
        inside, paper = path_of("reports:detail"), path_of("public:paper")
        for result in page.object_list:
            result.url = (inside if result.report.internal else paper)(result.report.pk)
        context.update({"query": data["q"], "page": page, "searched": bool(data["q"].strip())})
    content = render_to_string("public/_search.html", context, request)
    if key and status == 200:
        cache.set(key, (context["query"], content), SIGNED_IN_SEARCH_SECONDS)
    return render(request, "public/search.html", {"query": context["query"], "content": content}, status=status)


@require_safe
@cached_public_page()
def open_data(request):
    """How to use the open data: the API, the feeds and the calendars."""
    context = {
        "api_root": request.build_absolute_uri(reverse("api:system")),
        "type_base": settings.SITE_URL + reverse("public:open_data"),
        "licence": settings.OPEN_DATA_LICENCE,
        "licence_name": settings.OPEN_DATA_LICENCE_NAME,
    }
    return render(request, "public/open_data.html", context)
