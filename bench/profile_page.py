"""Profile one page in-process: where its CPU per request goes (cProfile), and the SQL it runs.

On a database of its own set up as bench/pages.py sets it up (bench/inprocess.py), it serves the
page through Django's WSGI handler `--requests` times after a warm-up, under cProfile, and prints
the functions with the most time of their own and the most time under them, then each SQL
statement one request runs. The pages: `editor` (the officer's draft in the editor), `autosave`
(an autosave of the summary from that editor page, as bench/inprocess.Editor posts it), `editor-new`
(the editor page right after an autosave by another page, both profiled: the first view after a change), or a URL,
fetched as the officer (`colleague:<url>`: as another officer; `member:<url>`: as the board's member `member`).

    .venv/bin/python bench/profile_page.py editor [--requests 200] [--top 30] [--sqlite] [--pg URL]

cProfile slows Python code down about twofold and unevenly: read where the time goes, and take
the milliseconds from bench/pages.py.
"""

import argparse
import cProfile
import io
import pstats
import sys
import time

from inprocess import Browser, Editor, run_on_own_site


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("page", help="editor, autosave, editor-new, or a URL fetched as the officer")
    parser.add_argument("--requests", type=int, default=200, help="profiled requests (default 200)")
    parser.add_argument("--warmup", type=int, default=10, help="requests before profiling (default 10)")
    parser.add_argument("--top", type=int, default=30, help="functions listed in each table (default 30)")
    parser.add_argument("--stacks", action="store_true", help="print where each SQL statement is run from")
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite file instead of PostgreSQL")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server (no db name)")
    args = parser.parse_args()
    return run_on_own_site(args, prefix="profile", run=lambda label: set_up_and_run(args, label))


def set_up_and_run(args, label):
    from load import set_up_data

    print(f"Setting up {label} ...", flush=True)
    data = set_up_data(2)
    run(args, data)


def run(args, data):
    from django.db import connection

    account, colleague = data["accounts"][0], data["accounts"][1]
    editor = Editor(Browser(account["session"]), account["edit_url"], account["summary"])
    if args.page == "editor":
        call = lambda: _ok(editor.browser.get(editor.edit_url))  # noqa: E731
    elif args.page == "autosave":
        editor.open()
        editor.autosave()
        call = editor.autosave
    elif args.page == "editor-new":
        # Another page of the same officer autosaves before each view: the page is never the one shown before.
        other = Editor(Browser(account["session"]), account["edit_url"], account["summary"])
        other.open()

        def call():
            other.autosave()
            _ok(editor.browser.get(editor.edit_url))
    elif args.page.startswith("member:"):
        from inprocess import sign_in

        from accounts.models import User

        browser = Browser(sign_in(User.objects.get(username="member")))
        url = args.page.removeprefix("member:")
        call = lambda: _ok(browser.get(url))  # noqa: E731
    else:
        browser = Browser(colleague["session"] if args.page.startswith("colleague:") else account["session"])
        url = args.page.removeprefix("colleague:")
        call = lambda: _ok(browser.get(url))  # noqa: E731

    from inprocess import timed

    minimal = Browser()
    for _ in range(50):
        minimal.get("/bench/minimal/")
    cpu, wall, _, baseline = timed(
        call, requests=args.requests, warmup=args.warmup, baseline=lambda: _ok(minimal.get("/bench/minimal/"))
    )
    print(f"\n{args.page}: {cpu:.2f} ms CPU per request unprofiled (median of {args.requests}), {wall:.2f} ms wall; "
          f"{cpu / baseline:.1f}x the minimal view's {baseline:.3f} ms, timed in turn with it")  # fmt: skip
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(" ".join(sql.split())[:300] + (_caller() if args.stacks else ""))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        call()
    profile = cProfile.Profile(time.process_time)  # CPU, as bench/pages.py counts it
    started = time.process_time()
    profile.enable()
    for _ in range(args.requests):
        call()
    profile.disable()
    spent = (time.process_time() - started) * 1000 / args.requests
    print(f"{args.page}: {spent:.2f} ms CPU per request under cProfile, {len(statements)} statements\n")
    for key in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats(key).print_stats(args.top)
        print(out.getvalue().split("\n", 4)[-1])
    print("SQL of one request:")
    for number, sql in enumerate(statements, start=1):
        print(f"{number:3}. {sql}")


def _caller():
    """The project's own frames (not the libraries') that led to a statement, innermost last."""
    import traceback

    frames = [f for f in traceback.extract_stack()[:-3] if "/.venv/" not in f.filename and "/bench/" not in f.filename]
    return "".join(f"\n       {f.filename.rsplit('/', 2)[-2:]}:{f.lineno} {f.name}" for f in frames[-4:])


def _ok(answer):
    status, _, content = answer
    if status != 200:
        raise RuntimeError(f"answered {status}: {content[:300]!r}")


if __name__ == "__main__":
    sys.exit(main())
