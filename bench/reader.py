"""Benchmark (issue 20): the members' reader on a 200-page meeting, in Chromium at a phone's size, over loopback.

It makes a database of its own (as bench/pages.py does: PostgreSQL, or --sqlite), loads the demo, puts
enough reports on the Health and Wellbeing Board's next meeting to make a members' pack of about 200
pages (each report a few printed pages of numbered paragraphs and a 12-page appendix), publishes it and
builds the pack (so the reader has its page numbers), then serves the app in this process (Django's
threaded WSGI server on 127.0.0.1, DEBUG off, static files collected and served by WhiteNoise) and
drives Debian's Chromium (headless, 390 x 844, touch) signed in as `member`:

- first item readable: from the start of navigation to the shell until the first report's numbered
  paragraphs are on the page with their Note buttons (reader.js has run: the member can read and note);
  a new browser context each run, so CSS and JavaScript are fetched each time. Target: under 1 s.
- sync of 500 notes: 500 new notes (one on each of 500 paragraphs and appendix pages) sent in one POST
  to /reader/api/notes/sync/ by the page's fetch, and then 500 edits of them; and the same 500 as
  reader.js sends them: written to its outbox and flushed, until its status says they are saved and
  every note is drawn. Target: under 1 s.

Figures are medians of --runs runs (default 5), wall-clock as the browser sees them. A benchmark, not a
test: exit status 0 whatever the figures; the last lines say which targets were met.

    .venv/bin/python bench/reader.py [--runs 5] [--sqlite] [--pg URL]
"""

import argparse
import os
import statistics
import sys
import threading
import time
import uuid

from inprocess import HOST, run_on_own_site, sign_in

# Playwright's sync API keeps an event loop in this thread; the ORM calls made beside it are ordinary
# synchronous calls (as in tests/e2e/conftest.py).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
TARGET_MS = 1000
NOTES = 500
PHONE = {"width": 390, "height": 844}

PARAGRAPH = (
    "The service will be commissioned jointly with the NHS and reviewed each quarter by the Board, with "
    "the results reported to the Cabinet Member and published with the Board's papers; the budget, the "
    "number of people supported and the waiting times are set out in the tables that follow."
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each measure (default 5)")
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite file instead of PostgreSQL")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server (no db name)")
    parser.add_argument("--reports", type=int, default=11, help="reports added to the meeting (default 11)")
    args = parser.parse_args()
    return run_on_own_site(args, prefix="reader", run=lambda label: set_up_and_run(args, label))


def appendix_pdf(pages, title):
    from weasyprint import HTML

    body = "".join(
        f"<section style='page-break-after: always'><h1>{title}</h1><p>Page {n}.</p><p>{PARAGRAPH * 6}</p></section>"
        for n in range(1, pages + 1)
    )
    return HTML(string=f"<html lang='en'><body>{body}</body></html>").write_pdf()


def set_up(args):
    """The demo, and the next meeting published with enough papers for a members' pack of ~200 pages."""
    import io

    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import User
    from boards import services
    from boards.models import AgendaPack, Meeting
    from boards.tasks import build_pack_now
    from reports.models import Report, Section

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
    from tests.appendices import stored_appendix

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    call_command("load_demo", "--force", stdout=io.StringIO())
    clerk = User.objects.get(username="clerk")
    meeting = (
        Meeting.objects.filter(starts_at__gt=timezone.now(), reports__status=Report.Status.APPROVED)
        .order_by("starts_at")
        .first()
    )
    waiting = list(Report.objects.filter(meeting=meeting, status=Report.Status.APPROVED).order_by("pk"))
    template = next(r for r in waiting if not r.is_exempt)
    appendix = appendix_pdf(12, "Appendix")
    body = "<ol>" + "".join(f"<li><p>{PARAGRAPH}</p></li>" for _ in range(8)) + "</ol>"
    copies = []
    for n in range(1, args.reports + 1):
        # A copy of the approved Better Care Fund report with its parts, as bench/load.py copies it.
        copy = Report.objects.get(pk=template.pk)
        parts = {
            "recommendations": list(copy.recommendations.all()),
            "implications": list(copy.implications.all()),
            "core_purposes": list(copy.core_purposes.all()),
        }
        wards = list(copy.wards.all())
        copy.pk = copy.id = None
        copy.subject = f"Service plan {n}: {template.subject}"
        copy.pdf_file, copy.pdf_version = "", None
        copy.save()
        for objects in parts.values():
            for obj in objects:
                obj.pk = obj.id = None
                obj.report = copy
                obj.save()
        copy.wards.set(wards)
        for position in range(1, 7):
            Section.objects.create(report=copy, position=position, heading=f"Part {position}", body=body)
        stored_appendix(copy, f"Figures for plan {n}", appendix)
        copies.append(copy)
    for report in waiting + copies:
        services.agenda_add_report(meeting=meeting, report=report, user=clerk)
    services.agenda_publish(meeting=meeting, user=clerk)
    pack, _ = AgendaPack.objects.get_or_create(meeting=meeting, edition=AgendaPack.Edition.MEMBERS)
    build_pack_now(pack.pk)
    pack.refresh_from_db()
    return meeting, pack


class Server:
    """The app served on 127.0.0.1 by Django's threaded WSGI server, in a thread of this process."""

    def __init__(self):
        from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
        from django.core.wsgi import get_wsgi_application

        class Quiet(WSGIRequestHandler):
            def log_message(self, *args):
                pass

        self.httpd = ThreadedWSGIServer((HOST, 0), Quiet, allow_reuse_address=True)
        self.httpd.set_app(get_wsgi_application())
        self.url = f"http://{HOST}:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


READABLE = """() => {
    const button = document.querySelector(".reader-item:not(.reader-pending) ol.paragraphs > li.anno .note-btn");
    return button ? performance.now() : null;
}"""

SYNC = """async ([url, meeting, changes]) => {
    const csrf = document.cookie.match(/(?:^|;\\s*)csrftoken=([^;]+)/)[1];
    const started = performance.now();
    const response = await fetch(url, {method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
        body: JSON.stringify({device: "bench", meeting: meeting, changes: changes})});
    const body = await response.json();
    return [performance.now() - started, response.status, body.notes.length, body.refused.length];
}"""

THROUGH_OUTBOX = """async ([user, meeting, changes]) => {
    localStorage.setItem("reader-outbox-" + user, JSON.stringify(changes.map((c, i) => ({meeting: String(meeting), change: c, seq: i}))));
    const started = performance.now();
    window.dispatchEvent(new Event("reader:sync"));
    await new Promise((resolve) => {
        const check = () => (document.getElementById("sync-status").textContent === "Notes saved." ? resolve() : setTimeout(check, 5));
        check();
    });
    return [performance.now() - started, document.querySelectorAll(".note").length];
}"""


def set_up_and_run(args, label):
    from playwright.sync_api import sync_playwright

    from accounts.models import User
    from reader import selectors
    from reader.models import Note

    print(
        f"Setting up {label}: the demo, {args.reports} more reports with appendices, the members' pack ...", flush=True
    )
    started = time.perf_counter()
    meeting, pack = set_up(args)
    member = User.objects.get(username="member")
    index = selectors.meeting_blocks(member, meeting)
    anchors = [block.anchor for block in index.blocks][:NOTES]
    print(
        f"  done in {time.perf_counter() - started:.0f} s: {meeting.items.count()} items, the members' pack "
        f"{pack.page_count} pages, {len(index.blocks)} blocks a note can be anchored to",
        flush=True,
    )
    assert len(anchors) == NOTES, f"only {len(anchors)} blocks to note"
    server = Server()
    shell = f"{server.url}/reader/meetings/{meeting.pk}/"
    sync_url = f"{server.url}/reader/api/notes/sync/"
    readable, fetch_new, fetch_edit, outbox = [], [], [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])

            def context():
                ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, base_url=server.url)
                ctx.add_cookies([{"name": "sessionid", "value": sign_in(member), "url": server.url}])
                return ctx

            for run in range(args.runs + 1):  # the first warms the server up and is not counted
                ctx = context()
                page = ctx.new_page()
                page.goto(shell, wait_until="commit")
                at = page.wait_for_function(READABLE, polling="raf").json_value()
                if run:
                    readable.append(at)
                ctx.close()
            for _run in range(args.runs):
                ctx = context()
                page = ctx.new_page()
                page.goto(shell)
                new = [{"id": str(uuid.uuid4()), "anchor": anchor, "quote": "", "highlight": True,
                        "text": f"Note {n} on this paragraph.", "deleted": False, "base": 0}
                       for n, anchor in enumerate(anchors)]  # fmt: skip
                ms, status, count, refused = page.evaluate(SYNC, [sync_url, meeting.pk, new])
                assert status == 200 and count >= NOTES and not refused, (status, count, refused)
                fetch_new.append(ms)
                edits = [{**change, "text": change["text"] + " Edited.", "base": 1} for change in new]
                ms, status, count, refused = page.evaluate(SYNC, [sync_url, meeting.pk, edits])
                assert status == 200 and not refused
                fetch_edit.append(ms)
                ctx.close()
                Note.objects.all().delete()
            for _run in range(args.runs):
                ctx = context()
                page = ctx.new_page()
                page.goto(shell)
                page.wait_for_function("() => document.getElementById('sync-status') !== null")
                changes = [{"id": str(uuid.uuid4()), "anchor": anchor, "quote": "", "highlight": False,
                            "text": f"Note {n}.", "deleted": False, "base": 0} for n, anchor in enumerate(anchors)]  # fmt: skip
                ms, drawn = page.evaluate(THROUGH_OUTBOX, [member.pk, meeting.pk, changes])
                outbox.append(ms)
                ctx.close()
                Note.objects.all().delete()
            browser.close()
    finally:
        server.stop()

    def line(name, values):
        median = statistics.median(values)
        verdict = "ok" if median < TARGET_MS else "OVER"
        print(
            f"{name:<62}{median:>9.0f} ms   (runs: {', '.join(f'{v:.0f}' for v in values)})  target < {TARGET_MS} ms: {verdict}"
        )
        return verdict

    print()
    print(f"The reader, {pack.page_count}-page members' pack, Chromium {PHONE['width']}x{PHONE['height']} (touch), "
          f"loopback, {label.split(' ')[0]}; medians of {args.runs}:")  # fmt: skip
    verdicts = [
        line("first item readable (navigation start to paragraphs and Note buttons)", readable),
        line(f"sync of {NOTES} new notes (one POST, as the browser sees it)", fetch_new),
        line(f"sync of {NOTES} edits of them", fetch_edit),
        line(f"{NOTES} notes through reader.js's outbox (flushed and all drawn)", outbox),
    ]
    print(f"{verdicts.count('ok')} of {len(verdicts)} within the issue's targets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
