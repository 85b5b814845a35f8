"""Benchmark: building an agenda pack of 20 reports (about 180 pages, with appendices).

Prints, for one run on this machine:
- the full build of the members' pack (every report rendered) and WeasyPrint alone rendering the
  same HTML (front sheet and all 20 reports) in one go: median time and peak memory, and the ratio;
- a rebuild after one report changes (the other 19 come from storage), as a fraction of the full build;
- serving the stored pack over HTTP (gunicorn, 200 requests): p50 and p95;
- the join's bound (PACK_JOIN_MEMORY_MB, PACK_JOIN_TIMEOUT), the join's own peak in a normal build, and
  what a hostile appendix does: the double /Contents bomb (1.5 MB inflating to 1 GiB, and a 6 MB one
  to 4 GiB) refused at upload, then planted as if it had been rebuilt (the worst case: the upload's
  rules missed it, or storage was tampered with) and built with the bound, and the 1 GiB one without.

Targets (issues 5 and 14): build within 1.3x of WeasyPrint alone; rebuild under a third of a full
build; serving p95 under 50 ms. Issue 12: a hostile appendix cannot take the build past the join's
bound. The full build lays out every report again; the page-number stamps (reports/pdfjoin.py),
made once and kept for every pack, are made by the first run only. Each build runs in a fresh
forked process so its peak memory is its own.
Peak memory is given two ways: the largest single process (wait4's ru_maxrss), and all the
processes of the build together (their summed PSS, sampled every 50 ms), since our build renders
reports in parallel child processes and WeasyPrint alone is one process.

    .venv/bin/python bench/pack.py [--runs 3] [--no-hostile]
"""

import argparse
import ast
import io
import logging
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="bench-pack-"))
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "HTTPS": "0",
        "VAR_DIR": str(WORK),
        "DATABASE_URL": "",
        "LOG_LEVEL": "ERROR",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

REPORTS = 20


def _process_tree(pid):
    """`pid` and every process descended from it, from /proc."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        children.setdefault(ppid, []).append(int(stat.parent.name))
    tree, todo = [], [pid]
    while todo:
        tree.append(todo.pop())
        todo += children.get(tree[-1], [])
    return tree


def _tree_pss_mb(pid):
    """The proportional set size of `pid` and its descendants together, in MB: shared pages (a
    forked render's copy of its parent) are counted once, split between the processes sharing them."""
    total = 0
    for member in _process_tree(pid):
        try:
            rollup = Path(f"/proc/{member}/smaps_rollup").read_text()
        except OSError:
            continue
        total += next(int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:"))
    return total / 1024


def in_child(function):
    """Run `function` in a forked child; return (its result, wall seconds, the child's peak RSS in MB,
    the peak PSS in MB of the child and all its own children together, sampled every 50 ms)."""
    read_fd, write_fd = os.pipe()
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_fd)
        from django.db import connections

        for connection in connections.all():
            connection.inc_thread_sharing()
            connection.close()
        try:
            result = repr(function())
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            result = f"ERROR {exc!r}"
        with os.fdopen(write_fd, "w") as out:
            out.write(result)
        os._exit(0)
    os.close(write_fd)
    peak_pss, done = [0.0], threading.Event()

    def sample():
        while not done.wait(0.05):
            peak_pss[0] = max(peak_pss[0], _tree_pss_mb(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    with os.fdopen(read_fd) as pipe:
        result = pipe.read()
    done.set()
    sampler.join()
    _, _, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    if result.startswith("ERROR"):
        raise RuntimeError(result)
    return result, elapsed, usage.ru_maxrss / 1024, peak_pss[0]


def body_html(n):
    paragraphs = "".join(
        f"<li><p>Paragraph {n}.{i}: the board is asked to consider the evidence on service demand, the "
        "budget position and the outcomes for residents, as set out in the tables that follow, and to "
        "note the views of partners gathered during consultation over the summer months.</p></li>"
        for i in range(1, 9)
    )
    rows = "".join(
        f"<tr><td>Scheme {r}</td><td>£{r * 13 % 97}.{r % 10}m</td><td>{r * 7 % 100}%</td></tr>" for r in range(24)
    )
    table = f"<table><tbody><tr><th>Scheme</th><th>Budget</th><th>Change</th></tr>{rows}</tbody></table>"
    return f"<ol>{paragraphs}</ol>{table}"


def appendix_pdf(pages):
    from weasyprint import HTML

    html = "".join(
        f"<section style='break-after: page'><h1>Appendix page {i}</h1><p>{'Evidence. ' * 200}</p></section>"
        for i in range(pages)
    )
    return HTML(string=f"<html lang='en'><title>Appendix</title><body>{html}</body></html>").write_pdf()


def set_up():
    """The demo council plus a meeting of 20 approved reports with appendices, published."""
    from django.core.files.base import ContentFile

    from boards import services
    from boards.models import Meeting
    from reports.models import Appendix, Report, Section
    from reports.pdfdisarm import RULES_VERSION

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    from accounts.models import User

    clerk = User.objects.get(username="clerk")
    template = Report.objects.get(subject="Better Care Fund Plan 2025 to 2027")
    meeting = Meeting.objects.get(board=template.board, starts_at__gt=timezone.now())
    from reports.pdfcheck import disarm_pdf

    appendix = disarm_pdf(io.BytesIO(appendix_pdf(3))).file.read()  # stored as an upload is: rebuilt
    for n in range(1, REPORTS + 1):
        report = Report.objects.get(pk=template.pk)
        report.pk = None
        report.id = None
        report.subject = f"Benchmark report {n}: service plan"
        report.pdf_file = ""
        report.pdf_version = None
        report.save()
        for s in range(1, 4):
            Section.objects.create(report=report, position=s, heading=f"Section {s}", body=body_html(s))
        a = Appendix(report=report, position=1, title="Evidence pack", page_count=3, size=len(appendix))
        a.disarmed_version = RULES_VERSION
        a.file.save("appendix.pdf", ContentFile(appendix), save=False)
        a.save()
        services.agenda_add_report(meeting=meeting, report=report, user=clerk)
    services.agenda_publish(meeting=meeting, user=clerk)
    return meeting


def one_go_html(meeting):
    """The front sheet and every report as one HTML document: what WeasyPrint alone renders."""
    import re

    from boards.packs import MEMBERS, PackItem, front_sheet_html
    from boards.selectors import numbered_items
    from reports.pdf import report_html

    items = [PackItem(n, i) for n, i in numbered_items(meeting)]
    front = front_sheet_html(meeting, items, MEMBERS)
    bodies = []
    for _, item in numbered_items(meeting):
        if item.report_id:
            html = report_html(item.report)
            bodies.append(re.search(r"<body[^>]*>(.*)</body>", html, re.S).group(1))
    head = re.search(r"(.*<body[^>]*>)", report_html(items[-1].item.report), re.S).group(1)
    front_body = re.search(r"<body[^>]*>(.*)</body>", front, re.S).group(1)
    joined = "".join(f'<div style="break-before: page">{b}</div>' for b in bodies)
    return f"{head}{front_body}{joined}</body></html>"


def weasyprint_alone(html):
    from weasyprint import HTML

    from reports.pdf import app_base_url, app_fetcher, shared_fonts

    font_config, stylesheets = shared_fonts()
    document = HTML(string=html, url_fetcher=app_fetcher(), base_url=app_base_url())
    return len(document.write_pdf(stylesheets=stylesheets, font_config=font_config, pdf_variant="pdf/ua-1"))


class JoinPeak(logging.Handler):
    """Catches the join's own peak memory from the pack builder's log line."""

    peak_mb = None

    def emit(self, record):
        if record.getMessage().startswith("Joined "):
            JoinPeak.peak_mb = int(record.args[3].replace(",", ""))


def full_build(meeting_pk):
    import shutil

    from django.conf import settings

    from boards.models import Meeting
    from boards.packs import MEMBERS, build_pack
    from reports.models import Report

    packs_log = logging.getLogger("boards.packs")
    packs_log.setLevel(logging.INFO)
    packs_log.addHandler(JoinPeak())
    # Nothing kept: every report is laid out again (the page-number stamps, made once for any pack, stay).
    Report.objects.exclude(pdf_key="").update(pdf_version=None, pdf_key="")
    shutil.rmtree(Path(settings.MEDIA_ROOT) / "reports" / "pages", ignore_errors=True)
    built = build_pack(Meeting.objects.get(pk=meeting_pk), MEMBERS)
    return built.page_count, built.front_pages, JoinPeak.peak_mb


def stored_build(meeting_pk, front_pages):
    from boards.models import Meeting
    from boards.packs import MEMBERS, build_pack

    # As the worker does: the front sheet's length is known from the last build.
    return build_pack(Meeting.objects.get(pk=meeting_pk), MEMBERS, front_pages=front_pages).page_count


def change_one_report(meeting_pk):
    from reports.models import Report

    report = Report.objects.filter(subject__startswith="Benchmark report 7").get()
    report.summary += " Amended."
    report.version += 1
    report.save()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_timings(meeting_pk, requests=200):
    from boards.models import AgendaPack
    from boards.tasks import build_pack_now

    pack = AgendaPack.objects.get(meeting_id=meeting_pk, edition="public")
    build_pack_now(pack.pk)
    port = free_port()
    env = dict(os.environ, ALLOWED_HOSTS="127.0.0.1")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/meetings/{meeting_pk}/pack.pdf"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        times = []
        size = 0
        for _ in range(requests):
            start = time.perf_counter()
            with urllib.request.urlopen(url, timeout=10) as response:
                size = len(response.read())
            times.append((time.perf_counter() - start) * 1000)
    finally:
        server.terminate()
        server.wait()
    times.sort()
    return size, times[len(times) // 2], times[int(len(times) * 0.95) - 1]


def double_contents_bomb(megabytes):
    """One page with two /Contents entries: a small one first (what pypdf read when it checked uploads)
    and, last, one inflating to `megabytes` (what qpdf, and so the pack builder, reads)."""
    import zlib

    compressor, chunk = zlib.compressobj(9), b"0 0 m\n" * (1024 * 1024 // 6)
    bomb = b"".join([*(compressor.compress(chunk) for _ in range(megabytes)), compressor.flush()])
    small = b"BT /F1 24 Tf 72 720 Td (Visible page) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Contents 5 0 R"
        b" /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(small), small),
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(bomb), bomb),
    ]
    out = io.BytesIO(b"%PDF-1.7\n")
    out.seek(0, 2)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def hostile_build(meeting_pk, join_memory_mb):
    from django.conf import settings

    from boards.models import Meeting
    from boards.packs import MEMBERS, PackBuildError, build_pack

    if join_memory_mb:
        settings.PACK_JOIN_MEMORY_MB = join_memory_mb
    try:
        built = build_pack(Meeting.objects.get(pk=meeting_pk), MEMBERS)
    except PackBuildError as exc:
        return f"failed cleanly: {exc}"
    return f"built ({built.page_count} pages, {len(built.pdf) / 1024 / 1024:.1f} MB)"


def hostile(meeting_pk):
    """The double /Contents bomb: at the upload, then planted in the pack as if it had been rebuilt."""
    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.db import connections

    from boards.packs import PACK_JOIN_MEMORY_MB, PACK_JOIN_TIMEOUT
    from reports.models import Appendix, Report
    from reports.pdfcheck import PdfProblem, disarm_pdf
    from reports.pdfdisarm import RULES_VERSION

    bound = getattr(settings, "PACK_JOIN_MEMORY_MB", PACK_JOIN_MEMORY_MB)
    print(f"\nthe join's bound: {bound:,} MB of address space beyond the worker's, "
          f"{getattr(settings, 'PACK_JOIN_TIMEOUT', PACK_JOIN_TIMEOUT)} s")  # fmt: skip
    report = Report.objects.get(subject__startswith="Benchmark report 7")
    for megabytes, unbounded_too in [(1024, True), (4096, False)]:
        bomb = double_contents_bomb(megabytes)
        label = f"the double /Contents bomb, {len(bomb) / 1024 / 1024:.1f} MB inflating to {megabytes // 1024} GiB"
        print(f"hostile appendix: {label}")
        started = time.perf_counter()
        try:
            disarm_pdf(io.BytesIO(bomb))
            verdict = "accepted (!)"
        except PdfProblem as exc:
            verdict = f"refused: {exc}"
        print(f"  uploaded: {verdict[:70]}... in {time.perf_counter() - started:.1f} s")
        planted = Appendix(report=report, position=2, title="Bomb", page_count=1, size=len(bomb))
        planted.disarmed_version = RULES_VERSION  # as if the rules had missed it
        planted.file.save("bomb.pdf", ContentFile(bomb), save=False)
        planted.save()
        connections.close_all()
        runs = [("planted as if rebuilt, with the bound", None)]
        if unbounded_too:
            runs.append(("the same, without the bound (100 GB)", 100_000))
        for title, memory in runs:
            outcome, seconds, largest, everything = in_child(lambda memory=memory: hostile_build(meeting_pk, memory))
            print(f"  {title}: {seconds:.1f} s, largest process {largest:,.0f} MB, all processes {everything:,.0f} MB")
            print(f"    {ast.literal_eval(outcome)}")
        planted.delete()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-hostile", dest="hostile", action="store_false", help="skip the hostile appendix")
    args = parser.parse_args()
    print(f"Setting up {REPORTS} reports in {WORK} ...", flush=True)
    meeting = set_up()
    html = one_go_html(meeting)
    from django.db import connections

    connections.close_all()

    ours, alone, rebuilds = [], [], []
    for run in range(args.runs):
        result, *figures = in_child(lambda: full_build(meeting.pk))
        pages, front_pages, join_peak = ast.literal_eval(result)
        ours.append(figures)
        alone.append(in_child(lambda: weasyprint_alone(html))[1:])
        change_one_report(meeting.pk)
        rebuilds.append(in_child(lambda front_pages=front_pages: stored_build(meeting.pk, front_pages))[1:])
        print(f"run {run + 1}: ours {ours[-1][0]:.2f}s, alone {alone[-1][0]:.2f}s, rebuild {rebuilds[-1][0]:.2f}s",
              flush=True)  # fmt: skip

    def median(values, index):
        return statistics.median(v[index] for v in values)

    print()
    print(f"pack: {pages} pages, members' edition, {REPORTS} reports with a 3-page appendix each")
    print(f"{'':28}{'median time':>14}{'largest process':>18}{'all processes':>16}")
    for label, figures in [
        ("our build (all rendered)", ours),
        ("WeasyPrint alone, one go", alone),
        ("rebuild, one report changed", rebuilds),
    ]:
        print(f"{label:28}{median(figures, 0):>12.2f} s{median(figures, 1):>15.0f} MB{median(figures, 2):>13.0f} MB")
    print(f"ratio build / WeasyPrint alone: {median(ours, 0) / median(alone, 0):.2f}x time, "
          f"{median(ours, 1) / median(alone, 1):.2f}x memory of the largest process, "
          f"{median(ours, 2) / median(alone, 2):.2f}x of all processes  (target: within 1.3x)")  # fmt: skip
    print(f"rebuild / full build: {median(rebuilds, 0) / median(ours, 0):.2f}  (target: under 0.33)")
    size, p50, p95 = serve_timings(meeting.pk)
    print(f"serving the stored public pack ({size / 1024 / 1024:.1f} MB) over HTTP, 200 requests: "
          f"p50 {p50:.1f} ms, p95 {p95:.1f} ms  (target: p95 under 50 ms)")  # fmt: skip
    print(f"the join, in its own bounded child: peak {join_peak:,} MB in the last full build")
    if args.hostile:
        hostile(meeting.pk)
    print(f"(this process: peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
