"""Demo history for the insight page: `load_demo --history` adds two years of past meetings and reports.

Invented for the demo, and labelled so in the README: each active demo board meets once a month for the
24 months before this one, and considers two to five reports at each meeting. Every report is written
through `reports.services.report_save_draft` (its rows, version, history and search document, with its
implications and core purposes), then placed on its meeting's agenda and published as `load_demo`
publishes the seed: an agenda item, the status saved on the report, and the event that says so. Their
answers drift as a council's would: more authors trained and more positive climate impacts as time goes
on, a few negative ones, one report in fifteen exempt. The same seed makes the same history; a meeting
that already has its reports is left alone, so running it twice adds nothing.
"""

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from boards.models import STANDARD_ITEMS, AgendaItem, Board, Meeting
from boards.services import ensure_standard_items
from reports import demo
from reports.forms import Row
from reports.models import CorePurpose, ImplicationType, Portfolio, Post, Report
from reports.services import report_record_past_publication, report_save_draft

LONDON = ZoneInfo("Europe/London")
MONTHS = 24
HISTORY_MARK = "(demo history)"  # in each history meeting's venue: how a second run knows its meetings

TOPICS = [
    ("Active Travel Network Plan", "positive", "Cleaner Greener"),
    ("Home Energy Retrofit Programme", "positive", "Cleaner Greener"),
    ("Tree Planting Strategy", "positive", "Cleaner Greener"),
    ("Fleet Electrification Business Case", "positive", "Drivers of change and reform"),
    ("Better Care Fund Quarterly Return", "neutral", "Protect the most vulnerable"),
    ("Joint Strategic Needs Assessment", "neutral", "Protect the most vulnerable"),
    ("Children and Young People's Plan", "neutral", "Facilitate confident and resilient communities"),
    ("Adult Social Care Market Position Statement", "neutral", "Commission, broker and provide core services"),
    ("Domestic Abuse Strategy", "neutral", "Protect the most vulnerable"),
    ("Homelessness Prevention Strategy", "neutral", "Protect the most vulnerable"),
    ("Revenue and Capital Budget Update", "neutral", "Greater income for social investment"),
    ("Treasury Management Outturn", "neutral", "Greater income for social investment"),
    ("Libraries Strategy", "neutral", "Facilitate confident and resilient communities"),
    ("Suicide Prevention Action Plan", "neutral", "Protect the most vulnerable"),
    ("Town Centre Regeneration Framework", "neutral", "Facilitate sustainable economic prosperity"),
    ("Leisure Centres Investment Programme", "neutral", "Place – leadership and influencer"),
    ("Highways Maintenance Programme", "negative", "Place – leadership and influencer"),
    ("Port Access Road Improvements", "negative", "Facilitate sustainable economic prosperity"),
    ("Car Park Charges Review", "negative", "Greater income for social investment"),
]
EXPLANATIONS = {
    "positive": "The recommendations will reduce the Council's carbon emissions and support the Climate Emergency "
    "Action Plan.",
    "neutral": "The recommendations have no direct impact on the climate.",
    "negative": "The works will increase emissions during construction; the contract requires the contractor to "
    "report and reduce them.",
}
EQUALITY = [
    (5, "An equality impact assessment has been completed and is available on request."),
    (4, "There are no equality implications."),
    (2, "The service specification addresses access for under-served groups."),
    (1, "An equality analysis will be completed before the service is recommissioned."),
]


def _months_back(today, months):
    """The first of each of the `months` months before this one, oldest first."""
    year, month = today.year, today.month
    firsts = []
    for _ in range(months):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        firsts.append(dt.date(year, month, 1))
    return list(reversed(firsts))


def _meeting_day(first, offset):
    """The board's meeting of the month: the first Wednesday on or after the 8th, moved by `offset` days."""
    day = first.replace(day=8)
    day += dt.timedelta(days=(2 - day.weekday()) % 7)
    return day + dt.timedelta(days=offset)


def load_history(users, *, months=MONTHS, seed=19, today=None):
    """Add the demo history: returns how many reports were made (0 on a second run)."""
    today = today or timezone.localdate()
    rng = random.Random(seed)
    boards = list(Board.objects.filter(is_active=True).order_by("pk"))
    posts = list(Post.objects.filter(is_active=True, holder__isnull=False).order_by("pk")) or list(
        Post.objects.order_by("pk")
    )
    portfolios = list(Portfolio.objects.order_by("pk"))
    purposes = {p.name: p for p in CorePurpose.objects.all()}
    types = {t.name: t for t in ImplicationType.objects.all()}
    authors = [users["officer"]] + [u for name, u in sorted(users.items()) if name in ("director", "finance")]
    made = 0
    firsts = _months_back(today, months)
    for index, first in enumerate(firsts):
        progress = index / max(len(firsts) - 1, 1)  # 0 at the start of the history, 1 at its end
        for offset, board in enumerate(boards):
            with transaction.atomic():
                made += _one_meeting(
                    users, board, _meeting_day(first, offset), rng, progress, posts, portfolios, purposes, types,
                    authors,
                )  # fmt: skip
    return made


def _one_meeting(users, board, day, rng, progress, posts, portfolios, purposes, types, authors):
    starts_at = dt.datetime(day.year, day.month, day.day, 14, 0, tzinfo=LONDON)
    meeting, created = Meeting.objects.get_or_create(
        board=board,
        starts_at=starts_at,
        defaults={
            "venue": f"{board.default_venue or 'Bootle Town Hall'} {HISTORY_MARK}",
            "status": Meeting.Status.MINUTES_APPROVED,
            "agenda_published_at": starts_at - dt.timedelta(days=8),
            "agenda_published_by": users["clerk"],
        },
    )
    if not created and (HISTORY_MARK not in meeting.venue or meeting.items.filter(report__isnull=False).exists()):
        return 0
    ensure_standard_items(meeting)
    count = rng.randint(2, 5)
    for position in range(count):
        _one_report(users, board, meeting, position, rng, progress, posts, portfolios, purposes, types, authors)
    return count


def _one_report(users, board, meeting, position, rng, progress, posts, portfolios, purposes, types, authors):
    topic, leaning, purpose = rng.choice(TOPICS)
    # Most reports declare the impact their subject suggests; as the years go on, more find a positive one.
    roll = rng.random()
    climate = leaning
    if leaning == "neutral" and roll < 0.1 + 0.2 * progress:
        climate = "positive"
    elif leaning == "positive" and roll < 0.15:
        climate = "neutral"
    trained = rng.random() < 0.5 + 0.4 * progress
    exempt = rng.random() < 1 / 15
    equality = rng.choices([text for _, text in EQUALITY], weights=[w for w, _ in EQUALITY])[0]
    chosen = {purpose} | set(rng.sample(sorted(purposes), rng.randint(0, 2)))
    seed = demo.SEED
    report, _ = report_save_draft(
        report=Report(),
        fields={
            "subject": f"{topic} {meeting.starts_at.year}",
            "summary": f"The {topic.lower()} for the {board.name}, for decision. (Demo history: invented.)",
            "reasons": seed["reasons"],
            "alternatives": seed["alternatives"],
            "revenue_costs": seed["revenue_costs"],
            "capital_costs": seed["capital_costs"],
            "board": board,
            "meeting": meeting,
            "report_of": rng.choice(posts),
            "portfolio": rng.choice(portfolios),
            "all_wards": True,
            "is_key_decision": False,
            "in_forward_plan": False,
            "is_exempt": exempt,
            "exempt_paragraphs": [3] if exempt else [],
            "release_review_on": meeting.starts_at.date() + dt.timedelta(days=365) if exempt else None,
            "release_condition": "After the contract is awarded." if exempt else "",
            "climate_impact": climate,
            "climate_training": trained,
            "climate_explanation": EXPLANATIONS[climate],
            "external_consultations": "None.",
            "implementation_date": "Immediately following the meeting.",
            "contact_officer": "Eleanor Moulton",
            "contact_phone": "0151 934 3000",
            "contact_email": "eleanor.moulton@example.sefton.gov.uk",
        },
        recommendations=[Row(None, {"text": text}) for text in seed["recommendations"]],
        sections=[Row(None, {"heading": heading, "body": body}) for heading, body in seed["sections"][:2]],
        implications={
            t: (equality if "Equality" in name else "Contained within existing budgets." if "Resource" in name else "")
            for name, t in types.items()
        },
        core_purposes={p: ("It contributes." if name in chosen else "") for name, p in purposes.items()},
        user=rng.choice(authors),
        expected_version=None,
    )
    AgendaItem.objects.create(
        meeting=meeting,
        position=len(STANDARD_ITEMS) + position + 1,
        kind=AgendaItem.Kind.REPORT,
        title=report.subject,
        report=report,
        added_by=users["clerk"],
        added_at=meeting.starts_at - dt.timedelta(days=12),
    )
    report_record_past_publication(report=report, user=users["clerk"], at=meeting.agenda_published_at)
