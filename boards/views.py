from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from actions.selectors import counts_by_item as action_counts
from boards import clock, selectors, services, tasks
from boards.forms import (
    BoardForm,
    DecisionsForm,
    MeetingForm,
    MeetingMoveForm,
    MembershipEndForm,
    MembershipForm,
    ProgrammeForm,
    RoleChangeForm,
)
from boards.models import EXCLUSION_RESOLUTION, AgendaItem, AgendaPack, Board, Meeting, Membership
from boards.public_cache import cached_for_visitors, cached_public_page, meeting_page_key
from config.forms import refuse_beside
from config.numbers import whole_number
from interests.selectors import declarations_by_item
from minutes import services as minutes_services
from minutes.selectors import public_minutes
from reports.models import Report
from votes.selectors import motions_by_item


def is_clerk(user):
    return user.is_authenticated and user.sees_everything


def is_member(user, board):
    return user.is_authenticated and board.memberships.current().filter(user=user).exists()


def get_meeting_for(user, pk):
    """The meeting `pk`: every meeting is public from the moment it is scheduled (calendars and the
    Forward Plan link to it). What it shows before its agenda is published (its date, venue and
    board, nothing of its agenda) is for the views and templates to keep to; its papers are not
    offered until then (`_published_pack`, `pack_status`)."""
    return get_object_or_404(Meeting.objects.select_related("board", "board__clerk"), pk=pk)


def get_meeting_to_manage(user, pk):
    """The meeting `pk` for democratic services; 404 for everyone else."""
    if not is_clerk(user):
        raise Http404("No such meeting")
    return get_object_or_404(Meeting.objects.select_related("board"), pk=pk)


def get_board_to_manage(user, slug, retired_too=False):
    """The active board `slug` (or a retired one, `retired_too`) for democratic services; 404 for everyone else."""
    if not is_clerk(user):
        raise Http404("No such page")
    boards = Board.objects.all() if retired_too else Board.objects.filter(is_active=True)
    return get_object_or_404(boards.select_related("clerk"), slug=slug)


def get_membership_to_manage(user, slug, pk):
    """A seat on the board `slug` for democratic services; 404 for everyone else."""
    board = get_board_to_manage(user, slug, retired_too=True)
    return get_object_or_404(Membership.objects.select_related("board", "user"), pk=pk, board=board)


@require_safe
@cached_public_page()
def board_list(request):
    """Every active board."""
    boards = Board.objects.filter(is_active=True).select_related("clerk")
    retired = Board.objects.filter(is_active=False) if is_clerk(request.user) else []
    return render(request, "boards/board_list.html", {"boards": boards, "retired": retired})


@require_safe
@cached_public_page()
def board_detail(request, slug):
    # A board that no longer meets keeps its page: its past meetings and papers still name it.
    board = get_object_or_404(Board, slug=slug)
    memberships = board.memberships.current().select_related("user")
    meetings = board.meetings.order_by("-starts_at")
    return render(
        request, "boards/board_detail.html", {"board": board, "memberships": memberships, "meetings": meetings}
    )


@require_safe
@cached_public_page()
def meeting_list(request):
    now = timezone.now()
    meetings = Meeting.objects.select_related("board")
    context = {
        "upcoming": meetings.filter(starts_at__gte=now).order_by("starts_at"),
        "past": meetings.filter(starts_at__lt=now).order_by("-starts_at")[:50],
    }
    return render(request, "boards/meeting_list.html", context)


PACK_URLS = {
    AgendaPack.Edition.PUBLIC: "boards:public_pack",
    AgendaPack.Edition.MEMBERS: "boards:members_pack",
    AgendaPack.Edition.FRONT_SHEET: "boards:agenda_pdf",
}
SUPPLEMENT_PACK_URLS = {
    AgendaPack.Edition.PUBLIC: "boards:supplement_public_pack",
    AgendaPack.Edition.MEMBERS: "boards:supplement_members_pack",
}


def _packs(meeting):
    """The meeting's papers as issued: the agenda's packs, then each published supplement's, each group
    a dict of its title, publication time and (edition, label, pack or None, download URL) rows."""
    if meeting.status == Meeting.Status.CANCELLED:
        return []  # its papers are withdrawn
    # Not offered while it holds a report that is exempt now (AgendaPack.holds_exempt_text).
    built = selectors.mark_withheld(meeting.packs.all())
    packs = {(p.supplement_id, p.edition): p for p in built}
    groups = [
        {
            "title": "Agenda",
            "published_at": meeting.agenda_published_at,
            "packs": [
                (edition, label, packs.get((None, edition)), reverse(PACK_URLS[edition], args=[meeting.pk]))
                for edition, label in AgendaPack.Edition.choices
            ],
        }
    ]
    for supplement in meeting.supplements.filter(published_at__isnull=False):
        urls = {
            edition: reverse(name, args=[meeting.pk, supplement.number])
            for edition, name in SUPPLEMENT_PACK_URLS.items()
        }
        groups.append(
            {
                "title": supplement.title,
                "published_at": supplement.published_at,
                "packs": [
                    (edition, AgendaPack.Edition(edition).label, packs.get((supplement.pk, edition)), url)
                    for edition, url in urls.items()
                ],
            }
        )
    return groups


@require_safe
@cached_for_visitors(meeting_page_key)
def meeting_detail(request, pk):
    """The meeting: the agenda builder for democratic services, the agenda for everyone else."""
    meeting = get_meeting_for(request.user, pk)
    if is_clerk(request.user):
        return _manage_page(request, meeting)
    if not meeting.is_published:
        # Its date, venue and board only: the agenda being compiled is not read at all.
        return render(request, "boards/meeting_detail.html", {"meeting": meeting})
    return render(request, "boards/meeting_detail.html", _meeting_context(request, meeting))


def _meeting_context(request, meeting):
    clerk = is_clerk(request.user)
    items = selectors.numbered_items(meeting, waiting=clerk)  # the clerk sees items waiting for a supplement
    declared = declarations_by_item(meeting)
    motions = motions_by_item(meeting)
    for _, item in items:
        item.declared = declared.get(item.pk, [])
        item.vote = motions.get(item.pk)
    # The agenda as published, then each supplement's items under its own heading, each in its parts.
    groups = []
    for _, entries in groupby(items, key=lambda entry: entry[1].supplement_id):
        entries = list(entries)
        part1, part2 = selectors.agenda_parts(entries)
        groups.append({"supplement": entries[0][1].supplement, "part1": part1, "part2": part2})
    return {
        "meeting": meeting,
        "items": items,
        "agenda_groups": groups,
        "is_clerk": clerk,
        "can_see_members_pack": clerk or is_member(request.user, meeting.board),
        "may_declare": is_member(request.user, meeting.board) and meeting.starts_at > timezone.now(),
        "packs": _packs(meeting),
        "exclusion_resolution": EXCLUSION_RESOLUTION,
        "today": timezone.localdate(),
        "minutes": public_minutes(meeting.pk),
    }


def _manage_page(request, meeting, status=200, **typed):
    """Democratic services' agenda builder; `typed` holds what a refused form posted, to show again."""
    context = _meeting_context(request, meeting)
    items = context["items"]
    placed = AgendaItem.objects.filter(report__isnull=False).values("report_id")
    context.update(
        {
            "unplaced": Report.objects.filter(board=meeting.board, status=Report.Status.APPROVED)
            .exclude(pk__in=placed)
            .select_related("report_of", "meeting"),
            "checks": services.publication_checks(meeting),
            "supplement": meeting.supplements.filter(published_at__isnull=True).first(),
            "exemption_changes": services.exemption_changes(meeting),
            "warnings": services.publication_warnings(meeting),
            "late_now": services.is_late_now(meeting) or meeting.is_published,
            "why_late": services.why_late(meeting),
            "clear_days_today": clock.clear_working_days_between(timezone.localdate(), meeting.date),
            "key_problems": {i.pk: services.key_decision_problem(i.report, meeting) for _, i in items if i.report_id},
            "movable_orders": _move_orders(items),
            "history": meeting.events.select_related("actor", "item").order_by("-at", "-pk")[:20],
            "action_counts": action_counts(meeting),
            **typed,
        }
    )
    refused = typed.get("refused_report")
    if refused and refused["report_id"] not in {report.pk for report in context["unplaced"]}:
        messages.error(request, refused["error"])  # not a report offered here: no box to show it beside
    return render(request, "boards/meeting_manage.html", context, status=status)


def _move_orders(items):
    """For each movable item, the whole new order its "Move up" and "Move down" buttons post.

    Posting a whole order (not "move item 5 up") makes a double submit harmless.
    """
    movable = [item for _, item in items if item.kind != AgendaItem.Kind.STANDARD]
    ids = [item.pk for item in movable]
    orders = {}
    for index, item in enumerate(movable):

        def swapped(other, index=index, item=item):
            if not 0 <= other < len(movable) or movable[other].is_exempt != item.is_exempt:
                return ""  # no move past the ends of its part
            new = ids[:]
            new[index], new[other] = new[other], new[index]
            return ",".join(str(pk) for pk in new)

        orders[item.pk] = (swapped(index - 1), swapped(index + 1))
    return orders


@login_required
def meeting_new(request):
    """Democratic services schedule a meeting."""
    if not is_clerk(request.user):
        raise Http404("No such page")
    board = Board.objects.filter(is_active=True, slug=request.GET.get("board", "")[:200]).first()
    initial = {"board": board, "time": board.default_time, "venue": board.default_venue} if board else {}
    form = MeetingForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_schedule(
                board=form.cleaned_data["board"],
                starts_at=form.starts_at(),
                venue=form.cleaned_data["venue"],
                user=request.user,
            )
        except services.AgendaRefused as exc:
            form.add_error("date", str(exc))
        else:
            messages.success(request, f"Meeting scheduled: {meeting.board}, {meeting.date_display}.")
            return redirect(meeting)
    return render(request, "boards/meeting_new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def programme(request, slug):
    """Democratic services make a programme of the board's meetings from a rule: "Preview" (a GET)
    lists its dates with their bank holidays and clashes; "Create" (a POST) makes the ticked ones."""
    board = get_board_to_manage(request.user, slug)
    data = request.POST if request.method == "POST" else (request.GET if "preview" in request.GET else None)
    form = ProgrammeForm(data, initial={"venue": board.default_venue, "time": board.default_time})
    rows, ticked, dates_error = [], set(), ""
    if data is not None and form.is_valid():
        rows = selectors.programme_rows(board, [form.starts_at(day) for day in form.dates()])
        if request.method == "POST":
            ticked = {row["day"] for row in rows if row["day"].isoformat() in request.POST.getlist("dates")}
            try:
                made = services.meeting_schedule_programme(
                    board=board,
                    starts=[row["starts_at"] for row in rows if row["day"] in ticked],
                    venue=form.cleaned_data["venue"],
                    user=request.user,
                )
            except services.AgendaRefused as exc:
                dates_error = str(exc)
            else:
                messages.success(request, f"{len(made)} meeting{'s' if len(made) != 1 else ''} of the {board} created.")
                return redirect(board)
        else:  # a date on a bank holiday or with a clash waits for the clerk to tick it
            ticked = {row["day"] for row in rows if not row["holiday"] and not row["clashes"]}
    context = {"board": board, "form": form, "rows": rows, "ticked": ticked, "dates_error": dates_error}
    return render(request, "boards/programme.html", context, status=400 if form.errors or dates_error else 200)


@login_required
def meeting_move(request, pk):
    """Democratic services move a meeting to another date, time or venue."""
    meeting = get_meeting_to_manage(request.user, pk)
    local = timezone.localtime(meeting.starts_at)
    initial = {"date": local.date(), "time": local.time(), "venue": meeting.venue}
    form = MeetingMoveForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_move(
                meeting=meeting,
                starts_at=form.starts_at(),
                venue=form.cleaned_data["venue"],
                user=request.user,
                bank_holiday_ok=form.cleaned_data["bank_holiday_ok"],
            )
        except services.AgendaRefused as exc:
            form.add_error("date", str(exc))
        else:
            told = (
                " Its members are being emailed, and its papers issued again as a new edition."
                if meeting.is_published
                else ""
            )
            messages.success(
                request, f"Meeting moved: now {meeting.date_display}, {meeting.time_display}, {meeting.venue}.{told}"
            )
            published_on = timezone.localdate(meeting.agenda_published_at) if meeting.is_published else None
            if published_on and not clock.is_in_time(published_on, meeting.date):
                messages.warning(
                    request,
                    f"The agenda was published on {published_on.day} {published_on:%B %Y}: that leaves fewer than five clear working "
                    "days before the new date, so its items may need the chair's agreement as urgent.",
                )
            return redirect(meeting)
    context = {"meeting": meeting, "form": form, "heading": "Move the meeting"}
    return render(request, "boards/meeting_move.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def meeting_status(request, pk):
    """Cancel a meeting, record that it was held, or that its minutes were approved."""
    meeting = get_meeting_to_manage(request.user, pk)
    action, done = {
        "cancel": (services.meeting_cancel, "The meeting is cancelled."),
        "held": (services.meeting_mark_held, "Recorded that the meeting was held: its decisions can be recorded now."),
        # The minutes app records the approval: it makes the minutes final and locks the record.
        "minutes": (minutes_services.minutes_approve, "Recorded that the minutes were approved."),
    }.get(request.POST.get("action"), (None, ""))
    if action is None:
        messages.error(request, "Choose what to record about the meeting.")
        return redirect(meeting)
    try:
        meeting = action(meeting=meeting, user=request.user)
    except (services.AgendaRefused, minutes_services.MinutesRefused) as exc:
        return _refused(request, meeting, exc)
    messages.success(request, done)
    return redirect(meeting)


@login_required
def meeting_decisions(request, pk):
    """Democratic services record what the board decided on each item, once the meeting is held."""
    meeting = get_meeting_to_manage(request.user, pk)
    form = DecisionsForm(selectors.numbered_items(meeting), request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.meeting_record_decisions(meeting=meeting, user=request.user, decisions=form.decisions())
        except services.AgendaRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Decisions saved ({changed} changed)." if changed else "No decision changed.")
            return redirect(meeting)
    return render(
        request,
        "boards/meeting_decisions.html",
        {"meeting": meeting, "form": form, "can_record": meeting.status == Meeting.Status.HELD},
        status=400 if form.errors else 200,
    )


def _refused(request, meeting, exc):
    messages.error(request, str(exc))
    return redirect(meeting)


@login_required
@require_POST
def agenda_add_report(request, pk):
    meeting = get_meeting_to_manage(request.user, pk)
    report_id = whole_number(request.POST.get("report", ""))
    if report_id is None:
        messages.error(request, "Choose a report to add.")
        return redirect(meeting)
    report = get_object_or_404(Report, pk=report_id)
    try:
        item = services.agenda_add_report(
            meeting=meeting, report=report, user=request.user, urgency_reason=request.POST.get("urgency_reason", "")
        )
    except services.AgendaRefused as exc:
        typed = {"report_id": report.pk, "urgency_reason": request.POST.get("urgency_reason", ""), "error": str(exc)}
        return _manage_page(request, meeting, status=400, refused_report=typed)
    where = "Part 2 (exempt)" if item.is_exempt else "Part 1"
    messages.success(request, f"“{item.title}” added to the agenda in {where}.")
    return redirect(meeting)


@login_required
@require_POST
def agenda_add_item(request, pk):
    meeting = get_meeting_to_manage(request.user, pk)
    paragraph = request.POST.get("exempt_paragraph", "")
    try:
        item = services.agenda_add_item(
            meeting=meeting,
            user=request.user,
            title=request.POST.get("title", "")[:250],
            description=request.POST.get("description", "")[:5000],
            is_exempt=request.POST.get("is_exempt") == "1",
            exempt_paragraph=whole_number(paragraph, digits=1),
            urgency_reason=request.POST.get("urgency_reason", "")[:5000],
        )
    except services.AgendaRefused as exc:
        return _manage_page(request, meeting, status=400, refused_item={**request.POST.dict(), "error": str(exc)})
    messages.success(request, f"“{item.title}” added to the agenda.")
    return redirect(meeting)


@login_required
@require_POST
def agenda_remove_item(request, pk, item_pk):
    meeting = get_meeting_to_manage(request.user, pk)
    item = AgendaItem.objects.filter(pk=item_pk, meeting=meeting).first()
    if item is None:  # a double click: the first took it off
        messages.info(request, "That item is no longer on the agenda.")
        return redirect(meeting)
    try:
        services.agenda_remove_item(item=item, user=request.user)
    except services.AgendaRefused as exc:
        return _refused(request, meeting, exc)
    messages.success(request, f"“{item.title}” taken off the agenda.")
    return redirect(meeting)


@login_required
@require_POST
def agenda_reorder(request, pk):
    meeting = get_meeting_to_manage(request.user, pk)
    order = [x for x in request.POST.get("order", "").split(",") if x]
    try:
        services.agenda_reorder(meeting=meeting, user=request.user, order=order)
    except services.AgendaRefused as exc:
        return _refused(request, meeting, exc)
    moved = request.POST.get("moved", "")
    messages.success(request, "Agenda order saved.")
    return redirect(meeting.get_absolute_url() + (f"#item-{moved}" if whole_number(moved) else ""))


@login_required
@require_POST
def agenda_publish(request, pk):
    meeting = get_meeting_to_manage(request.user, pk)
    try:
        services.agenda_publish(meeting=meeting, user=request.user)
    except services.AgendaRefused as exc:
        return _refused(request, meeting, exc)
    messages.success(request, "Agenda published. The packs are being built; they appear below when ready.")
    return redirect(meeting)


@login_required
@require_POST
def pack_build_again(request, pk):
    """Democratic services ask for the packs whose build failed (or is stale) to be built again."""
    meeting = get_meeting_to_manage(request.user, pk)
    if not meeting.is_published or meeting.status == Meeting.Status.CANCELLED:
        messages.error(request, "This meeting's agenda is not published, so it has no packs to build.")
        return redirect(meeting)
    tasks.queue_pack_builds(meeting)
    messages.success(request, "The packs are being built again; they appear below when ready.")
    return redirect(reverse("boards:meeting", args=[meeting.pk]) + "#packs")


@require_safe
def pack_status(request, pk):
    """The packs' build state, for the meeting page to poll (htmx)."""
    meeting = get_meeting_for(request.user, pk)
    if not meeting.is_published and not request.user.is_authenticated:
        raise Http404("The agenda is not published yet")
    context = {
        "meeting": meeting,
        "packs": _packs(meeting),
        "is_clerk": is_clerk(request.user),
        "can_see_members_pack": is_clerk(request.user) or is_member(request.user, meeting.board),
    }
    return render(request, "boards/_packs.html", context)


def _serve_pack(request, meeting, edition, supplement=None):
    from boards.downloads import serve_pdf

    if meeting.status == Meeting.Status.CANCELLED:
        raise Http404("The meeting was cancelled; its papers are withdrawn")
    pack = meeting.packs.filter(edition=edition, supplement=supplement).first()
    # A file built while one of its reports was public is never served once that report is exempt,
    # even while its rebuild waits: the rule holds at the door, not only in the next build.
    if pack is None or not pack.file or pack.holds_exempt_text():
        context = {"meeting": meeting, "pack": pack, "edition": AgendaPack.Edition(edition).label}
        response = render(request, "boards/pack_not_ready.html", context, status=503)
        response["Retry-After"] = "30"
        return response
    name = {"public": "agenda-pack", "members": "members-agenda-pack", "front": "agenda"}[edition]
    if supplement:
        name = f"supplement-{supplement.number}-{name}"
    filename = f"{slugify(meeting.board.name)}-{meeting.date:%Y-%m-%d}-{name}.pdf"
    return serve_pdf(
        request, pack.file, version=pack.content_key, filename=filename, private=edition == AgendaPack.Edition.MEMBERS
    )


def _published_pack(request, pk, edition):
    meeting = get_meeting_for(request.user, pk)
    if not meeting.is_published and not is_clerk(request.user):
        raise Http404("The agenda is not published yet")
    return _serve_pack(request, meeting, edition)


@require_safe
def agenda_pdf(request, pk):
    """The agenda front sheet, once published."""
    return _published_pack(request, pk, AgendaPack.Edition.FRONT_SHEET)


@require_safe
def public_pack_pdf(request, pk):
    """The public pack (exempt items as notices), once published."""
    return _published_pack(request, pk, AgendaPack.Edition.PUBLIC)


@login_required
@require_safe
def members_pack_pdf(request, pk):
    meeting = get_meeting_for(request.user, pk)
    if not (is_clerk(request.user) or is_member(request.user, meeting.board)):
        raise Http404("No such pack")
    if not meeting.is_published and not is_clerk(request.user):
        raise Http404("The agenda is not published yet")
    return _serve_pack(request, meeting, AgendaPack.Edition.MEMBERS)


def _published_supplement(request, pk, number):
    meeting = get_meeting_for(request.user, pk)
    supplement = meeting.supplements.filter(number=number, published_at__isnull=False).first()
    if supplement is None:  # waiting supplements have no packs yet, for anyone
        raise Http404("No such supplementary agenda")
    return meeting, supplement


@require_safe
def supplement_public_pack_pdf(request, pk, number):
    """A published supplement's public pack (exempt items as notices)."""
    meeting, supplement = _published_supplement(request, pk, number)
    return _serve_pack(request, meeting, AgendaPack.Edition.PUBLIC, supplement)


@login_required
@require_safe
def supplement_members_pack_pdf(request, pk, number):
    meeting, supplement = _published_supplement(request, pk, number)
    if not (is_clerk(request.user) or is_member(request.user, meeting.board)):
        raise Http404("No such pack")
    return _serve_pack(request, meeting, AgendaPack.Edition.MEMBERS, supplement)


@login_required
@require_POST
def supplement_publish(request, pk):
    """Democratic services publish the items waiting since the agenda was published, as a supplement."""
    meeting = get_meeting_to_manage(request.user, pk)
    try:
        supplement = services.supplement_publish(meeting=meeting, user=request.user)
    except services.AgendaRefused as exc:
        return _refused(request, meeting, exc)
    messages.success(request, f"{supplement.title} published. Its packs are being built; they appear below when ready.")
    return redirect(meeting)


# Boards and their members, for democratic services ---------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def board_new(request):
    """Democratic services add a board."""
    if not is_clerk(request.user):
        raise Http404("No such page")
    form = BoardForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            board = services.board_create(
                user=request.user, scrutinises=form.cleaned_data.get("scrutinises", ()), **form.settings()
            )
        except services.BoardRefused as refusal:
            refuse_beside(form, refusal)
        else:
            messages.success(request, f"The {board} is added. Now add its members.")
            return redirect("boards:members", board.slug)
    return render(request, "boards/board_new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def board_settings(request, slug):
    """Democratic services change a board's settings; its history of changes is listed below them."""
    board = get_board_to_manage(request.user, slug, retired_too=True)
    form = BoardForm(request.POST if request.method == "POST" else None, instance=board)
    if request.method == "POST" and form.is_valid():
        try:
            board, changed = services.board_update(
                board=board, user=request.user, scrutinises=form.cleaned_data.get("scrutinises"), **form.settings()
            )
        except services.BoardRefused as refusal:
            refuse_beside(form, refusal)
        else:
            if changed:
                messages.success(request, f"The {board}'s settings are saved.")
            else:
                messages.info(request, "Nothing was changed.")
            return redirect("boards:settings", board.slug)
    context = {"board": board, "form": form, "history": _board_history(board)}
    return render(request, "boards/board_settings.html", context, status=400 if form.errors else 200)


def _board_history(board):
    return board.events.select_related("actor").order_by("-at", "-pk")[:30]


@login_required
@require_POST
def board_retire(request, slug):
    """Retire a board (it keeps its page and papers) or reinstate a retired one."""
    board = get_board_to_manage(request.user, slug, retired_too=True)
    active = request.POST.get("action") == "reinstate"
    try:
        services.board_set_active(board=board, user=request.user, active=active)
    except services.BoardRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            f"The {board} is {'reinstated' if active else 'retired: it no longer appears in the lists of boards'}.",
        )
    return redirect("boards:settings", board.slug)


def _members_page(request, board, *, form=None, status=200):
    today = timezone.localdate()
    seats = board.memberships.select_related("user")
    context = {
        "board": board,
        "current": seats.current(today).in_role_order(),
        "future": seats.future(today).in_role_order(),
        "past": seats.past(today).order_by("-ends_on", "user__last_name", "user__first_name"),
        "form": form or MembershipForm(initial={"starts_on": today}),
        "history": _board_history(board),
    }
    return render(request, "boards/board_members.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def board_members(request, slug):
    """A board's members in role order (those to come and past ones apart), and adding one."""
    board = get_board_to_manage(request.user, slug, retired_too=True)
    if request.method != "POST":
        return _members_page(request, board)
    form = MembershipForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            seat = services.membership_add(
                board=board, user=request.user, member=data["user"], role=data["role"],
                starts_on=data["starts_on"], ends_on=data["ends_on"],
            )  # fmt: skip
        except services.BoardRefused as refusal:
            refuse_beside(form, refusal)
        else:
            messages.success(request, f"{seat.user} is added to the {board} as {seat.get_role_display()}.")
            return redirect("boards:members", board.slug)
    return _members_page(request, board, form=form, status=400)


def _seat_page(request, seat, *, role_form=None, end_form=None, status=200):
    today = timezone.localdate()
    context = {
        "board": seat.board,
        "seat": seat,
        "role_form": role_form or RoleChangeForm(initial={"on": max(today, seat.starts_on or today)}),
        "end_form": end_form or MembershipEndForm(initial={"ends_on": max(today, seat.starts_on or today)}),
        "history": seat.board.events.filter(membership__user=seat.user).select_related("actor").order_by("-at", "-pk"),
    }
    return render(request, "boards/membership.html", context, status=status)


@login_required
@require_safe
def membership_detail(request, slug, pk):
    """One seat: change its role from a day, or end it."""
    return _seat_page(request, get_membership_to_manage(request.user, slug, pk))


@login_required
@require_POST
def membership_role(request, slug, pk):
    seat = get_membership_to_manage(request.user, slug, pk)
    form = RoleChangeForm(request.POST)
    if form.is_valid():
        try:
            new = services.membership_change_role(
                membership=seat, user=request.user, role=form.cleaned_data["role"], on=form.cleaned_data["on"]
            )
        except services.BoardRefused as refusal:
            refuse_beside(form, refusal)
        else:
            messages.success(
                request, f"{new.user} is {new.get_role_display()} from {clock.in_words(form.cleaned_data['on'])}."
            )
            return redirect("boards:members", seat.board.slug)
    return _seat_page(request, seat, role_form=form, status=400)


@login_required
@require_POST
def membership_end(request, slug, pk):
    seat = get_membership_to_manage(request.user, slug, pk)
    form = MembershipEndForm(request.POST)
    if form.is_valid():
        try:
            services.membership_end(membership=seat, user=request.user, on=form.cleaned_data["ends_on"])
        except services.BoardRefused as refusal:
            refuse_beside(form, refusal)
        else:
            messages.success(request, f"{seat.user}'s seat ends on {clock.in_words(form.cleaned_data['ends_on'])}.")
            return redirect("boards:members", seat.board.slug)
    return _seat_page(request, seat, end_form=form, status=400)
