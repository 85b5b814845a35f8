"""Benchmark: the CPU each page costs per request, as a multiple of a minimal view's.

In one process, with production-like settings (DEBUG off, the cached template loader, the
bench URLconf of bench/load.py that adds the minimal view /bench/minimal/: a short response
behind the same middleware), on a database of its own loaded as bench/load.py loads it (the demo,
the next meeting's agenda published with its packs, an officer with a draft), it serves each page
through Django's WSGI handler and prints, per page: the median CPU time of this process per
request (time.process_time, over --requests requests after --warmup), the median wall-clock time,
the number of SQL queries, the multiple of the minimal view's CPU, the budget and OVER or ok.
The minimal view is timed in turn with each page (three of its requests before each of the page's),
and the page's multiple is of that median: the machine's other work, which comes and goes over a
run, then moves both alike (on a shared machine the multiple of a baseline timed minutes apart
moved by a third from run to run).
The editor page is measured as the officer opens it again (kept in the cache while the report is
unchanged, reports/editorcache.py), and, without a budget, as first opened after a change (another
page of theirs autosaves before each request, untimed; its database work is in that row's DB CPU).
The editor autosaves as the editor's script does (inprocess.Editor: one page id, so the autosaves
after the first fold into its version, and only the field typed in, the summary, named in `_changed`);
the draft's versions before and after are printed too.

Budgets (issue 21), as multiples of the minimal view measured in the same run: every public page,
feed and API list 5x; search 10x (public and signed-in: the same query again, as the page cache and
the signed-in search cache keep it); the editor page 20x; an autosave 10x. A search that misses the
cache (a new query each request, the same matches) is printed too, without a budget.
/healthz is printed for reference (it queries the database four times: it is not the minimal
view, and the issue's first figures were multiples of it), and so are the minimal view signed in
(what reading the session and its user adds to every signed-in request) and the site's base template
rendered empty (bench/urls_load.py's /bench/empty-page/), for a visitor and signed in: what any
page costs before its own content. The signed-in lists (My work, /reports/, /meetings/) have no budget in the issue and are printed
without one: every signed-in request reads its session and its user
(and writes the session at most once a minute), and their query counts are held constant by tests instead.

CPU is this process's (Python, templates, the ORM, the database driver; with --sqlite also
SQLite's work); PostgreSQL's own CPU, in its backend process, is the "DB CPU" column (a mean over
the timed requests, read from /proc in clock ticks of 10 ms), not part of the multiple.
Other work on the machine makes the figures noisy: compare multiples, not milliseconds.

    .venv/bin/python bench/pages.py [--requests 30] [--warmup 5] [--sqlite] [--pg URL]

It creates, then drops, a PostgreSQL database of its own (committee_pages_<pid>, on
postgres@127.0.0.1:5432 with trust authentication, or --pg URL), or with --sqlite a SQLite file
in its temporary directory, which is removed at the end, on failure and on Ctrl-C too. Exit
status 0 whatever the figures (a benchmark, not a test); the last line says how many pages are
over budget.
"""

import argparse
import sys
import time

from inprocess import (
    BASELINE_TURNS,
    Browser,
    Editor,
    count_queries,
    database_backend,
    query_url,
    run_on_own_site,
    sign_in,
    timed,
)

PUBLIC, SEARCH, EDITOR, AUTOSAVE = 5, 10, 20, 10
# Groups whose budget is printed as a reference, in brackets, and not counted as over budget.
REFERENCE_ONLY = {"reader"}
COMMON_TERM, SELECTIVE_TERM = "health", "inequalities"


def pages(data, slug):
    """(group, name, url, user, budget) for every page measured; user is None for a visitor."""
    api = "/api/v1/"
    public = [
        ("home", "/public/"),
        ("calendar", "/calendar/"),
        ("meeting page", data["meeting_url"]),
        ("paper page", data["papers"][0][0]),
        ("papers list (API)", api + "papers/"),
        ("Forward Plan", "/forward-plan/"),
        ("board page", f"/boards/{slug}/"),
        ("feed RSS", "/feeds/agendas.rss"),
        ("feed Atom", "/feeds/agendas.atom"),
        ("feed iCalendar", "/feeds/meetings.ics"),
        ("API bodies", api + "bodies/"),
        ("API organizations", api + "organizations/"),
        ("API meetings", api + "meetings/"),
        ("API agenda items", api + "agenda-items/"),
        ("councillors", "/councillors/"),
        ("register of interests", "/register/"),
        ("reader service worker", "/reader/sw.js"),
        ("reader manifest", "/reader/manifest.webmanifest"),
    ]
    rows = [("public", name, url, None, PUBLIC) for name, url in public]
    rows += [
        ("public", f"search {COMMON_TERM!r}", query_url("/search/", q=COMMON_TERM), None, SEARCH),
        ("public", f"search {SELECTIVE_TERM!r}", query_url("/search/", q=SELECTIVE_TERM), None, SEARCH),
        ("signed in", "My work", "/", "officer", None),
        ("signed in", "/reports/", "/reports/", "officer", None),
        ("signed in", "/reports/ all (clerk)", "/reports/?scope=all", "clerk", None),
        ("signed in", "/meetings/", "/meetings/", "officer", None),
        ("signed in", f"search {COMMON_TERM!r}", query_url("/search/", q=COMMON_TERM), "officer", SEARCH),
    ]
    # The members' reader (issue 20), for the board's member: the public pages' 5x (its search 10x) is
    # printed beside them as the signed-in pages' reference, not counted as their budget: every signed-in
    # request reads its session and user, and the base template signed in is already about 8x.
    reader = data["reader"]
    rows += [
        ("reader", "reader: meetings", "/reader/", "member", PUBLIC),
        ("reader", "reader: the meeting (shell)", reader["shell"], "member", PUBLIC),
        ("reader", "reader: an item (fragment)", reader["item"], "member", PUBLIC),
        ("reader", "reader: search in the meeting", reader["search"], "member", SEARCH),
        ("reader", "reader: my notes (API)", reader["notes"], "member", PUBLIC),
        # What a device keeps of the meeting to read offline, and the check of a kept meeting (reader/offline.py).
        ("reader", "reader: offline.json", reader["shell"] + "offline.json", "member", PUBLIC),
        ("reader", "reader: offline check", reader["check"], "member", PUBLIC),
    ]
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--warmup", type=int, default=5, help="requests per page before timing (default 5)")
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite file instead of PostgreSQL")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server (no db name)")
    args = parser.parse_args()

    return run_on_own_site(args, prefix="pages", run=lambda label: set_up_and_run(args, label))


def set_up_and_run(args, label):
    from load import set_up_data

    print(f"Setting up {label} ...", flush=True)
    started = time.perf_counter()
    data = set_up_data(1)
    data["reader"] = reader_urls(data)
    print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)
    run(args, data)


def reader_urls(data):
    """The reader's addresses for the published meeting, with a note of member's on each report's first
    numbered paragraph (so the notes API has some to place)."""
    import uuid

    from accounts.models import User
    from boards.models import Meeting
    from reader import selectors, services

    meeting = Meeting.objects.get(pk=int(data["meeting_url"].strip("/").split("/")[-1]))
    member = User.objects.get(username="member")
    index = selectors.meeting_blocks(member, meeting)
    firsts = [block for block in index.blocks if block.number.endswith(".1")]
    changes = [
        {"id": str(uuid.uuid4()), "anchor": block.anchor, "quote": "", "highlight": True, "text": "A note",
         "deleted": False, "base": 0}
        for block in firsts
    ]  # fmt: skip
    services.notes_sync(user=member, meeting=meeting, changes=changes, index=index)
    item = meeting.items.filter(report__isnull=False).order_by("-position").first()
    return {
        "shell": f"/reader/meetings/{meeting.pk}/",
        "item": f"/reader/meetings/{meeting.pk}/items/{item.pk}/",
        "search": f"/reader/meetings/{meeting.pk}/search/?q=health",
        "notes": f"/reader/api/notes/?meeting={meeting.pk}",
        "check": f"/reader/api/offline-check/?meeting={meeting.pk}",
    }


def run(args, data):
    from accounts.models import User
    from boards.models import Board
    from reports.models import Report

    slug = Board.objects.order_by("pk").values_list("slug", flat=True).first()
    browsers = {None: Browser()}
    for username in ["officer", "clerk", "member"]:
        browsers[username] = Browser(sign_in(User.objects.get(username=username)))
    account = data["accounts"][0]
    editor = Editor(Browser(account["session"]), account["edit_url"], account["summary"])

    rows = []  # (group, name, cpu, wall, database cpu, queries, budget)

    def measure(group, name, call, budget, requests=args.requests, before=None, baseline=True):
        if before:
            before()
        queries = count_queries(call)
        cpu, wall, database, *base = timed(
            call, requests=requests, warmup=args.warmup, backend=database_backend(), before=before,
            baseline=minimal if baseline else None,
        )  # fmt: skip
        rows.append((group, name, cpu, wall, database, queries, budget, base[0] if base else None))
        print(
            f"  {name}: {cpu:.2f} ms" + (f" (the minimal view in turn: {base[0]:.2f} ms)" if base else ""), flush=True
        )

    def page(browser, url):
        def call():
            status, _, _ = browser.get(url)
            if status != 200:
                raise RuntimeError(f"{url} answered {status}")

        return call

    def new_search(browser):
        misses = iter(range(10**9))
        return lambda: page(browser, query_url("/search/", q=f"{COMMON_TERM} -zq{next(misses)}"))()

    print(f"Measuring: {args.warmup} requests to warm up, then the median of {args.requests} ...", flush=True)
    # The baseline is timed ten times as often as a page, first and last, since each of its requests is
    # short enough for the machine's other work to move it; the budgets count from the mean of the two.
    minimal = page(browsers[None], "/bench/minimal/")
    measure("minimal", "minimal view (first)", minimal, None, args.requests * 10, baseline=False)
    measure("reference", "minimal view, signed in (no budget)", page(browsers["officer"], "/bench/minimal/"), None)
    measure("reference", "/healthz (4 queries; no budget)", page(browsers[None], "/healthz"), None)
    measure("reference", "base template, empty (no budget)", page(browsers[None], "/bench/empty-page/"), None)
    measure("reference", "... signed in (no budget)", page(browsers["officer"], "/bench/empty-page/"), None)
    for group, name, url, user, budget in pages(data, slug):
        measure(group, f"{name} ({url})" if group == "public" and "search" not in name else name,
                page(browsers[user], url), budget)  # fmt: skip
    # Search kept in the cache answers the same query again; these miss it every time: the same matches,
    # with a new word left out of each request's query, so what a new search costs is seen too.
    for user, group in [(None, "public"), ("officer", "signed in")]:
        measure(group, f"search {COMMON_TERM!r}, a new query each time (no budget)", new_search(browsers[user]), None)
    draft = Report.objects.get(author__username=account["username"])
    versions_before = draft.history.values("version").distinct().count()
    page(editor.browser, editor.edit_url)()  # opened before: the queries counted are those of opening it again
    measure("editor", "editor page", page(editor.browser, editor.edit_url), EDITOR)
    editor.open()
    # The session's first autosave makes a new version; the page's later ones, measured here, fold into it.
    editor.autosave()
    measure("editor", "autosave", editor.autosave, AUTOSAVE)
    versions = (versions_before, draft.history.values("version").distinct().count(), editor.saves)
    # The editor page is kept in the cache while the report is unchanged (reports/editorcache.py): the same
    # officer's other page autosaves before each of these (untimed), so each is the first view after a change.
    other = Editor(Browser(account["session"]), account["edit_url"], account["summary"])
    other.open()
    measure("editor", "editor page, first view after a change (no budget)", page(editor.browser, editor.edit_url),
            None, before=other.autosave)  # fmt: skip
    measure("minimal", "minimal view (last)", minimal, None, args.requests * 10, baseline=False)
    report(rows, args, versions)


def report(rows, args, versions):
    minimal = (rows[0][2] + rows[-1][2]) / 2
    width = max(len(r[1]) for r in rows) + 2
    print()
    print(f"CPU per request in this process, median of {args.requests} after {args.warmup} to warm up; "
          f"{'SQLite' if args.sqlite else 'PostgreSQL'}; minimal view {minimal:.2f} ms (the mean of its first and "
          f"last timings, each the median of {args.requests * 10}). Each page's multiple is of the minimal view "
          f"timed in turn with it ({BASELINE_TURNS} requests before each of the page's; its median is the "
          f"'minimal' column), so the machine's other work moves both alike; 'x first/last' is the multiple of the "
          f"first and last timings' mean, for comparison (the minimal view timed alone is warmer in the CPU's caches).")  # fmt: skip
    print(f"{'page':<{width}}{'group':<11}{'CPU ms':>8}{'wall ms':>9}{'DB CPU':>8}{'queries':>9}{'minimal':>9}"
          f"{'x minimal':>11}{'x first/last':>14}{'budget':>8}  ")  # fmt: skip
    over = []
    for group, name, cpu, wall, database, queries, budget, base in rows:
        multiple = cpu / (base or minimal) if (base or minimal) else 0.0
        verdict = "" if budget is None else ("OVER" if multiple > budget else "ok")
        if verdict == "OVER" and group in REFERENCE_ONLY:
            verdict = "(over the reference)"
        if verdict == "OVER":
            over.append(name)
        budget_text = "" if budget is None else (f"({budget}x)" if group in REFERENCE_ONLY else f"{budget}x")
        print(
            f"{name:<{width}}{group:<11}{cpu:>8.2f}{wall:>9.2f}{database:>8.1f}{queries:>9}{base or minimal:>9.2f}"
            f"{multiple:>10.1f}x{cpu / minimal if minimal else 0.0:>13.1f}x{budget_text:>8}  {verdict}"
        )
    print()
    before, after, saves = versions
    print(f"versions of the draft: {before} before, {after} after {saves} autosaves from one editor page")
    print("Budgets: public pages, feeds and API lists 5x; search 10x; editor page 20x; autosave 10x; "
          "signed-in lists printed without a budget (none in the issue); the members' reader (issue 20) "
          "beside the public pages' 5x (its search 10x), in brackets: the signed-in pages' reference, "
          "not counted below.")  # fmt: skip
    print(f"{len(over)} pages over budget" + (f": {', '.join(over)}" if over else ""))


if __name__ == "__main__":
    sys.exit(main())
