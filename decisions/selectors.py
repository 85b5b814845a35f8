"""Reading decision notices: the register, one notice, what a new notice starts from, who sees what."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from boards import clock
from boards.models import AgendaItem
from decisions.models import Notice
from decisions.services import HELD, may_call_in
from public.queries import item_has_public_report


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


@dataclass(frozen=True)
class Step:
    """One step in the story of an issue: when (a date, a time, or None), what happens in plain words, the
    page that tells more, whether it has happened, and any words quoted (the decision)."""

    when: dt.date | dt.datetime | None
    words: str
    link: str = ""
    done: bool = True
    quoted: str = ""
    state: str = ""  # in place of "Done" or "Planned"
    undated: str = "date to be confirmed"  # in place of a date it has none

    @property
    def state_display(self):
        return self.state or ("Done" if self.done else "Planned")

    @property
    def day(self):
        """The step's day, in the council's time zone."""
        if isinstance(self.when, dt.datetime):
            return timezone.localdate(self.when)
        return self.when


def _has_happened(when, now):
    if when is None:
        return False
    if isinstance(when, dt.datetime):
        return when <= now
    return when <= timezone.localdate(now)


def _is_listed(item):
    """Whether the item is on an agenda the public can read: published, not cancelled, not waiting for a
    supplement to be published."""
    meeting = item.meeting
    issued = item.supplement_id is None or item.supplement.published_at is not None
    return meeting.agenda_published_at is not None and meeting.status != meeting.Status.CANCELLED and issued


def _board_name(board):
    return f"the {board}" if board else "a decision maker still to be confirmed"


def story(report, *, now=None):
    """The story of an issue (a report, on the Forward Plan or published), in date order, as `Step`s:
    the Forward Plan notice, the meeting that is to take the decision, the agenda's publication, the
    meeting and its decision, the decision notice and when it takes effect, its call-in, the scrutiny
    committee's meeting and outcome, and the implementation the report plans. Steps still to come are
    planned (`done` False). Only what the public pages already show: an exempt (Part 2) report's story
    has dates and where to read more, never its decision or its words."""
    now = now or timezone.now()
    item = getattr(report, "agenda_item", None)
    listed = item is not None and _is_listed(item)
    public = listed and item_has_public_report(item)
    meeting = item.meeting if listed else report.meeting if report.meeting_id else None
    if meeting is not None and meeting.status == meeting.Status.CANCELLED:
        meeting = None
    board = meeting.board if meeting else report.board if report.board_id else None
    held = meeting is not None and (meeting.status in HELD or meeting.starts_at <= now)
    steps = []

    def add(when, words, link="", *, done=None, **more):
        steps.append(Step(when, words, link, _has_happened(when, now) if done is None else done, **more))

    if report.is_on_forward_plan:
        plan = "" if held else reverse("public:forward_plan")
        add(
            report.forward_plan_notice_date,
            "Notice given in the Forward Plan that this key decision is to be taken",
            plan,
        )
    if listed:
        published_at = item.supplement.published_at if item.supplement_id else meeting.agenda_published_at
        paper = reverse("public:paper", args=[report.pk])
        # A paper first published as exempt, then released, was on the agenda in private until its release.
        released = report.events.filter(action="released").order_by("-at", "-pk").first() if public else None
        if public and released is None:
            words, link = "The report published with the agenda", paper
        else:
            words, link = "Listed on the agenda, to be considered in private", meeting.get_absolute_url()
        if item.supplement_id:
            words += f" (supplementary agenda {item.supplement.number})"
        add(published_at, words, link)
        if released is not None:
            add(released.at, "The report released for publication: it is no longer exempt", paper)
    elif meeting is not None and not held:
        add(meeting.publication_deadline, "The agenda and the report due to be published", done=False)
    if meeting is None:
        add(None, f"To be decided by {_board_name(board)}: the date is to be confirmed", done=False)
    elif held and listed:
        decided = item.decision if public else ""
        words = f"Decided by {_board_name(board)} at its meeting" if decided else f"Considered by {_board_name(board)}"
        add(
            meeting.starts_at,
            words + ("" if public else " in private"),
            meeting.get_absolute_url(),
            quoted=decided,
            done=True,
        )
    else:
        add(
            meeting.starts_at,
            f"To be decided by {_board_name(board)} at its meeting",
            meeting.get_absolute_url(),
            done=False,
        )
    notice = getattr(item, "notice", None) if listed else None
    if notice is None:
        if held and listed and board.is_executive and item.decision:
            add(notice_due_on(meeting), "The decision notice due to be published", done=False)
    else:
        _notice_steps(notice, add, now)
    if public and report.implementation_date.strip():
        # The report says when it is to be done; whether it has been is for the actions arising from it.
        if notice is not None:
            in_effect = notice.effective_on is not None and notice.effective_on <= timezone.localdate(now)
        else:
            in_effect = held and listed and bool(item.decision) and not board.is_executive
        add(
            None, f"Implementation, as the report plans it: {report.implementation_date.strip()}",
            done=in_effect, state="The decision is in effect" if in_effect else "", undated="",
        )  # fmt: skip
    return _in_date_order(steps)


def _notice_steps(notice, add, now):
    """The decision notice's part of the story: published, in effect or called in, and what scrutiny decided."""
    link = notice.get_absolute_url()
    add(notice.published_at, f"Decision notice {notice.reference} published", link)
    if notice.is_urgent:
        add(notice.effective_on, "In effect at once: an urgent decision, not open to call-in", link)
        return
    if notice.status == Notice.Status.PUBLISHED:
        if notice.is_open_to_call_in(now):
            last_day = timezone.localtime(notice.call_in_closes_at - dt.timedelta(seconds=1)).date()
            add(
                notice.effective_on,
                f"Takes effect, unless it is called in by the end of {clock.in_words(last_day)}, when the call-in period ends",
                link,
                done=False,
            )
        else:
            add(notice.effective_on, "In effect: the call-in period ended without a call-in", link)
        return
    scrutiny = notice.scrutiny_item.meeting if notice.scrutiny_item_id else None
    committee = f"the {scrutiny.board}" if scrutiny else "the scrutiny committee"
    call_in = getattr(notice, "call_in", None)
    when = call_in.completed_at if call_in is not None else None
    add(when, f"Called in by members of {committee}: implementation suspended", link, done=True)
    # An outcome recorded before the committee's next meeting was reached elsewhere (a special meeting):
    # that meeting is then no part of the story.
    decided = notice.status == Notice.Status.DECIDED
    if scrutiny is not None and not (decided and notice.outcome_recorded_at < scrutiny.starts_at):
        considered = decided or scrutiny.status in HELD or scrutiny.starts_at <= now
        words = "Considered" if considered else "To be considered"
        add(scrutiny.starts_at, f"{words} by {committee} at its meeting", scrutiny.get_absolute_url(), done=considered)
    elif notice.status == Notice.Status.CALLED_IN:
        add(None, f"To be considered by {committee} at a meeting still to be arranged", done=False)
    if notice.status == Notice.Status.DECIDED:
        add(notice.outcome_recorded_at, f"The outcome of the call-in: {notice.get_outcome_display()}", link, done=True)
        if notice.effective_on:
            in_effect = notice.effective_on <= timezone.localdate(now)
            words = "In effect: the decision can now be carried out" if in_effect else "Takes effect"
            add(notice.effective_on, words, link)


def _in_date_order(steps):
    """The steps by day, each undated step kept after the step before it; the chain's order on a tie."""
    keyed, last = [], dt.date.min
    for position, step in enumerate(steps):
        last = step.day or last
        keyed.append(((last, position), step))
    return [step for _, step in sorted(keyed, key=lambda pair: pair[0])]
