"""The insight page (issue 19): what the reports' climate, equality and core purpose answers add up to.

The figures are checked against counts made here in Python from the reports themselves; the public's
figures against the public's rules (published, not exempt, on a published agenda); an exempt report's
climate answer must move no public figure; and each page costs the same queries with 3 reports as 30.
"""

import datetime as dt
import io
import zipfile
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from boards.models import AgendaItem, Meeting
from insight.selectors import decisions_for, figures
from reports.models import CorePurpose, CorePurposeContribution, Implication, ImplicationType, Report
from tests.test_public import other_board_member

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
EQUALITY_TEXTS = {
    "assessed": "An equality impact assessment has been completed and is available on request.",
    "none": "There are no equality implications.",
    "described": "The service specification addresses access for under-served groups.",
    "not_stated": "",
}


def decided(demo, n, *, board=None, day=None, climate="neutral", trained=True, exempt=False, status="published",
            equality="none", purposes=(0,), agenda_published=True):  # fmt: skip
    """A report decided at a meeting of its own on `day`, with its agenda item; written straight to the tables."""
    board = board or demo.board
    day = day or dt.date(2023, 1, 10) + dt.timedelta(days=n)
    meeting = Meeting.objects.create(
        board=board,
        starts_at=dt.datetime(day.year, day.month, day.day, 14, tzinfo=LONDON),
        venue="Bootle Town Hall",
        agenda_published_at=dt.datetime(day.year, day.month, day.day, 9, tzinfo=LONDON) if agenda_published else None,
    )
    report = Report.objects.create(
        author=demo.officer, board=board, meeting=meeting, subject=f"Decision {n}", status=status,
        climate_impact=climate, climate_training=trained, is_exempt=exempt, exempt_paragraphs=[3] if exempt else [],
    )  # fmt: skip
    Implication.objects.create(
        report=report, type=ImplicationType.objects.get(name="Equality Implications"), text=EQUALITY_TEXTS[equality]
    )
    all_purposes = list(CorePurpose.objects.order_by("position", "name"))
    for i in purposes:
        CorePurposeContribution.objects.create(report=report, purpose=all_purposes[i], text="It helps.")
    AgendaItem.objects.create(
        meeting=meeting, position=5, kind=AgendaItem.Kind.REPORT, title=report.subject, report=report
    )
    return report


def expected(reports):
    """The figures counted here, from the reports' own fields: what the page must say."""
    climate = Counter(r.climate_impact or "none" for r in reports)
    training = Counter({True: "yes", False: "no", None: "unknown"}[r.climate_training] for r in reports)
    equality = Counter()
    for r in reports:
        text = r.implications.filter(type__name="Equality Implications").values_list("text", flat=True).first() or ""
        equality[next((k for k, t in EQUALITY_TEXTS.items() if t == text), "described")] += 1
    purposes = Counter(c.purpose.name for r in reports for c in r.core_purposes.all() if c.text)
    return {"total": len(reports), "climate": climate, "training": training, "equality": equality, "purposes": purposes}


def shown(reports_qs):
    counted, tables = figures(reports_qs)
    as_dict = {key: {label: n for label, n, _ in tables[key].rows} for key in ("climate", "training", "equality")}
    return counted, tables, as_dict


@pytest.fixture
def mixed(demo):
    """A spread of decisions: public ones, an exempt one, an approved one not yet published, one whose
    agenda is unpublished, and one of another board."""
    made = {
        "public": [
            decided(demo, 1, climate="positive", equality="assessed", purposes=(0, 7)),
            decided(demo, 2, climate="neutral", trained=False, purposes=(7,)),
            decided(demo, 3, climate="neutral", equality="described"),
            decided(demo, 4, climate="", trained=None, equality="not_stated", day=dt.date(2023, 5, 2)),
        ],
        "exempt": decided(demo, 5, climate="negative", exempt=True, purposes=(1,)),
        "approved": decided(demo, 6, climate="negative", status="approved"),
        "unpublished_agenda": decided(demo, 7, climate="negative", agenda_published=False),
    }
    board, planner = other_board_member()
    made["other_board_exempt"] = decided(demo, 8, board=board, climate="negative", exempt=True)
    made["planner"] = planner
    return made


def in_2022_23(reports):
    start, end = dt.date(2022, 4, 1), dt.date(2023, 3, 31)
    return [r for r in reports if start <= r.agenda_item.meeting.date <= end]


def test_it_counts_the_public_figures_from_published_non_exempt_reports_only(demo, mixed):
    public = [demo.seed, *mixed["public"]]
    counted, tables, got = shown(decisions_for(None))
    want = expected(public)
    assert counted["total"] == want["total"] == 5
    assert counted["exempt"] == 0
    assert got["climate"] == {
        "Positive impact": want["climate"]["positive"],
        "Neutral impact": want["climate"]["neutral"],
        "Negative impact": 0,
        "No declaration": want["climate"]["none"],
    }
    assert got["training"] == {
        "Author trained": want["training"]["yes"],
        "Author not trained": want["training"]["no"],
        "Not stated": want["training"]["unknown"],
    }
    assert got["equality"] == {
        "Equality impact assessment": want["equality"]["assessed"],
        "No equality implications": want["equality"]["none"],
        "Implications described": want["equality"]["described"],
        "Not stated": want["equality"]["not_stated"],
    }
    purposes = {name: n for name, n, _ in tables["purposes"].rows}
    assert {k: v for k, v in purposes.items() if v} == dict(want["purposes"])
    assert sum(row[3] for row in tables["quarters"].rows) == 5


def test_an_exempt_reports_climate_answer_changes_no_public_figure(demo, mixed, client):
    exempt = mixed["exempt"]
    before = shown(decisions_for(None))
    page_before = client.get("/insight/").content
    for climate, trained in [("positive", False), ("", None), ("neutral", True)]:
        Report.objects.filter(pk=exempt.pk).update(climate_impact=climate, climate_training=trained)
        Implication.objects.filter(report=exempt).update(text=EQUALITY_TEXTS["assessed"])
        after = shown(decisions_for(None))
        assert after[0] == before[0] and after[2] == before[2]
        assert [t.rows for t in after[1].values()] == [t.rows for t in before[1].values()]
        cache.clear()
        assert client.get("/insight/").content == page_before
    api = client.get("/api/v1/insight/").json()
    assert api["decisions"] == 5


def test_the_officers_view_counts_what_each_may_read(demo, mixed):
    everything = decisions_for(demo.clerk)
    all_decided = [demo.seed, *mixed["public"], mixed["exempt"], mixed["approved"], mixed["unpublished_agenda"],
                   mixed["other_board_exempt"]]  # fmt: skip
    # The demo's own approved reports wait for a meeting: counted by the meeting they name.
    all_decided += list(Report.objects.filter(status="approved", agenda_item__isnull=True, meeting__isnull=False))
    assert sorted(everything.values_list("pk", flat=True)) == sorted(r.pk for r in all_decided)
    # member: the public ones, and the exempt and approved ones of their own board; not the other board's.
    member_sees = set(decisions_for(demo.member).values_list("pk", flat=True))
    assert mixed["exempt"].pk in member_sees and mixed["approved"].pk in member_sees
    assert mixed["other_board_exempt"].pk not in member_sees
    planner_sees = set(decisions_for(mixed["planner"]).values_list("pk", flat=True))
    assert mixed["other_board_exempt"].pk in planner_sees and mixed["exempt"].pk not in planner_sees
    # outsider: the public's figures, nothing more.
    outsider_sees = set(decisions_for(demo.outsider).values_list("pk", flat=True))
    assert outsider_sees == set(decisions_for(None).values_list("pk", flat=True))
    counted, _, got = shown(decisions_for(demo.member))
    readable = Report.objects.filter(pk__in=member_sees)
    assert counted["total"] == len(member_sees)
    assert counted["exempt"] == readable.filter(is_exempt=True).count()  # Decision 5 and the demo's exempt one
    assert got["climate"]["Negative impact"] == readable.filter(climate_impact="negative").count()


def test_it_shows_visitors_the_summary_charts_and_tables(client, demo, mixed):
    page = client.get("/insight/", {"date_from": "2022-04-01", "date_to": "2023-03-31"})
    assert page.status_code == 200
    html = page.content.decode()
    n = len(in_2022_23([demo.seed, *mixed["public"]]))
    assert f"Of {n} decisions in 2022/23" in html
    assert html.count('role="img"') == 5  # a chart per figure block
    assert html.count("<desc ") == 5  # each with its text alternative
    assert "Positive impact: 1 of 4 (25%)" in html
    assert "exempt" not in page.context["sentences"][-1]


def test_it_shows_a_member_the_exempt_reports_of_their_board(login, demo, mixed):
    client = login(demo.member)
    page = client.get("/insight/")
    exempt = decisions_for(demo.member).filter(is_exempt=True).count()
    assert f"{exempt} exempt reports are counted here" in page.content.decode()
    public = client.get("/insight/", {"view": "public"})
    assert public.context["counted"]["total"] == 5
    listed = client.get("/insight/reports/", {"figure": "climate:negative"}).content.decode()
    assert "Decision 5" in listed and "Decision 6" in listed and "Decision 8" not in listed


def test_it_lists_the_reports_behind_a_figure(client, demo, mixed):
    page = client.get("/insight/reports/", {"figure": "climate:neutral"})
    html = page.content.decode()
    assert page.status_code == 200
    neutral = [r for r in [demo.seed, *mixed["public"]] if r.climate_impact == "neutral"]
    for report in neutral:
        assert f'href="/papers/{report.pk}/"' in html
    assert "Decision 1" not in html and "Decision 5" not in html
    purpose = CorePurpose.objects.order_by("position", "name")[7]
    listed = client.get("/insight/reports/", {"figure": f"purpose:{purpose.pk}"}).context["page"].object_list
    contributing = [
        r.subject for r in [demo.seed, *mixed["public"]] if r.core_purposes.filter(purpose=purpose).exclude(text="")
    ]
    assert "Decision 1" in contributing and "Decision 2" in contributing
    assert sorted(r.subject for r in listed) == sorted(contributing)


@pytest.mark.parametrize(
    "query, message",
    [
        ({"date_from": "2023-05-01", "date_to": "2023-01-01"}, "The end date must be on or after the start date."),
        ({"date_from": "2023-02-30"}, "Enter the date as a real date"),
        ({"board": "no-such-board"}, "Choose a board from the list."),
    ],
)
def test_it_explains_bad_input(client, demo, query, message):
    page = client.get("/insight/", query)
    assert page.status_code == 400
    assert message in page.content.decode()
    assert client.get("/insight/climate.csv", query).status_code == 400
    assert client.get("/insight/reports/", query).status_code == 400
    assert client.get("/api/v1/insight/", query).status_code == 400


def test_an_unknown_figure_is_explained(client, demo):
    page = client.get("/insight/reports/", {"figure": "climate:lukewarm"})
    assert page.status_code == 400
    assert "There is no such figure" in page.content.decode()


def test_an_empty_period_and_a_board_with_only_exempt_reports_say_there_is_nothing_to_count(client, demo, mixed):
    empty = client.get("/insight/", {"date_from": "2030-01-01", "date_to": "2030-12-31"})
    assert empty.status_code == 200
    assert "There are no published decisions" in empty.content.decode()
    planning = client.get("/insight/", {"board": "planning-committee"})
    html = planning.content.decode()
    assert planning.status_code == 200 and "There are no published decisions of the Planning Committee" in html
    assert "Negative" not in html  # no table, no chart: not even a zero


def test_it_exports_each_table_as_csv_and_ods(client, demo, mixed):
    csv = client.get("/insight/climate.csv")
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Declaration,Reports,Share (%)"
    assert lines[1] == "Positive impact,1,20" and lines[2] == "Neutral impact,3,60"
    for table in ("training", "equality", "purposes", "quarters"):
        assert client.get(f"/insight/{table}.csv").status_code == 200
    ods = client.get("/insight/quarters.ods")
    assert ods["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    content = zipfile.ZipFile(io.BytesIO(ods.content)).read("content.xml").decode()
    assert "Jan to Mar 2023" in content and "Apr to Jun 2023" in content
    assert client.get("/insight/nothing.csv").status_code == 404
    assert client.get("/insight/climate.xls").status_code == 404


def test_the_open_data_api_gives_the_public_figures(client, demo, mixed):
    data = client.get("/api/v1/insight/", {"date_from": "2023-01-01"}).json()
    assert data["type"] == "committee:Insight"
    assert data["decisions"] == 4
    climate = {row[0]: row[1] for row in data["tables"]["climate"]["rows"]}
    assert climate["Negative impact"] == 0
    assert client.post("/api/v1/insight/").status_code == 405


def test_the_scorecard_is_a_one_page_pdf(client, demo, mixed):
    from pypdf import PdfReader

    response = client.get("/insight/scorecard.pdf", {"date_from": "2022-04-01", "date_to": "2023-03-31"})
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Climate and equality in our decisions in 2022/23" in text
    assert "Of 4 decisions in 2022/23" in text


def _count(client, url, **query):
    cache.clear()
    client.get(url, query)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, query).status_code == 200
    return len(queries)


PAGES = [
    ("/insight/", {}),
    ("/insight/reports/", {"figure": "climate:neutral"}),
    ("/insight/climate.csv", {}),
    ("/insight/quarters.ods", {}),
    ("/api/v1/insight/", {}),
]


def test_it_costs_the_same_queries_with_10_reports_as_with_1000(client, login, demo):
    def grow(upto, start):
        for n in range(start, upto):
            decided(demo, n, climate=["positive", "neutral", ""][n % 3], day=dt.date(2021, 1, 1) + dt.timedelta(days=n),
                    exempt=n % 5 == 0, purposes=(n % 8,))  # fmt: skip

    def counts():
        member = login(demo.member)
        found = {url: (_count(Client(), url, **query), _count(member, url, **query)) for url, query in PAGES}
        member.logout()
        return found

    grow(10, 0)
    few = counts()
    grow(1000, 10)
    assert counts() == few  # as a visitor and as a member, on every page


def test_the_trend_has_every_quarter_from_the_first_to_the_last(demo, mixed):
    _, tables = figures(decisions_for(None))
    quarters = [row[0] for row in tables["quarters"].rows]
    assert quarters[0] == "Jul to Sep 2022"  # the seed's meeting of 14 September 2022
    assert quarters[-1] == "Apr to Jun 2023"
    assert len(quarters) == 4 and [row[3] for row in tables["quarters"].rows] == [1, 0, 3, 1]


def test_the_demo_history_is_made_through_the_services_once(demo):
    from insight.demo import load_history

    today = dt.date(2026, 12, 6)
    made = load_history(demo.users, months=3, today=today)
    history = Report.objects.filter(summary__contains="Demo history")
    assert made == history.count() > 0
    assert set(history.values_list("status", flat=True)) == {"published"}
    assert all(r.history.exists() for r in history)  # saved through report_save_draft: its history kept
    assert not history.filter(agenda_item__meeting__agenda_published_at__isnull=True).exists()
    days = {r.agenda_item.meeting.date for r in history}
    assert min(days) >= dt.date(2026, 9, 1) and max(days) < dt.date(2026, 12, 1)
    assert load_history(demo.users, months=3, today=today) == 0  # a second run adds nothing
    public = decisions_for(None).filter(pk__in=history)
    assert public.count() == history.filter(is_exempt=False).count()


def test_the_scorecard_stays_on_one_page_with_every_table_full(client, demo):
    from pypdf import PdfReader

    # Ten quarters of decisions (the scorecard prints the last eight), every core purpose, every answer.
    for n in range(30):
        decided(demo, n, climate=["positive", "neutral", "negative", ""][n % 4], trained=[True, False, None][n % 3],
                equality=list(EQUALITY_TEXTS)[n % 4], purposes=range(8), day=dt.date(2023, 1, 5) + dt.timedelta(days=31 * n))  # fmt: skip
    response = client.get("/insight/scorecard.pdf")
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(reader.pages[0].extract_text().split())
    assert len(reader.pages) == 1, text[-300:]
    assert "(the last eight)" in text and "Cleaner Greener" in text
