"""Reading decision notices: the register, one notice, what a new notice starts from, who sees what."""

from django.conf import settings

from boards import clock
from boards.models import AgendaItem
from decisions.models import Notice
from decisions.services import HELD, may_call_in


def notices():
    """Every notice with what the register and its page print, in one query."""
    return Notice.objects.select_related("item__meeting__board", "item__report", "call_in").order_by(
        "-published_at", "-pk"
    )


def sees_detail(user, notice):
    """Whether `user` may read an exempt decision's text: democratic services, the board's members and
    the members of the committees that scrutinise it. Everyone reads a public decision's."""
    if not notice.is_exempt:
        return True
    if not user.is_authenticated:
        return False
    if user.sees_everything:
        return True
    board = notice.item.meeting.board
    return user.memberships.current().filter(board=board).exists() or may_call_in(user, notice)


def notice_due_on(meeting):
    """The day a meeting's decision notices are due: DECISION_NOTICE_WORKING_DAYS working days after it."""
    return clock.working_days_after(meeting.date, settings.DECISION_NOTICE_WORKING_DAYS)


def decided_items(meeting):
    """A held executive meeting's items with a recorded decision, each with its notice if published."""
    if not meeting.board.is_executive or meeting.status not in HELD:
        return []
    items = (
        AgendaItem.objects.filter(meeting=meeting)
        .exclude(decision="")
        .select_related("report", "notice")
        .order_by("position", "pk")
    )
    return list(items)


def _declarations(item):
    lines = []
    for declaration in item.declarations.select_related("member").order_by("pk"):
        line = f"{declaration.member}: {declaration.get_kind_display()} ({declaration.nature}); {declaration.get_conduct_display()}."
        if declaration.dispensation:
            line += f" Dispensation: {declaration.dispensation}"
        lines.append(line)
    return "\n".join(lines) or "None declared."


def notice_defaults(item):
    """What a new notice for `item` starts from: the decision recorded, the report's reasons and
    alternatives, and the declarations made on the item."""
    report = item.report if item.report_id else None
    return {
        "decision": item.decision,
        "reasons": report.reasons if report else "",
        "alternatives": report.alternatives if report else "",
        "conflicts": _declarations(item),
    }


def story(report):
    """The life of a public report's decision, in order, as (date or None, words, link or "") steps:
    the Forward Plan notice, publication with the agenda, the meeting and its decision, the decision
    notice, its call-in and outcome, and the implementation date the report gives."""
    item = report.agenda_item
    meeting = item.meeting
    steps = []
    if report.is_key_decision and report.forward_plan_accepted_on:
        steps.append((report.forward_plan_date, "Notice of the key decision given in the Forward Plan", ""))
    if meeting.agenda_published_at:
        steps.append(
            (
                meeting.agenda_published_at,
                f"The report published with the agenda of {meeting}",
                meeting.get_absolute_url(),
            )
        )
    decided = f": {item.decision}" if item.decision else ""
    steps.append((meeting.starts_at, f"Considered by the {meeting.board}{decided}", meeting.get_absolute_url()))
    notice = Notice.objects.filter(item=item).select_related("call_in", "scrutiny_item__meeting").first()
    if notice is not None:
        day = notice.effective_on
        effect = f", in effect from {day.day} {day:%B %Y}" if day and notice.status == Notice.Status.PUBLISHED else ""
        steps.append(
            (notice.published_at, f"Decision notice {notice.reference} published{effect}", notice.get_absolute_url())
        )
        call_in = getattr(notice, "call_in", None)
        if call_in is not None and call_in.completed_at:
            where = f"; on the agenda of {notice.scrutiny_item.meeting}" if notice.scrutiny_item_id else ""
            steps.append(
                (
                    call_in.completed_at,
                    f"Called in by members of the scrutiny committee{where}",
                    notice.get_absolute_url(),
                )
            )
        if notice.outcome:
            steps.append((notice.outcome_recorded_at, notice.get_outcome_display(), notice.get_absolute_url()))
    if report.implementation_date:
        steps.append((None, f"Implementation: {report.implementation_date}", ""))
    return steps
