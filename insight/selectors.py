"""What the reports add up to: their climate declarations, equality implications and core purposes, counted.

Every figure is one aggregate query over a set of reports, so a figure block costs the same with ten
reports as with ten thousand. The set is who is asking's: `decisions_for(None)` is the public's
(`public.queries.public_reports()`: published, not exempt, on a published agenda, and nothing else),
`decisions_for(user)` adds the approved and published reports the user may read
(`Report.objects.visible_to`: a member reads the exempt reports of their own boards only). A report is
counted in the period of its meeting: the meeting of its agenda item, or failing that the meeting it
names.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, FilteredRelation, Max, Min, Q, Value, When
from django.db.models.functions import Coalesce, TruncQuarter
from django.utils import timezone

from boards.models import Meeting
from public.queries import public_reports
from reports.models import CorePurpose, CorePurposeContribution, ImplicationType, Report

DECIDED = (Report.Status.APPROVED, Report.Status.PUBLISHED)

CLIMATE = [
    ("positive", "Positive impact"),
    ("neutral", "Neutral impact"),
    ("negative", "Negative impact"),
    ("none", "No declaration"),
]
TRAINING = [("yes", "Author trained"), ("no", "Author not trained"), ("unknown", "Not stated")]

# The equality row of the implications matrix is free text. Its outcome is read from the words the
# council's authors use (the seed's "There are no equality implications.", the demo's "An equality
# impact assessment has been completed ..."), in this order: the first that matches wins.
EQUALITY = [
    ("assessed", "Equality impact assessment"),
    ("none", "No equality implications"),
    ("described", "Implications described"),
    ("not_stated", "Not stated"),
]
NO_IMPLICATIONS = ("no equality", "no implications", "no direct", "not applicable")
ASSESSMENT = ("impact assessment", "equality analysis", "equality assessment")


def decided_at():
    """When a report is decided: its agenda item's meeting, or the meeting it names."""
    return Coalesce("agenda_item__meeting__starts_at", "meeting__starts_at")


def decisions_for(user):
    """The reports whose figures `user` may see (None or anonymous: the public's), with `decided_at`.

    Signed in, one query reads the reports beyond the public's that the user may read."""
    if user is None or not user.is_authenticated:
        reports = public_reports()
    elif user.sees_everything:  # what `visible_to` lets them read: every report
        reports = Report.objects.filter(status__in=DECIDED)
    else:
        # The public's, and those beyond them `visible_to` lets this user read (a member's boards' exempt
        # reports, approved ones not yet published): few, so read once here rather than by each figure's query.
        public = public_reports().values("pk")
        beyond = Report.objects.visible_to(user).filter(status__in=DECIDED).exclude(pk__in=public)
        reports = Report.objects.filter(Q(pk__in=public) | Q(pk__in=list(beyond.values_list("pk", flat=True))))
    return reports.annotate(decided_at=decided_at()).filter(decided_at__isnull=False)


@dataclass
class Scope:
    """Which decisions a page counts: a period (either end open), a board, a directorate."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    board: object = None
    directorate: object = None

    def apply(self, reports):
        if self.date_from:
            reports = reports.filter(decided_at__date__gte=self.date_from)
        if self.date_to:
            reports = reports.filter(decided_at__date__lte=self.date_to)
        if self.board is not None:
            reports = reports.filter(board=self.board)
        if self.directorate is not None:
            reports = reports.filter(report_of__directorate=self.directorate)
        return reports


def _any_of(field, words):
    q = Q()
    for word in words:
        q |= Q(**{f"{field}__icontains": word})
    return q


def equality_type():
    """The implications matrix's equality row (the first type whose name says "equality"), or None."""
    return ImplicationType.objects.filter(name__icontains="equality").order_by("position", "pk").first()


def with_outcomes(reports, equality=None):
    """The reports with `climate` (CLIMATE's keys), `training` (TRAINING's) and `equality` (EQUALITY's).

    The equality row is joined (one row a report: one implication per type), not a subquery, which the
    database would run again for every time a count names it.
    """
    equality = equality if equality is not None else equality_type()
    text = "equality_row__text"
    return reports.annotate(
        equality_row=FilteredRelation("implications", condition=Q(implications__type=equality)),
        climate=Case(When(climate_impact="", then=Value("none")), default="climate_impact", output_field=CharField()),
        training=Case(
            When(climate_training=True, then=Value("yes")),
            When(climate_training=False, then=Value("no")),
            default=Value("unknown"),
            output_field=CharField(),
        ),
        equality=Case(
            When(Q(**{f"{text}__isnull": True}) | Q(**{text: ""}), then=Value("not_stated")),
            When(_any_of(text, ASSESSMENT), then=Value("assessed")),
            When(_any_of(text, NO_IMPLICATIONS), then=Value("none")),
            default=Value("described"),
            output_field=CharField(),
        ),
    )


def answer_groups(reports):
    """The reports counted in one query, grouped by quarter and by their three answers (climate, training,
    equality): at most 48 groups a quarter, so the database works out each report's outcomes once and
    `summary` and `by_quarter` add the groups up."""
    return list(
        with_outcomes(reports)
        .annotate(quarter=TruncQuarter("decided_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("quarter", "climate", "training", "equality")
        .annotate(n=Count("pk"), exempt=Count("pk", filter=Q(is_exempt=True)), first=Min("decided_at"),
                  last=Max("decided_at"))
    )  # fmt: skip


def summary(reports, groups=None):
    """Totals: decisions, exempt ones, the climate, training and equality splits, the first and last meeting."""
    groups = answer_groups(reports) if groups is None else groups
    counted = {"total": 0, "exempt": 0, "first": None, "last": None}
    for prefix, choices in (("climate", CLIMATE), ("training", TRAINING), ("equality", EQUALITY)):
        counted.update({f"{prefix}_{key}": 0 for key, _ in choices})
    for group in groups:
        counted["total"] += group["n"]
        counted["exempt"] += group["exempt"]
        for prefix in ("climate", "training", "equality"):
            counted[f"{prefix}_{group[prefix]}"] += group["n"]
        counted["first"] = min(filter(None, [counted["first"], group["first"]]), default=None)
        counted["last"] = max(filter(None, [counted["last"], group["last"]]), default=None)
    return counted


def core_purposes(reports):
    """Each core purpose (active ones, and retired ones some report here contributes to) with the number of
    reports that say what they contribute to it: two queries, the counts grouped in the database."""
    counts = dict(
        CorePurposeContribution.objects.filter(report__in=reports.values("pk"))
        .exclude(text="")
        .order_by()
        .values("purpose")
        .annotate(n=Count("report", distinct=True))
        .values_list("purpose", "n")
    )
    return [
        {"pk": purpose.pk, "name": purpose.name, "n": counts.get(purpose.pk, 0)}
        for purpose in CorePurpose.objects.order_by("position", "name")
        if purpose.is_active or purpose.pk in counts
    ]


def by_quarter(reports, groups=None):
    """Decisions and their climate split by quarter of the year, oldest first, every quarter from the first
    to the last (those without a decision as zeros: a trend has no gaps)."""
    groups = answer_groups(reports) if groups is None else groups
    found = {}
    for group in groups:
        quarter = found.setdefault(_as_date(group["quarter"]), {"total": 0, **{key: 0 for key, _ in CLIMATE}})
        quarter["total"] += group["n"]
        quarter[group["climate"]] += group["n"]
    if not found:
        return []
    quarters, start, last = [], min(found), max(found)
    while start <= last:
        empty = {"total": 0, **{key: 0 for key, _ in CLIMATE}}
        quarters.append(dict(found.get(start, empty), quarter=start))
        start = quarter_end(start) + dt.timedelta(days=1)
    return quarters


def _as_date(value):
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def quarter_end(start):
    """The last day of the quarter that begins on `start`."""
    month = start.month + 3
    following = dt.date(start.year + (month > 12), (month - 1) % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def financial_year(day):
    """The first year of the financial year (1 April to 31 March) `day` falls in: 2022 for 2022/23."""
    return day.year if day.month >= 4 else day.year - 1


def years_available(public):
    """The financial years (first year of each) of the meetings, newest first: the page's presets. Read from
    the meetings (a small table), published ones for the public, not from the reports."""
    meetings = Meeting.objects.published() if public else Meeting.objects.exclude(status=Meeting.Status.CANCELLED)
    span = meetings.aggregate(first=Min("starts_at"), last=Max("starts_at"))
    if span["first"] is None:
        return []
    first, last = (financial_year(_as_date(span[k])) for k in ("first", "last"))
    return list(range(last, first - 1, -1))


def figure_filter(reports, figure):
    """The reports behind one figure ("climate:positive", "training:no", "equality:assessed",
    "purpose:<pk>"), or None when `figure` names none."""
    kind, _, value = (figure or "").partition(":")
    if kind == "" and value == "":
        return reports
    if kind == "climate" and value in dict(CLIMATE):
        return with_outcomes(reports).filter(climate=value)
    if kind == "training" and value in dict(TRAINING):
        return with_outcomes(reports).filter(training=value)
    if kind == "equality" and value in dict(EQUALITY):
        return with_outcomes(reports).filter(equality=value)
    if kind == "purpose" and value.isdigit():
        contributing = CorePurpose.objects.filter(pk=int(value)).values("corepurposecontribution__report")
        return reports.filter(
            pk__in=contributing.exclude(corepurposecontribution__text="").exclude(
                corepurposecontribution__report__isnull=True
            )
        )
    return None


def figure_label(figure, purposes=None):
    """The words for one figure, as a drill-down page's heading says them."""
    kind, _, value = (figure or "").partition(":")
    labels = {"climate": dict(CLIMATE), "training": dict(TRAINING), "equality": dict(EQUALITY)}
    if kind in labels:
        return labels[kind].get(value, "")
    if kind == "purpose" and value.isdigit():
        purpose = CorePurpose.objects.filter(pk=int(value)).first()
        return f"Contributes to “{purpose.name}”" if purpose else ""
    return "All decisions"


@dataclass
class Table:
    """One figure block as its chart, its table and its exports print it."""

    key: str
    title: str
    columns: list
    rows: list  # (label, count, figure key for the drill-down, or "") ... or, for quarters, wider rows
    total: int = 0
    chart: dict | None = None  # its drawing (insight/charts.py), set by the page

    def shares(self):
        """(label, count, percent of the total, figure) for each row: what the bar charts draw."""
        return [(label, n, round(100 * n / self.total) if self.total else 0, figure) for label, n, figure in self.rows]


QUARTER_NAMES = {1: "Jan to Mar", 4: "Apr to Jun", 7: "Jul to Sep", 10: "Oct to Dec"}


def quarter_label(start):
    return f"{QUARTER_NAMES[start.month]} {start.year}"


def quarter_short(start):
    """A quarter as a chart's axis says it: "Q1 2023" for January to March 2023."""
    return f"Q{(start.month + 2) // 3} {start.year}"


def figures(reports):
    """Every figure block of the insight page for `reports`: four queries, whatever their number."""
    groups = answer_groups(reports)
    counted = summary(reports, groups)
    total = counted["total"]
    tables = {
        key: Table(
            key,
            title,
            [column, "Reports", "Share (%)"],
            [(label, counted[f"{key}_{answer}"], f"{key}:{answer}") for answer, label in answers],
            total,
        )
        for key, title, column, answers in (
            ("climate", "Climate emergency declarations", "Declaration", CLIMATE),
            ("training", "Authors with climate emergency training", "Author", TRAINING),
            ("equality", "Equality implications", "Outcome", EQUALITY),
        )
    }
    tables["purposes"] = Table(
        "purposes",
        "Contribution to the Council's core purposes",
        ["Core purpose", "Reports", "Share (%)"],
        [(p["name"], p["n"], f"purpose:{p['pk']}") for p in core_purposes(reports)],
        total,
    )
    quarters = by_quarter(reports, groups)
    tables["quarters"] = Table(
        "quarters",
        "Decisions and their climate declarations by quarter",
        ["Quarter", "Decisions"] + [label for _, label in CLIMATE],
        [
            (quarter_label(q["quarter"]), q["quarter"], quarter_end(q["quarter"]), q["total"])
            + tuple(q[key] for key, _ in CLIMATE)
            for q in quarters
        ],
        total,
    )
    return counted, tables


def plain_rows(table):
    """A table's rows as its exports print them: the header, then the figures, nothing else."""
    if table.key == "quarters":
        return [table.columns] + [[row[0], *row[3:]] for row in table.rows]
    return [table.columns] + [[label, n, share] for label, n, share, _ in table.shares()]
