"""Benchmark: the insight page (issue 19) at 1,000 and 10,000 reports: server time and query count.

Fills a database of its own (PostgreSQL by default, `--sqlite` for a temporary SQLite file) with the
demo, then published reports on the demo board's meetings, eight a meeting, two meetings a month going
back in time, with the answers the page counts spread as a council's are (climate impact, training,
equality implications, one to three core purposes; one in 25 exempt). They are written with
bulk_create: the page reads only their rows, and the real save (reports.services.report_save_draft,
which bench/scale.py and `load_demo --history` use) would take minutes per thousand to make the same
rows. Then it times each insight page (served in-process through Django's WSGI handler with DEBUG
off, as bench/scale.py does; visitors' pages rendered every time, not served from the public cache)
and prints, per page, the server CPU (this process's median plus the database backend's mean), the
wall-clock time and the number of SQL queries; and whether the page is under 300 ms of server time at
the last stage, with the same number of queries at every stage.

    .venv/bin/python bench/insight.py [--reports 10000] [--requests 10] [--sqlite] [--pg URL]

Exit status 0 whatever the figures.
"""

import argparse
import datetime as dt
import random
import sys
import time

from inprocess import Browser, count_queries, database_backend, run_on_own_site, sign_in, timed

REPORTS_PER_MEETING = 8
BUDGET_MS = 300
PAGES = [
    ("insight, visitor", "/insight/", None),
    ("insight, visitor, one year", "/insight/?date_from=2024-04-01&date_to=2025-03-31", None),
    ("insight, member (exempt of own boards)", "/insight/", "member"),
    ("insight, democratic services", "/insight/", "clerk"),
    ("drill-down, visitor", "/insight/reports/?figure=climate:neutral", None),
    ("CSV of the trend, visitor", "/insight/quarters.csv", None),
    ("spreadsheet of purposes, visitor", "/insight/purposes.ods", None),
    ("open data figures", "/api/v1/insight/", None),
]
EQUALITY = [
    "An equality impact assessment has been completed and is available on request.",
    "There are no equality implications.",
    "The service specification addresses access for under-served groups.",
    "",
]


def fill(total, made, rng):
    """Add published reports until there are `total` of ours: one transaction, bulk inserts."""
    from zoneinfo import ZoneInfo

    from django.db import transaction

    from accounts.models import User
    from boards.models import AgendaItem, Board, Meeting
    from reports.models import CorePurpose, CorePurposeContribution, Implication, ImplicationType, Report

    london = ZoneInfo("Europe/London")
    board = Board.objects.order_by("pk").first()
    officer, clerk = User.objects.get(username="officer"), User.objects.get(username="clerk")
    equality = ImplicationType.objects.get(name="Equality Implications")
    purposes = list(CorePurpose.objects.all())
    with transaction.atomic():
        for start in range(made, total, 1000):
            batch = range(start, min(start + 1000, total))
            meetings = {}
            for n in batch:
                slot = n // REPORTS_PER_MEETING
                if slot not in meetings:
                    months, half = divmod(slot, 2)
                    day = dt.date.today().replace(day=1) - dt.timedelta(days=1)
                    year, month = day.year, day.month - months
                    while month < 1:
                        year, month = year - 1, month + 12
                    starts_at = dt.datetime(year, month, 3 + 14 * half, 14, tzinfo=london)
                    meetings[slot] = Meeting(
                        board=board, starts_at=starts_at, venue="Bootle Town Hall", status="minutes_approved",
                        agenda_published_at=starts_at - dt.timedelta(days=8), agenda_published_by=clerk,
                    )  # fmt: skip
            Meeting.objects.bulk_create(meetings.values())
            reports = []
            for n in batch:
                exempt = n % 25 == 11
                reports.append(
                    Report(
                        author=officer,
                        board=board,
                        meeting=meetings[n // REPORTS_PER_MEETING],
                        subject=f"Report {n}",
                        status=Report.Status.PUBLISHED,
                        is_exempt=exempt,
                        exempt_paragraphs=[3] if exempt else [],
                        climate_impact=rng.choices(["positive", "neutral", "negative", ""], [25, 60, 12, 3])[0],
                        climate_training=rng.choices([True, False, None], [70, 28, 2])[0],
                    )  # fmt: skip
                )
            Report.objects.bulk_create(reports)
            AgendaItem.objects.bulk_create(
                AgendaItem(
                    meeting=r.meeting,
                    position=4 + i % REPORTS_PER_MEETING,
                    kind=AgendaItem.Kind.REPORT,
                    title=r.subject,
                    report=r,
                )  # fmt: skip
                for i, r in enumerate(reports)
            )
            Implication.objects.bulk_create(
                Implication(report=r, type=equality, text=rng.choice(EQUALITY)) for r in reports
            )
            CorePurposeContribution.objects.bulk_create(
                CorePurposeContribution(report=r, purpose=p, text="It contributes.")
                for r in reports
                for p in rng.sample(purposes, rng.randint(1, 3))
            )


def measure(browsers, args):
    from django.core.cache import cache

    results = {}
    for name, url, username in PAGES:
        browser = browsers[username]

        def call(url=url, browser=browser):
            status, _, _ = browser.get(url)
            if status != 200:
                raise RuntimeError(f"{url} answered {status}")

        call()  # a signed-in person's first request writes their session once: not what is counted
        cache.clear()
        queries = count_queries(call)
        cpu, wall, database = timed(call, requests=args.requests, warmup=1, backend=database_backend())
        results[name] = (cpu + database, wall, queries)
    return results


def run(args, stages, label):
    import io

    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from boards import public_cache

    public_cache.PUBLIC_PAGE_SECONDS = 0  # a visitor's page rendered for every request, as for the first visitor
    print(f"Setting up {label}: migrate, collectstatic, load_demo ...", flush=True)
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    call_command("load_demo", "--force", stdout=io.StringIO())
    browsers = {None: Browser()}
    for username in ("member", "clerk"):
        browsers[username] = Browser(sign_in(User.objects.get(username=username)))
    rng = random.Random(19)
    by_stage, made = {}, 0
    for stage in stages:
        started = time.perf_counter()
        fill(stage, made, rng)
        made = stage
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        print(f"\n{stage} reports (+ the demo's): filled in {time.perf_counter() - started:.0f} s", flush=True)
        by_stage[stage] = measure(browsers, args)
        width = max(len(name) for name in by_stage[stage]) + 2
        print(f"{'page':<{width}}{'server ms':>10}{'wall ms':>10}{'queries':>9}")
        for name, (server, wall, queries) in by_stage[stage].items():
            print(f"{name:<{width}}{server:>10.1f}{wall:>10.1f}{queries:>9}")
    last = by_stage[stages[-1]]
    print(
        f"\nAt {stages[-1]} reports, each page under {BUDGET_MS} ms of server time, its queries the same at every stage:"
    )
    for name in last:
        counts = {by_stage[s][name][2] for s in stages}
        server = last[name][0]
        verdict = "ok" if server < BUDGET_MS and len(counts) == 1 else "OVER"
        print(f"  {verdict:<5}{name}: {server:.0f} ms, queries {sorted(counts)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=10_000, help="reports at the last stage (default 10000)")
    parser.add_argument("--requests", type=int, default=10, help="timed requests per page and stage (default 10)")
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite file instead of PostgreSQL")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server (no db name)")
    args = parser.parse_args()
    stages = sorted({n for n in (1_000, 10_000) if n < args.reports} | {args.reports})
    return run_on_own_site(args, prefix="insight", run=lambda label: run(args, stages, label))


if __name__ == "__main__":
    sys.exit(main())
