"""Which records the public may see, and the few facts the public pages need about them.

`public_reports()` is the one gate for anyone without a part in a report: a report is public
once it is published, is not exempt, and sits on a Part 1 item of a meeting whose agenda is
published. Everything public (the paper pages, search, feeds, the API) goes through it; the
internal views keep `reports.views.get_report_for`.
"""

from django.db.models import Exists, OuterRef, Q, Value
from django.http import Http404
from django.utils import timezone

from boards.models import AgendaItem, AgendaPack, Board, Meeting, published_meeting
from boards.selectors import mark_withheld
from reports.models import SCHEDULE_12A, SCHEDULE_12A_PARAGRAPHS, Appendix, Report, visible_to_clause


def public_meetings():
    """Meetings whose agenda is published (and not cancelled)."""
    return Meeting.objects.published()


def public_reports():
    """Reports anyone may read: published, not exempt, on a published agenda (so in its Part 1).

    Exemption is the report's own, read now: an agenda item keeps no copy of it.
    """
    return Report.objects.filter(
        published_meeting("agenda_item__meeting__"), status=Report.Status.PUBLISHED, is_exempt=False
    )


def public_report_queryset():
    """Public reports with everything their page and PDF print."""
    return public_reports().with_parts().select_related("agenda_item__meeting__board")


def get_public_report(pk):
    """The public report `pk`, or 404: the public path's own gate."""
    report = public_report_queryset().filter(pk=pk).first()
    if report is None:
        raise Http404("No such report")
    return report


def get_public_appendix(report, appendix_pk):
    appendix = Appendix.objects.filter(report=report, pk=appendix_pk).first()
    if appendix is None:
        raise Http404("No such appendix")
    return appendix


def is_public_report(pk):
    return public_reports().filter(pk=pk).exists()


def public_issues(today=None):
    """Reports with a public story page (an "issue"): the key decisions democratic services have accepted
    onto the Forward Plan, from the day the plan gives notice of them (and after they are taken), and the
    public reports. Drafts and everything else are nobody's business but the people working on them."""
    today = today or timezone.localdate()
    on_plan = Report.objects.in_forward_plan().filter(
        forward_plan_accepted_on__isnull=False, forward_plan_date__lte=today
    )
    return Report.objects.filter(Q(pk__in=on_plan.values("pk")) | Q(pk__in=public_reports().values("pk")))


def get_public_issue(pk):
    """The issue `pk` with everything its page prints (its Forward Plan entry, its agenda item, meeting,
    decision notice, call-in and the scrutiny committee's meeting) in one query, or 404."""
    report = (
        public_issues()
        .select_related(
            "board", "meeting__board", "portfolio", "report_of", "agenda_item__meeting__board",
            "agenda_item__supplement", "agenda_item__notice__call_in",
            "agenda_item__notice__scrutiny_item__meeting__board",
        )
        .filter(pk=pk)
        .first()
    )  # fmt: skip
    if report is None:
        raise Http404("No such issue")
    return report


def is_public_issue(pk):
    return public_issues().filter(pk=pk).exists()


def public_items():
    """Agenda items of published agendas and supplements (both parts: Part 2 items are named, never opened)."""
    return AgendaItem.objects.issued().filter(published_meeting("meeting__"))


def readable_reports(user, visible=None):
    """Reports `user` may open by any route: the public ones and those `visible_to` them (`visible`,
    when the caller has built it already: building it costs more than running it)."""
    public = public_reports().values("pk")
    if not user.is_authenticated:
        return Report.objects.filter(pk__in=public)
    if visible is None:
        visible = Report.objects.visible_to(user)
    return Report.objects.filter(Q(pk__in=public) | Q(pk__in=visible.values("pk")))


def readable_reports_marked(user):
    """`readable_reports(user)`, each marked `internal` when `user` opens it inside (it is `visible_to`
    them: /reports/<id>/) rather than as a public paper. Both tests are correlated clauses on the
    report asked about, so a search pays for its matches, not for every report there is."""
    public = Exists(public_reports().filter(pk=OuterRef("pk")))
    if not user.is_authenticated:
        return Report.objects.filter(public).annotate(internal=Value(False))
    if user.sees_everything:
        return Report.objects.annotate(internal=Value(True))
    return Report.objects.annotate(internal=visible_to_clause(user)).filter(Q(internal=True) | public)


def private_reason(report):
    """Why a report will be considered in private, in words, or "" when it will not."""
    if not report.is_exempt:
        return ""
    paragraphs = report.exempt_paragraph_list
    if not paragraphs:
        return f"Exempt under {SCHEDULE_12A}."
    return " ".join(f"Paragraph {p} of {SCHEDULE_12A}: {SCHEDULE_12A_PARAGRAPHS.get(p, '')}" for p in paragraphs)


class ForwardPlanEntry:
    """One key decision as the Forward Plan prints it, without anything an exempt report holds.

    An exempt (or not yet classified) report is named only by the title its published agenda
    gives it; until then, by a neutral description.
    """

    def __init__(self, report, public_pks):
        item = getattr(report, "agenda_item", None)
        named_on_agenda = item is not None and item.meeting.is_published
        self.report_id = report.pk
        self.is_public = report.pk in public_pks
        if report.is_exempt is False:
            self.matter = report.subject
        elif named_on_agenda:
            self.matter = item.title
        else:
            self.matter = f"A key decision for the {report.board}" if report.board_id else "A key decision"
            self.matter += " (details will be given when the agenda is published)"
        self.decision_maker = str(report.board) if report.board_id else "To be confirmed"
        cancelled = report.meeting_id and report.meeting.status == Meeting.Status.CANCELLED
        self.meeting = report.meeting if report.meeting_id and not cancelled else None
        self.planned_date = self.meeting.date if self.meeting else None
        self.entered_on = report.forward_plan_notice_date
        self.portfolio = str(report.portfolio) if report.portfolio_id else ""
        self.report_of = str(report.report_of) if report.report_of_id else ""
        self.private = {True: "yes", False: "no"}.get(report.is_exempt, "to be decided")
        self.private_reason = private_reason(report) if report.is_exempt else ""
        self.paragraphs = report.exempt_paragraph_list if report.is_exempt else []


def _still_to_be_taken(reports, today):
    """Key decisions whose meeting has not been held, and is today or later, or is still to be fixed."""
    return (
        reports.exclude(meeting__status__in=[Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED])  # taken
        .filter(
            Q(meeting__isnull=True)
            | Q(meeting__status=Meeting.Status.CANCELLED)  # still to be taken, at a meeting to be fixed
            | Q(meeting__starts_at__date__gte=today)
        )
        .select_related("board", "meeting", "portfolio", "report_of", "agenda_item__meeting")
        .order_by("meeting__starts_at", "forward_plan_date", "pk")
    )


def forward_plan(today=None):
    """Key decisions on the Forward Plan still to be taken, soonest first: only those democratic
    services have accepted."""
    today = today or timezone.localdate()
    accepted = Report.objects.in_forward_plan().filter(
        forward_plan_accepted_on__isnull=False, forward_plan_date__lte=today
    )
    reports = list(_still_to_be_taken(accepted, today))
    public_pks = set(public_reports().filter(pk__in=[r.pk for r in reports]).values_list("pk", flat=True))
    entries = [ForwardPlanEntry(report, public_pks) for report in reports]
    # Decisions without a date yet go last.
    return sorted(entries, key=lambda e: (e.planned_date is None, e.planned_date or today))


def forward_plan_pending(user, today=None):
    """For democratic services: Forward Plan entries waiting for them to accept, soonest first."""
    if not (user.is_authenticated and user.sees_everything):
        return []
    today = today or timezone.localdate()
    return list(_still_to_be_taken(Report.objects.awaiting_forward_plan_acceptance(), today))


def member_panel(user):
    """A board member's home: the boards they sit on, their coming meetings, their recent papers."""
    if not user.is_authenticated:
        return {"member_boards": []}
    boards = list(Board.objects.filter(memberships__in=user.memberships.current(), is_active=True).distinct())
    if not boards:
        return {"member_boards": []}
    meetings = Meeting.objects.filter(board__in=boards).select_related("board").prefetch_related("packs")
    now = timezone.now()
    coming = list(
        meetings.filter(starts_at__gte=now).exclude(status=Meeting.Status.CANCELLED).order_by("starts_at")[:5]
    )
    recent = list(meetings.published().filter(starts_at__lt=now).order_by("-starts_at")[:3])
    # Whether each pack holds a report exempt now (AgendaPack.holds_exempt_text), for all of them at once.
    mark_withheld(pack for meeting in coming + recent for pack in meeting.packs.all())
    for meeting in coming + recent:
        meeting.ready_packs = {p.edition: p for p in meeting.packs.all() if p.file and not p.withheld}
    return {
        "member_boards": boards,
        "member_coming": coming,
        "member_recent": recent,
        "editions": AgendaPack.Edition,
    }


def item_has_public_report(item):
    """Whether an agenda item's report is public: `public_reports()` for one item already in hand."""
    report = item.report if item.report_id else None
    meeting = item.meeting
    return (
        report is not None
        and not item.is_exempt
        and report.status == Report.Status.PUBLISHED
        and report.is_exempt is False
        and meeting.agenda_published_at is not None
        and meeting.status != Meeting.Status.CANCELLED
    )
