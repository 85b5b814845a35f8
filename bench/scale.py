"""Benchmark: a council's decade of reports, and what every listing and search page costs as it grows.

Fills a database of its own, in stages, up to --reports reports (default 10,000): 100, then
1,000, then 10,000 (stages above --reports are skipped; --reports itself is always the last).
After each stage it times every page that lists or searches (public search, signed-in search,
/reports/, My work, /meetings/, the calendar, the Forward Plan, the public papers list, each
feed, each API list endpoint, a board's page) and prints, per page, the median server time per
request (wall-clock and this process's CPU, in ms, served in-process through Django's WSGI
handler with DEBUG off) as server CPU: this process's CPU (median) plus the CPU of the PostgreSQL
backend serving it (mean; read from /proc in clock ticks of 10 ms, hence a mean over the
requests), so that waiting for a CPU another process holds is not counted; the wall-clock time
too, and the number of SQL queries. A search page is timed in three rounds of five times as many
requests (the backend's ticks make a small time coarse), and its fastest round counts, as timeit's
does: the growth budgets compare times taken minutes apart, and other work only ever adds time. The stamps that visitors' pages and signed-in searches
are kept under (boards/public_cache.py: aggregates over the reports, read at most once a second
in a process and shared by every request in that second) are read afresh for each page, in the
request whose queries are counted, then held while the page is timed; each stamp is timed on its
own line, so what a page costs a request and what a process pays once a second are not mixed. The
minimal view of bench/urls_load.py is timed at each stage as a control: if it moves, the machine's
load did. Then the checks of issue 21:

- a selective term (in under 1% of reports) at the last stage at most 1.5x its time at the first;
- a common term (in about half) no slower per match at the last stage than at the one before,
  where "per match" is the page's time divided by the number of results the page reports (its
  count: the same `search_reports(...).count()` the paginator prints as "N results");
- each page's query count the same at every stage.

A growth budget compares two stages, and this machine's speed drifts by up to a third between two
minutes: timed as each stage is filled, the same build's selective search gave 1.17x in one run and
1.50x in the next. So the database is copied as it stood at each stage but the last (on PostgreSQL
CREATE DATABASE ... TEMPLATE, on SQLite the backup API), and the searches the budgets compare are
timed again at the end side by side, the copy and the full database in alternating rounds
(SIDE_BY_SIDE_ROUNDS, each of five times --requests; the fastest of each side counts): the checks are
on those figures, and the ratios of the stage-by-stage tables are printed beside them.

The council: the demo (load_demo), plus four more boards; the five boards meet twice a month each,
newest first going back in time as the stages fill (8 reports a meeting: 10,000 reports reach back
about ten years); 20 authors, one of them the demo's `officer`. Every report is written through
reports.services.report_save_draft (the real save: its rows, its version, its history, its search
document, kept by reports.searchindex.reindex_report), with texts of the seed's sizes (the seed
report's summary, recommendations and a shuffled choice of its sections, from reports.demo), then
placed on its meeting's agenda and published as load_demo places and publishes the seed: an
agenda item, the status saved on the report (a history row) and its event. One in 25 is exempt,
one in 100 stays a draft. Half the reports hold the common term ("housing"); one in 200 the
selective one ("geothermal": 1 match at 100 reports, 50 at 10,000, so more results on the page);
three, for information, a rare one ("tramway": the same three matches at every stage, so its
time can grow only with the number of reports). No PDF is rendered. One transaction per batch; on
PostgreSQL, VACUUM ANALYZE after each stage (as autovacuum would, soon after a change of that size:
ANALYZE alone leaves the search index's GIN pending list unmerged, and the planner then scans
every search document instead).

    .venv/bin/python bench/scale.py [--reports 10000] [--requests 10] [--sqlite] [--pg URL]

It creates, then drops, a PostgreSQL database of its own (committee_scale_<pid>, on
postgres@127.0.0.1:5432 with trust authentication, or --pg URL), or with --sqlite a SQLite file
in its temporary directory, removed at the end, on failure and on Ctrl-C too. Other work on the
machine makes the times noisy; the query counts are exact. Exit status 0 whatever the figures.
"""

import argparse
import datetime as dt
import random
import sys
import time

from inprocess import (
    Browser,
    count_queries,
    create_database,
    database_backend,
    drop_database,
    query_url,
    run_on_own_site,
    sign_in,
    timed,
)

COMMON_TERM, SELECTIVE_TERM, RARE_TERM = "housing", "geothermal", "tramway"
RARE_REPORTS = {5, 45, 85}  # the rare term's reports: the same three at every stage, all in the first 100
REPORTS_PER_MEETING = 8
BATCH = 100
SEARCH_ROUNDS = 3  # a search page is timed in this many rounds of 5 x --requests; the fastest counts
SIDE_BY_SIDE_ROUNDS = 8  # rounds of each side when a growth budget's two stages are timed in turn
STAMPS = []  # (name, function) of the cache stamps timed on their own: set by run()
EXTRA_BOARDS = ["Cabinet", "Planning Committee", "Overview and Scrutiny Committee", "Licensing Committee"]
TOPICS = [
    "Better Care Fund Quarterly Return", "Pharmaceutical Needs Assessment", "Joint Strategic Needs Assessment",
    "Children and Young People's Plan", "Adult Social Care Market Position Statement", "Local Plan Review",
    "Air Quality Action Plan", "Revenue and Capital Budget Update", "Leisure Centres Investment Programme",
    "Domestic Abuse Strategy", "Homelessness Prevention Strategy", "Treasury Management Outturn",
    "Highways Maintenance Programme", "Community Safety Partnership Annual Report", "Licensing Policy Review",
    "Special Educational Needs Inspection Update", "Climate Emergency Action Plan", "Libraries Strategy",
    "Public Health Annual Report", "Suicide Prevention Action Plan", "Town Centre Regeneration Framework",
]  # fmt: skip
COMMON_PARAGRAPH = (
    "<p>Housing conditions remain a driver of poor health: the private rented housing survey found damp and "
    "cold homes in every ward, and the housing team will report progress to the Board.</p>"
)
SELECTIVE_PARAGRAPH = (
    "<p>A geothermal heat network feasibility study for the civic buildings is included in the capital "
    "programme, subject to grant funding.</p>"
)

RARE_PARAGRAPH = "<p>The tramway extension consultation closed in the spring; responses are summarised below.</p>"


class Council:
    """The boards, authors and meetings of the decade, and the filling of reports into them."""

    def __init__(self):
        from accounts.models import User
        from boards.models import Board
        from reports.models import Portfolio, Post

        self.clerk = User.objects.get(username="clerk")
        demo_board = Board.objects.order_by("pk").first()
        self.boards = [demo_board]
        for name in EXTRA_BOARDS:
            board, _ = Board.objects.get_or_create(
                slug=name.lower().replace(" ", "-"),
                defaults={"name": name, "default_venue": "Bootle Town Hall", "clerk": self.clerk},
            )
            self.boards.append(board)
        self.authors = [User.objects.get(username="officer")]
        for n in range(1, 20):
            user, _ = User.objects.get_or_create(
                username=f"author-{n:02d}",
                defaults={"first_name": "Author", "last_name": f"Number {n}", "is_author": True},
            )
            self.authors.append(user)
        self.report_of = Post.objects.get(title="Director of Public Health")
        self.portfolios = list(Portfolio.objects.order_by("pk"))
        self.slots = self._meeting_slots()
        self.made = 0
        self.meeting, self.on_meeting = None, REPORTS_PER_MEETING

    def _meeting_slots(self):
        """(board, start) of each meeting: two a month per board, from last month back twenty years."""
        from zoneinfo import ZoneInfo

        london = ZoneInfo("Europe/London")
        today = dt.date.today()
        year, month = today.year, today.month
        while True:
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
            for day in (17, 3):
                for index, board in enumerate(self.boards):
                    yield board, dt.datetime(year, month, day + index, 14, 0, tzinfo=london)

    def _next_meeting(self):
        from boards.models import Meeting
        from boards.services import ensure_standard_items

        board, starts_at = next(self.slots)
        meeting = Meeting.objects.create(
            board=board,
            starts_at=starts_at,
            venue=board.default_venue,
            status=Meeting.Status.MINUTES_APPROVED,
            agenda_published_at=starts_at - dt.timedelta(days=8),
            agenda_published_by=self.clerk,
        )
        ensure_standard_items(meeting)
        return meeting

    def fill(self, total):
        """Add reports until there are `total` of ours, one transaction per batch."""
        from django.db import transaction

        while self.made < total:
            with transaction.atomic():
                for _ in range(min(BATCH, total - self.made)):
                    self._one_report()

    def _one_report(self):
        from boards.models import STANDARD_ITEMS, AgendaItem
        from reports import demo
        from reports.forms import Row
        from reports.models import Report, ReportEvent
        from reports.services import report_save_draft

        n = self.made
        self.made += 1
        rng = random.Random(n)
        draft = n % 100 == 7
        if not draft and self.on_meeting >= REPORTS_PER_MEETING:
            self.meeting, self.on_meeting = self._next_meeting(), 0
        board = self.meeting.board if (self.meeting and not draft) else self.boards[n % len(self.boards)]
        seed = demo.SEED
        sections = rng.sample(seed["sections"], rng.randint(3, len(seed["sections"])))
        extra = (COMMON_PARAGRAPH if n % 2 == 0 else "") + (SELECTIVE_PARAGRAPH if n % 200 == 3 else "")
        extra += RARE_PARAGRAPH if n in RARE_REPORTS else ""
        if extra:
            heading, body = sections[0]
            sections[0] = (heading, body + extra)
        exempt = n % 25 == 11
        topic = rng.choice(TOPICS)
        year = self.meeting.starts_at.year if self.meeting else dt.date.today().year
        fields = {
            "subject": f"{topic} {year}" + (f" ({board.name})" if rng.random() < 0.3 else ""),
            "summary": f"The report on the {topic.lower()} for the {board.name}. " + seed["summary"],
            "reasons": seed["reasons"],
            "alternatives": seed["alternatives"],
            "revenue_costs": seed["revenue_costs"],
            "capital_costs": seed["capital_costs"],
            "board": board,
            "meeting": None if draft else self.meeting,
            "report_of": self.report_of,
            "portfolio": self.portfolios[n % len(self.portfolios)],
            "all_wards": True,
            "is_key_decision": n % 10 == 0,
            "in_forward_plan": n % 10 == 0,
            "forward_plan_date": (self.meeting.starts_at.date() - dt.timedelta(days=40))
            if (n % 10 == 0 and not draft)
            else None,
            "is_exempt": exempt,
            "exempt_paragraphs": [3] if exempt else [],
            "contact_officer": "Eleanor Moulton",
            "contact_email": "eleanor.moulton@sefton.gov.uk",
        }
        author = self.authors[n % len(self.authors)]
        report, _ = report_save_draft(
            report=Report(),
            fields=fields,
            recommendations=[Row(None, {"text": text}) for text in seed["recommendations"]],
            sections=[Row(None, {"heading": heading, "body": body}) for heading, body in sections],
            user=author,
            expected_version=None,
        )
        if draft:
            return
        self.on_meeting += 1
        AgendaItem.objects.create(
            meeting=self.meeting,
            position=len(STANDARD_ITEMS) + self.on_meeting,
            kind=AgendaItem.Kind.REPORT,
            title=report.subject,
            report=report,
            added_by=self.clerk,
        )
        before = report.status
        report.status = Report.Status.PUBLISHED
        report._history_user = self.clerk
        report.save(update_fields=["status"])
        ReportEvent.objects.create(
            report=report, actor=self.clerk, action="published", from_status=before, to_status=report.status
        )


def pages(slug):
    """(name, url, username or None) of every page that lists or searches."""
    api = "/api/v1/"
    rows = [
        ("minimal view (control)", "/bench/minimal/", None),
        (f"public search {COMMON_TERM!r}", query_url("/search/", q=COMMON_TERM), None),
        (f"public search {SELECTIVE_TERM!r}", query_url("/search/", q=SELECTIVE_TERM), None),
        (f"public search {RARE_TERM!r}", query_url("/search/", q=RARE_TERM), None),
        (f"signed-in search {COMMON_TERM!r}", query_url("/search/", q=COMMON_TERM), "officer"),
        (f"signed-in search {SELECTIVE_TERM!r}", query_url("/search/", q=SELECTIVE_TERM), "officer"),
        ("/reports/ (officer's)", "/reports/", "officer"),
        ("/reports/?scope=all (clerk)", "/reports/?scope=all", "clerk"),
        ("My work (officer)", "/", "officer"),
        ("My work (clerk)", "/", "clerk"),
        ("/meetings/", "/meetings/", "officer"),
        ("public home", "/public/", None),
        ("calendar", "/calendar/", None),
        ("Forward Plan", "/forward-plan/", None),
        ("board page", f"/boards/{slug}/", None),
        ("feed RSS", "/feeds/agendas.rss", None),
        ("feed Atom", "/feeds/agendas.atom", None),
        ("feed iCalendar", "/feeds/meetings.ics", None),
        ("API bodies", api + "bodies/", None),
        ("API organizations", api + "organizations/", None),
        ("API meetings", api + "meetings/", None),
        ("API agenda items", api + "agenda-items/", None),
        ("API papers (public papers list)", api + "papers/", None),
    ]
    return rows


def requester(browser, url):
    """A call that asks for `url` as `browser` and fails unless it is answered 200."""

    def call():
        status, _, _ = browser.get(url)
        if status != 200:
            raise RuntimeError(f"{url} answered {status}")

    return call


def measure(stage, browsers, users, slug, args):
    """{page name: (server CPU ms, wall ms, queries, matches or None)} at this stage."""
    from django.core.cache import cache

    from public.search import search_reports

    results = {}
    for name, url, username in pages(slug):
        call = requester(browsers[username], url)
        # The first request after a stage's reports are published brings the API's record of changes up to
        # date once (public/harvest.py: batches that grow with what was just published, not with the
        # reports); the count is of a request after it. A visitor's page reads the public stamp
        # (boards/public_cache.py, a fixed few queries) at most once a second; the cache is emptied first
        # so that every count includes it, whichever second it falls in.
        call()
        cache.clear()
        queries = count_queries(call)
        # The stamps just read are held while the page is timed (run() sets RECHECK_SECONDS high): they
        # are timed on their own below. A search's budget is a ratio of two small times taken minutes
        # apart, on a machine whose speed drifts by a third from minute to minute here: it is timed in
        # SEARCH_ROUNDS rounds of five times the requests (the backend's CPU is read in ticks of 10 ms),
        # and the fastest round counts, as timeit does (other work only ever adds time).
        if "search" in name:
            cpu, wall, database = fastest(call, rounds=SEARCH_ROUNDS, args=args)
        else:
            cpu, wall, database = timed(call, requests=args.requests, warmup=1, backend=database_backend())
        matches = None
        if "search" in name:
            term = next(t for t in (COMMON_TERM, SELECTIVE_TERM, RARE_TERM) if t in url)
            matches = search_reports(users[username], term).count()
        results[name] = (cpu + database, wall, queries, matches)
    for name, stamp in STAMPS:
        cpu, wall, database = timed(stamp, requests=args.requests, warmup=1, backend=database_backend())
        results[name] = (cpu + database, wall, count_queries(stamp), None)
    return results


def fastest(call, *, rounds, args, warmup=1):
    """(CPU ms, wall ms, database ms) of the fastest of `rounds` rounds of five times --requests calls."""
    return min(
        (timed(call, requests=args.requests * 5, warmup=warmup, backend=database_backend()) for _ in range(rounds)),
        key=lambda figures: figures[0] + figures[2],
    )


class Snapshots:
    """Copies of the database as it stood at earlier stages, so that a growth budget's two stages are
    timed side by side (side_by_side), not minutes apart on a machine whose speed drifts."""

    def __init__(self, pg):
        from django.db import connection

        self.pg = pg
        self.live = connection.settings_dict["NAME"]
        self.copies = {}  # stage: the copy's database NAME

    def keep(self, stage):
        import sqlite3

        from django.db import connection, connections

        if connection.vendor == "postgresql":
            name = f"{self.live}_at_{stage}"
            connections.close_all()  # a template database may have nobody connected to it
            create_database(self.pg, name, template=self.live)
        else:
            name = f"{self.live}.at-{stage}"
            connection.ensure_connection()
            copy = sqlite3.connect(name)
            try:
                connection.connection.backup(copy)
            finally:
                copy.close()
        self.copies[stage] = name

    def use(self, name):
        """Connect to database `name` (the live one or a copy) from the next query on."""
        from django.db import connection, connections

        connections.close_all()
        connection.settings_dict["NAME"] = name

    def drop(self):
        import os

        from django.db import connection

        self.use(self.live)
        for name in self.copies.values():
            if connection.vendor == "postgresql":
                drop_database(self.pg, name)
            elif os.path.exists(name):
                os.remove(name)
        self.copies.clear()


def side_by_side(snapshots, stage, call, args):
    """(ms at `stage`, ms now) of `call`'s server CPU: the copy kept at `stage` and the live database timed
    in alternating rounds, after a few requests to warm each new connection; the fastest round of each counts."""
    best = {}
    for _ in range(SIDE_BY_SIDE_ROUNDS):
        for side, name in (("then", snapshots.copies[stage]), ("now", snapshots.live)):
            snapshots.use(name)
            cpu, _, database = fastest(call, rounds=1, args=args, warmup=5)
            best[side] = min(best.get(side, float("inf")), cpu + database)
    snapshots.use(snapshots.live)
    return best["then"], best["now"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=10_000, help="reports at the last stage (default 10000)")
    parser.add_argument("--requests", type=int, default=10, help="timed requests per page and stage (default 10)")
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite file instead of PostgreSQL")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server (no db name)")
    args = parser.parse_args()
    stages = sorted({n for n in (100, 1_000, 10_000) if n < args.reports} | {args.reports})

    return run_on_own_site(args, prefix="scale", run=lambda label: run(args, stages, label))


def run(args, stages, label):
    import io

    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command

    from accounts.models import User
    from boards import public_cache
    from public import views as public_views

    # What grows with the reports is the pages' own work: visitors' pages and signed-in searches are
    # rendered for every request here, not served from the cache they are kept in between changes
    # (bench/pages.py measures what they cost with it).
    public_cache.PUBLIC_PAGE_SECONDS = 0
    public_views.SIGNED_IN_SEARCH_SECONDS = 0
    # The stamps those pages' keys are made of are read at most once a second in a server process, shared
    # by every page and request in that second: here they are read afresh for each page (measure()
    # empties the cache before counting its queries, so each count includes them), held while it is
    # timed, and timed on their own lines.
    public_cache.RECHECK_SECONDS = 3600
    STAMPS[:] = [
        ("public stamp (once a second a process)", public_cache.public_stamp),
        ("search stamp (once a second a process)", public_cache.search_stamp),
    ]
    print(f"Setting up {label}: migrate, collectstatic, load_demo ...", flush=True)
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    call_command("load_demo", "--force", stdout=io.StringIO())
    council = Council()
    slug = council.boards[0].slug
    users = {None: AnonymousUser()}
    browsers = {None: Browser()}
    for username in ["officer", "clerk"]:
        users[username] = User.objects.get(username=username)
        browsers[username] = Browser(sign_in(users[username]))

    snapshots = Snapshots(args.pg)
    try:
        by_stage = fill_and_measure(args, stages, council, browsers, users, slug, snapshots)
        paired = compare_side_by_side(args, stages, browsers, slug, snapshots)
    finally:
        snapshots.drop()
    print_summary(by_stage, stages, args, paired)


def fill_and_measure(args, stages, council, browsers, users, slug, snapshots):
    """{stage: measure()'s figures}, filling the database stage by stage and copying it after each but the last."""
    from django.db import connection

    by_stage, previous = {}, 0
    for stage in stages:
        started = time.perf_counter()
        council.fill(stage)
        seconds = time.perf_counter() - started
        if connection.vendor == "postgresql":
            # What autovacuum does soon after a change this size: the planner's statistics current, and
            # the GIN index's pending list merged into it (with 10,000 new documents still pending,
            # the planner scans every document: 30 ms for a 3-match search, 0.07 ms once merged).
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        print(f"{stage} reports (+ the demo's): filled in {seconds:.0f} s "
              f"({seconds / (stage - previous) * 1000:.0f} ms a report); measuring ...", flush=True)  # fmt: skip
        previous = stage
        by_stage[stage] = measure(stage, browsers, users, slug, args)
        print_stage(stage, by_stage[stage], args)
        if stage != stages[-1]:
            snapshots.keep(stage)
    return by_stage


def growth_pairs(stages):
    """(page name, earlier stage) of each growth budget, compared with the last stage."""
    first, before_last = stages[0], stages[-2] if len(stages) > 1 else stages[0]
    return [
        (f"public search {SELECTIVE_TERM!r}", first),
        (f"signed-in search {SELECTIVE_TERM!r}", first),
        (f"public search {COMMON_TERM!r}", before_last),
        (f"signed-in search {COMMON_TERM!r}", before_last),
        (f"public search {RARE_TERM!r}", first),
    ]


def compare_side_by_side(args, stages, browsers, slug, snapshots):
    """{(page name, earlier stage): (ms then, ms now)}: each growth budget's page timed on the copy kept at
    its earlier stage and on the full database in turn (side_by_side); empty with a single stage."""
    if len(stages) < 2:
        return {}
    print(f"Timing the growth budgets' searches side by side: the copies and the full database in turn, "
          f"{SIDE_BY_SIDE_ROUNDS} rounds each ...", flush=True)  # fmt: skip
    urls = {name: (url, username) for name, url, username in pages(slug)}
    paired = {}
    for name, stage in growth_pairs(stages):
        url, username = urls[name]
        call = requester(browsers[username], url)
        paired[name, stage] = side_by_side(snapshots, stage, call, args)
    return paired


def print_stage(stage, results, args):
    width = max(len(name) for name in results) + 2
    print(f"\nAt {stage} reports: per request, {args.requests} requests after 1 to warm up")
    print(f"{'page':<{width}}{'server CPU ms':>14}{'wall ms':>9}{'queries':>9}{'matches':>9}")
    for name, (server, wall, queries, matches) in results.items():
        print(f"{name:<{width}}{server:>14.2f}{wall:>9.2f}{queries:>9}{'' if matches is None else matches:>9}")
    print(flush=True)


def print_summary(by_stage, stages, args, paired):
    names = list(by_stage[stages[0]])
    width = max(len(name) for name in names) + 2
    print("All stages: server CPU ms per request / queries")
    print(f"{'page':<{width}}" + "".join(f"{f'{s} reports':>20}" for s in stages))
    for name in names:
        cells = "".join(f"{f'{by_stage[s][name][0]:.1f} ms / {by_stage[s][name][2]}':>20}" for s in stages)
        print(f"{name:<{width}}{cells}")
    print()
    last = stages[-1]
    checks = []
    for name, stage in growth_pairs(stages) if paired else []:
        (t0, m0), (t1, m1) = by_stage[stage][name][::3], by_stage[last][name][::3]
        p0, p1 = paired[name, stage]
        side = f"side by side: {p1:.1f} ms at {last} reports ({m1} matches), {p0:.1f} ms at {stage} ({m0})"
        staged = f"as each stage was filled: {t1:.1f} against {t0:.1f} ms"
        if COMMON_TERM in name:
            per0, per1 = p0 / max(m0, 1), p1 / max(m1, 1)
            checks.append((per1 <= per0, f"{name}: {per1 * 1000:.1f} µs a match at {last} reports, {per0 * 1000:.1f} µs "
                           f"at {stage} (budget: no slower); {side}; {staged}, "
                           f"{t1 / max(m1, 1) * 1000:.1f} against {t0 / max(m0, 1) * 1000:.1f} µs a match"))  # fmt: skip
        elif SELECTIVE_TERM in name:
            checks.append((p1 <= 1.5 * p0, f"{name}: {p1 / p0:.2f}x (budget 1.5x); {side}; {staged}, {t1 / t0:.2f}x"))
        else:
            checks.append((p1 <= 1.5 * p0, f"{name} (information: the same {m1} matches at every stage): "
                           f"{p1 / p0:.2f}x (the selective term's budget, 1.5x); {side}; {staged}, {t1 / t0:.2f}x"))  # fmt: skip
    grown = [name for name in names if len({by_stage[s][name][2] for s in stages}) > 1]
    checks.append((not grown, "query counts the same at every stage"
                   + (f"; they differ for: {', '.join(grown)}" if grown else "")))  # fmt: skip
    print("Checks, on server CPU (this process's, plus the PostgreSQL backend's), noisy on a shared machine:")
    for passed, text in checks:
        print(f"  {'PASS' if passed else 'FAIL'}  {text}")


if __name__ == "__main__":
    sys.exit(main())
