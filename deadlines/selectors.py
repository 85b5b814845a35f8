"""Reads of due dates: the reports on their way to a meeting, whom each waits for, overdue first.

A report on its way to a meeting (it names one still to come and is not approved yet) has two due
dates, read from the meeting (`Meeting.sign_off_due`, `Meeting.approval_due`, from its report
deadline). It waits for its author while a draft, for the consultees who have not signed it off while
in consultation, and for the holder of its "Report of" post once signed off (and for any deputy the
holder has named who stands in today, accounts.StandIn, unless the deputy wrote the report).
"""

import datetime as dt

from django.db.models import Count, Prefetch

from accounts.models import StandIn, User
from deadlines.models import Reminder
from reports.models import ConsulteeKind, Report, SignOff

SIGN_OFF, APPROVAL = Reminder.Step.SIGN_OFF, Reminder.Step.APPROVAL


def active_kinds():
    """The consultee kinds whose sign-off a report needs, each with its officers who may give it (two queries)."""
    officers = User.objects.filter(is_active=True).order_by("last_name", "first_name", "pk")
    return list(ConsulteeKind.objects.filter(is_active=True).prefetch_related(Prefetch("officers", queryset=officers)))


def with_waiting_parts(reports):
    """Reports with what `waiting_for` reads fetched in a fixed number of queries."""
    live = SignOff.objects.filter(voided_at__isnull=True)
    standing_in = StandIn.objects.in_force().select_related("deputy").order_by("deputy__last_name", "pk")
    return reports.select_related("author", "report_of__holder", "meeting__board", "board").prefetch_related(
        Prefetch("sign_offs", queryset=live, to_attr="live_sign_offs"),
        Prefetch("report_of__stand_ins", queryset=standing_in, to_attr="stand_ins_in_force"),
    )


def on_their_way(reports=None):
    """Every report on its way to a meeting (of `reports`, when given), with what `waiting_for` reads."""
    reports = Report.objects.all() if reports is None else reports
    return with_waiting_parts(reports.on_their_way())


def _missing_kinds(report, kinds):
    signed = {sign_off.kind_id for sign_off in report.live_sign_offs}
    return [kind for kind in kinds if kind.pk not in signed]


def waiting_for(report, kinds):
    """Whom `report` waits for now, as (person or None, what for) pairs; `kinds` from `active_kinds()`."""
    if report.status == Report.Status.DRAFT:
        return [(report.author, "to submit it for sign-off")]
    if report.status == Report.Status.CONSULTATION:
        waiting = []
        for kind in _missing_kinds(report, kinds):
            officers = list(kind.officers.all())
            waiting += [(officer, f"sign-off ({kind.prefix})") for officer in officers]
            if not officers:
                waiting.append((None, f"sign-off ({kind.prefix}): no officer may give it"))
        return waiting
    if report.status == Report.Status.SIGNED_OFF:
        holder = report.report_of.holder if report.report_of_id else None
        if holder is None:
            return [(None, "approval: its “Report of” post has no holder")]
        deputies = [
            (stand_in.deputy, f"approval, standing in for {holder}")
            for stand_in in getattr(report.report_of, "stand_ins_in_force", [])
            if stand_in.deputy.is_active and stand_in.deputy_id != report.author_id
        ]
        return [(holder, "approval"), *deputies]
    return []


def due_steps(report, kinds):
    """The reminders `report` calls for now: (step, due date, person) for each person who can act on it.

    Consultees who have not signed off are reminded of the sign-off due date while it is in
    consultation; the approver of the approval due date once it is signed off. A draft's author is
    not reminded: the author sees the due dates on My work.
    """
    if not report.is_on_its_way:
        return []
    if report.status == Report.Status.CONSULTATION:
        step, due = SIGN_OFF, report.sign_off_due
    elif report.status == Report.Status.SIGNED_OFF:
        step, due = APPROVAL, report.approval_due
    else:
        return []
    return [(step, due, person) for person, _ in waiting_for(report, kinds) if person is not None]


def overdue_first(reports):
    """Reports in the order they need acting on: overdue ones first, then by their next due date, those
    with none last (their order otherwise kept)."""
    return sorted(reports, key=lambda r: (not r.is_overdue, r.next_due or dt.date.max))


def reports_due_for(meeting):
    """The reports on their way to `meeting`, each with `waits_for` set, overdue first."""
    kinds = active_kinds()
    reports = list(on_their_way(Report.objects.filter(meeting=meeting)).order_by("pk"))
    for report in reports:
        report.meeting = meeting  # as loaded by the caller: its board is already there
        report.waits_for = waiting_for(report, kinds)
    return overdue_first(reports)


def due_counts(meetings):
    """How many reports are on their way to each meeting, by meeting id (one query)."""
    rows = (
        Report.objects.filter(meeting__in=meetings)
        .on_their_way()
        .values("meeting_id")
        .annotate(n=Count("pk"))
        .values_list("meeting_id", "n")
    )
    return dict(rows)
