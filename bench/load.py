"""Load test: publication day, against the app under gunicorn on PostgreSQL.

The scenario: the agenda of the board's next meeting has just been published, with its packs.
200 members of the public browse (the public home, the calendar, the meeting page, the published
paper, the public pack download, search) while 50 officers draft their own reports in the editor,
which autosaves; then the same day at four times the users (800 visitors and 200 officers, the
--scales option). Then, as the ceiling, a minimal Django view (bench/urls_load.py: the same server,
settings and middleware, one view that returns a short response) and the meeting page alone, each
at full speed (no wait time) with the same 250 users, to compare their throughput.

Prints, for each endpoint group and in total: requests, requests/s, p50/p95/p99 (ms) and errors;
the ceiling comparison; the CPU used by the server (gunicorn and its PostgreSQL backends), by the
load generator and by everything else on the machine; the load average; the server's CPU per
request of the mix, as a multiple of the minimal view's; and the targets: at 250 users p95 under
150 ms; at 1,000 users 0 errors and p95 under 300 ms; the meeting page at least 60% of the minimal
view's throughput.

    .venv/bin/pip install -r bench/requirements.txt     # locust, for the load (not an app dependency)
    .venv/bin/python bench/load.py [--scales 1,4] [--ramp 45] [--steady 90] [--ceiling 15] [--rounds 3] [--workers 5] [--threads 2]

It needs PostgreSQL (default: postgres@127.0.0.1:5432 with trust authentication, or --pg URL) and
creates, then drops, a database of its own (committee_load_<pid>); every temporary file goes in one
temporary directory. Both are removed at the end, on failure and on Ctrl-C too.

How it is built: this script sets everything up in-process (migrate, collectstatic, load_demo
--force, the upcoming meeting's agenda published through boards.services, its packs built with
build_pack_now, officers and their drafts), starts gunicorn, then runs each load phase in a child
process (this same file with --child) that drives locust's library API: locust monkey-patches the
standard library with gevent on import, which the Django process must not see.
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]

# The scenario. Wait times are the pause between one request and the next of the same user.
VISITORS = 200
OFFICERS = 50
VISITOR_WAIT = (2.0, 6.0)  # a visitor reads a page for a few seconds before the next click
OFFICER_WAIT = (5.0, 15.0)  # the editor autosaves 2 s after typing stops: about every 10 s while drafting
SEARCH_TERMS = ["care", "health", "better care fund", '"public health"', "budget", "inequalities -cities"]
# p95 targets (ms) by scale: the day as it is, and at four times the users.
TARGET_P95_MS = {1: 150, 4: 300}
TARGET_CEILING_RATIO = 0.60

GROUPS = ["home", "calendar", "meeting", "paper", "pack.pdf", "search", "editor", "autosave"]


# --------------------------------------------------------------------------------------------
# The load generator: runs in a child process (--child), never imports Django.
# --------------------------------------------------------------------------------------------


def _form_fields(html, form_id):
    """The fields a browser's FormData would post from the form `form_id`, in document order."""
    from html.parser import HTMLParser

    class Parser(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.inside = False
            self.fields = []
            self.select = None
            self.options = []
            self.option = None
            self.textarea = None
            self.text = []

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "form":
                self.inside = a.get("id") == form_id
                return
            if not self.inside or "disabled" in a:
                return
            name = a.get("name")
            if tag == "input" and name:
                kind = (a.get("type") or "text").lower()
                if kind in {"submit", "button", "image", "reset", "file"}:
                    return
                if kind in {"checkbox", "radio"}:
                    if "checked" in a:
                        self.fields.append((name, a.get("value") or "on"))
                else:
                    self.fields.append((name, a.get("value") or ""))
            elif tag == "select" and name:
                self.select, self.options = (name, "multiple" in a), []
            elif tag == "option" and self.select:
                self.option = [a.get("value"), "selected" in a, []]
                self.options.append(self.option)
            elif tag == "textarea" and name:
                self.textarea, self.text = name, []

        def handle_endtag(self, tag):
            if tag == "form":
                self.inside = False
            elif tag == "select" and self.select:
                name, multiple = self.select
                values = [(v if v is not None else "".join(t).strip()) for v, chosen, t in self.options if chosen]
                if not values and not multiple and self.options:
                    v, _, t = self.options[0]
                    values = [v if v is not None else "".join(t).strip()]
                self.fields.extend((name, v) for v in values)
                self.select = self.option = None
            elif tag == "textarea" and self.textarea:
                text = "".join(self.text)
                self.fields.append((self.textarea, text[1:] if text.startswith("\n") else text))
                self.textarea = None

        def handle_data(self, data):
            if self.textarea:
                self.text.append(data)
            elif self.option is not None:
                self.option[2].append(data)

    parser = Parser()
    parser.feed(html)
    return parser.fields


def _multipart(fields):
    """Encode (name, value) pairs as multipart/form-data, as the editor's fetch(FormData) does."""
    boundary = "----LoadTestBoundary" + secrets.token_hex(8)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n' for name, value in fields
    ]
    body = ("".join(parts) + f"--{boundary}--\r\n").encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _cpu_sample(watch):
    """CPU seconds (user + system) used so far by each gunicorn process and each of its PostgreSQL
    backends (by pid), by this process (the load generator) and by the whole machine."""
    import psutil

    gunicorn_pid, database = watch
    server = {}
    try:
        master = psutil.Process(gunicorn_pid)
        for proc in [master, *master.children(recursive=True)]:
            times = proc.cpu_times()
            server[("gunicorn", proc.pid)] = times.user + times.system
    except psutil.Error:
        pass
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if any(database in part for part in proc.info["cmdline"] or []):
                times = proc.cpu_times()
                server[("database", proc.pid)] = times.user + times.system
        except psutil.Error:
            continue
    me = psutil.Process().cpu_times()
    machine = psutil.cpu_times()
    busy = sum(machine) - machine.idle - getattr(machine, "iowait", 0.0)
    return {"server": server, "client": me.user + me.system, "machine": busy}


def _cpu_used(before, after):
    """CPU seconds used between two samples; a process that started meanwhile counts from zero."""
    used = {"gunicorn": 0.0, "database": 0.0}
    for (kind, pid), seconds in after["server"].items():
        used[kind] += seconds - before["server"].get((kind, pid), 0.0)
    used["client"] = after["client"] - before["client"]
    used["machine"] = after["machine"] - before["machine"]
    return used


def run_child(config_path):
    """One load phase with locust; writes its figures as JSON beside the config."""
    import random

    import gevent
    from locust import FastHttpUser, between, constant, task
    from locust.env import Environment
    from locust.runners import STATE_SPAWNING

    with open(config_path) as f:
        cfg = json.load(f)
    host = cfg["host"]
    stale = {"count": 0}
    accounts = iter(cfg.get("accounts", []))

    def expect(response, marker=None, content_type="text/html"):
        """Mark the response failed unless it is a 200 of the right type (holding `marker`)."""
        if response.status_code != 200:
            response.failure(f"HTTP {response.status_code}")
        elif content_type not in (response.headers.get("content-type") or ""):
            response.failure(f"content type {response.headers.get('content-type')}")
        elif marker and marker not in response.text:
            response.failure(f"{marker!r} missing from the page")

    class PublicVisitor(FastHttpUser):
        """A member of the public on publication day: home, calendar, meeting, paper, pack, search."""

        fixed_count = cfg.get("visitors", 0)
        wait_time = between(*cfg.get("visitor_wait", (1, 1)))
        network_timeout = connection_timeout = 60.0

        @task(3)
        def home(self):
            with self.client.get("/public/", name="home", catch_response=True) as r:
                expect(r, f'href="{cfg["meeting_url"]}"')

        @task(2)
        def calendar(self):
            url = random.choice(["/calendar/", f"/calendar/?month={cfg['meeting_month']}"])
            with self.client.get(url, name="calendar", catch_response=True) as r:
                expect(r, f'href="{cfg["meeting_url"]}"')

        @task(4)
        def meeting(self):
            with self.client.get(cfg["meeting_url"], name="meeting", catch_response=True) as r:
                expect(r, cfg["meeting_marker"])

        @task(3)
        def paper(self):
            url, marker = random.choice(cfg["papers"])
            with self.client.get(url, name="paper", catch_response=True) as r:
                expect(r, marker)

        @task(1)
        def pack(self):
            # Streamed, and timed to the last byte (locust alone would stop the clock at the headers).
            start = time.perf_counter()
            with self.client.get(cfg["pack_url"], name="pack.pdf", stream=True, catch_response=True) as r:
                size, first = 0, b""
                if r.status_code == 200:
                    for chunk in r.iter_content(64 * 1024, decode_content=False):
                        first = first or chunk[:5]
                        size += len(chunk)
                r.request_meta["response_time"] = (time.perf_counter() - start) * 1000
                r.request_meta["response_length"] = size
                expect(r, content_type="application/pdf")
                if r.status_code == 200 and (first != b"%PDF-" or size != cfg["pack_size"]):
                    r.failure(f"pack of {size} bytes starting {first!r}")

        @task(2)
        def search(self):
            term = random.choice(cfg["search_terms"])
            with self.client.get("/search/", params={"q": term}, name="search", catch_response=True) as r:
                expect(r)

    class Officer(FastHttpUser):
        """An officer drafting their own report: opens the editor, then types; the editor autosaves."""

        fixed_count = cfg.get("officers", 0)
        wait_time = between(*cfg.get("officer_wait", (1, 1)))
        network_timeout = connection_timeout = 60.0

        def on_start(self):
            from http.cookiejar import Cookie

            self.account = next(accounts)
            self.client.cookiejar.set_cookie(
                Cookie(
                    0,
                    "sessionid",
                    self.account["session"],
                    None,
                    False,
                    "127.0.0.1",
                    False,
                    False,
                    "/",
                    True,
                    False,
                    None,
                    True,
                    None,
                    None,
                    {},
                )  # fmt: skip
            )
            self.fields = None
            self.saves = 0
            self.open_editor()

        @task(1)
        def open_editor(self):
            with self.client.get(self.account["edit_url"], name="editor", catch_response=True) as r:
                expect(r, 'id="report-form"')
                if r.status_code == 200 and 'id="report-form"' in r.text:
                    # As the editor's script does: the page's own id, so its autosaves fold into one version.
                    page = secrets.token_hex(16)
                    fields = _form_fields(r.text, "report-form")
                    self.fields = [(n, page if n == "editor_page" else v) for n, v in fields]

        @task(10)
        def autosave(self):
            if not self.fields:
                return self.open_editor()
            self.saves += 1
            # The round is named in the text: a later round's first edits are new to each draft too.
            edit = f" Edit {self.saves} by {self.account['username']} in {cfg['name']}."
            # As the editor's script does: only what changed since the last save, named in `_changed` (a
            # list is sent whole), with the page's id, version and revision, form-encoded. Typing goes
            # to the summary and to the first section's text by turns.
            fields = [
                (n, v) for n, v in self.fields if n in {"csrfmiddlewaretoken", "version", "revision", "editor_page"}
            ]
            if self.saves % 2:
                fields += [("summary", self.account["summary"] + edit), ("_changed", "summary")]
            else:
                first_body = True
                for name, value in self.fields:
                    if name in {"section-id", "section-heading", "section-body"}:
                        if name == "section-body" and first_body:
                            first_body = False
                            value = self.account["body"] + f"<p>{edit.strip()}</p>"
                        fields.append((name, value))
                fields.append(("_changed", "sections"))
            fields.append(("_autosave", "1"))
            body, content_type = urlencode(fields).encode(), "application/x-www-form-urlencoded"
            headers = {"Content-Type": content_type, "Accept": "application/json", "Origin": host}
            with self.client.post(
                self.account["edit_url"], data=body, headers=headers, name="autosave", catch_response=True
            ) as r:
                if r.status_code == 409:
                    # Optimistic locking refused a stale save: expected behaviour, counted apart.
                    stale["count"] += 1
                    r.success()
                    self.fields = None  # the editor is reloaded before the next save
                    return
                expect(r, content_type="application/json")
                if r.status_code != 200:
                    return
                result = r.json()
                if result.get("errors") or result.get("list_errors") or not result.get("saved"):
                    r.failure(f"autosave answered {str(result)[:200]}")
                    return
                self._apply(result)

        def _apply(self, result):
            """What the editor's script does with the answer: the new version and the rows' ids."""
            ids = {"recommendation-id": iter(result.get("recommendation_ids") or []),
                   "section-id": iter(result.get("section_ids") or [])}  # fmt: skip
            updated = []
            for name, value in self.fields:
                if name in {"version", "revision"}:
                    value = str(result[name])
                elif name in ids:
                    value = str(next(ids[name], value))
                updated.append((name, value))
            self.fields = updated

    class Ceiling(FastHttpUser):
        """One URL as fast as the server answers: no wait between requests."""

        wait_time = constant(0)
        network_timeout = connection_timeout = 60.0

        @task
        def get(self):
            with self.client.get(cfg["url"], name=cfg["name"], catch_response=True) as r:
                expect(r, cfg.get("marker"), cfg.get("content_type", "text/html"))

    classes = [Ceiling] if cfg["kind"] == "ceiling" else [PublicVisitor, Officer]
    for cls in classes:
        cls.host = host
    env = Environment(user_classes=classes)
    runner = env.create_local_runner()
    users = cfg["users"]
    started = time.time()
    runner.start(users, spawn_rate=users / max(cfg["ramp"], 0.1))
    gevent.sleep(cfg["ramp"])
    while runner.state == STATE_SPAWNING:
        gevent.sleep(0.2)
    gevent.sleep(cfg.get("settle", 0))
    ramp_failures = runner.stats.total.num_failures
    ramp_requests = runner.stats.total.num_requests
    ramp_errors = [
        {"name": e.name, "error": str(e.error), "occurrences": e.occurrences} for e in runner.stats.errors.values()
    ]
    runner.stats.reset_all()
    watch = (cfg["gunicorn_pid"], cfg["database"])
    cpu_before = _cpu_sample(watch)
    t0 = time.time()
    gevent.sleep(cfg["steady"])
    seconds = time.time() - t0
    cpu_after = _cpu_sample(watch)

    def figures(entry, name):
        # The response times as locust keeps them (ms, rounded to 2 significant digits past 100),
        # so that rounds can be merged and percentiles taken by the orchestrator.
        return {
            "name": name,
            "requests": entry.num_requests,
            "errors": entry.num_failures,
            "histogram": {str(ms): n for ms, n in entry.response_times.items()},
        }

    result = {
        "users": runner.user_count,
        "seconds": seconds,
        "entries": [figures(e, e.name) for e in runner.stats.entries.values()],
        "total": figures(runner.stats.total, "total"),
        "ramp_seconds": t0 - started,
        "ramp_requests": ramp_requests,
        "ramp_errors": ramp_failures,
        "errors": ramp_errors
        + [{"name": e.name, "error": str(e.error), "occurrences": e.occurrences} for e in runner.stats.errors.values()],
        "stale": stale["count"],
        "cpu": _cpu_used(cpu_before, cpu_after),
        "cpu_warning": bool(getattr(runner, "cpu_warning_emitted", False)),
        "loadavg": os.getloadavg(),
    }
    runner.quit()
    with open(cfg["output"], "w") as f:
        json.dump(result, f)


# --------------------------------------------------------------------------------------------
# The orchestrator: database, data, static files, gunicorn, the phases, the report, cleaning up.
# --------------------------------------------------------------------------------------------


class Cleanup:
    """Everything to undo, undone in reverse order whatever happens."""

    def __init__(self):
        self.steps = []

    def add(self, description, function):
        self.steps.append((description, function))

    def run(self):
        while self.steps:
            description, function = self.steps.pop()
            try:
                function()
            except Exception as exc:  # noqa: BLE001 - keep cleaning up, say what was left behind
                print(f"cleanup: could not {description}: {exc}", file=sys.stderr)


def _stop(process, timeout=15):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _admin_connection(pg_url):
    import psycopg2

    connection = psycopg2.connect(pg_url.rstrip("/") + "/postgres", connect_timeout=10)
    connection.autocommit = True
    return connection


def create_database(pg_url, name, template=None):
    """A new database `name`; with `template`, a copy of that database (which nobody may be connected to)."""
    connection = _admin_connection(pg_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    finally:
        connection.close()


def drop_database(pg_url, name):
    connection = _admin_connection(pg_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        connection.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def set_up_data(officers):
    """The demo council, the next meeting's agenda published with its packs built, officers with drafts."""
    import io

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from accounts.models import User
    from boards import services
    from boards.models import AgendaPack, Meeting
    from boards.tasks import build_pack_now
    from public.queries import public_reports
    from reports.models import Report

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)  # before the packs: the PDFs use the manifest
    call_command("load_demo", "--force", stdout=io.StringIO())
    clerk = User.objects.get(username="clerk")
    # The Health and Wellbeing Board's next meeting: the first coming meeting with approved reports
    # waiting (the demo's Cabinet and scrutiny committee meet sooner, with none).
    meeting = (
        Meeting.objects.filter(starts_at__gt=timezone.now(), reports__status=Report.Status.APPROVED)
        .order_by("starts_at")
        .first()
    )
    waiting = list(Report.objects.filter(meeting=meeting, status=Report.Status.APPROVED).order_by("pk"))
    template = next(r for r in waiting if not r.is_exempt)

    # Each officer drafts a report of their own (a copy of the Better Care Fund report, with its
    # parts), so autosaves never meet another's edit; their sessions are made directly with the
    # session engine: they signed in before the morning's peak, and 50 password hashes would
    # otherwise be measured as part of it.
    accounts = []
    parts = {
        "recommendations": list(template.recommendations.all()),
        "sections": list(template.sections.all()),
        "implications": list(template.implications.all()),
        "core_purposes": list(template.core_purposes.all()),
    }
    wards = list(template.wards.all())
    for n in range(1, officers + 1):
        user = User.objects.create(
            username=f"load-officer-{n:02d}", first_name="Load", last_name=f"Officer {n}", is_author=True
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        draft = Report.objects.get(pk=template.pk)
        draft.pk = draft.id = None
        draft.author = user
        draft.status = Report.Status.DRAFT
        draft.version = 1
        draft.subject = f"Draft {n}: {template.subject}"
        draft.pdf_file = ""
        draft.pdf_version = None
        draft.save()
        for objects in parts.values():
            for obj in objects:
                obj.pk = obj.id = None
                obj.report = draft
                obj.save()
        draft.wards.set(wards)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "accounts.passwords.PasswordBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        accounts.append(
            {
                "username": user.username,
                "session": session.session_key,
                "edit_url": f"/reports/{draft.pk}/edit/",
                "summary": draft.summary,
                "body": parts["sections"][0].body if parts["sections"] else "",
            }
        )

    for report in waiting:
        services.agenda_add_report(meeting=meeting, report=report, user=clerk)
    services.agenda_publish(meeting=meeting, user=clerk)
    for pack in AgendaPack.objects.all():  # this meeting's and the 2022 meeting's
        build_pack_now(pack.pk)
    public_pack = AgendaPack.objects.get(meeting=meeting, edition=AgendaPack.Edition.PUBLIC)
    assert public_pack.state == AgendaPack.State.READY, public_pack.error
    papers = [(f"/papers/{r.pk}/", r.subject) for r in public_reports().order_by("pk")]
    connections.close_all()
    return {
        "meeting_url": f"/meetings/{meeting.pk}/",
        "meeting_marker": template.subject,
        "meeting_month": f"{timezone.localtime(meeting.starts_at):%Y-%m}",
        "papers": papers,
        "pack_url": f"/meetings/{meeting.pk}/pack.pdf",
        "pack_size": public_pack.size,
        "accounts": accounts,
    }


def start_gunicorn(env, port, workers, threads, log_path, cleanup):
    # The default, for 2 cores: 5 gthread workers of 2 threads (10 requests at once).
    # - Processes for the cores: Python runs one thread at a time per process (the GIL), and the
    #   requests are mostly CPU (templates, the ORM; an autosave is ~100 ms of it), so 2 x cores + 1
    #   processes, gunicorn's rule of thumb, keep both cores busy while some wait on PostgreSQL.
    # - A second thread per process for the waits (PostgreSQL round trips, pack downloads streamed
    #   to slow clients: a sync worker is held for a whole download) and keep-alive between a
    #   browser's requests, which sync workers do not do. More threads per process queue CPU-bound
    #   requests behind each other's GIL: with 3 x 4 the publication-day p95 was 110-130 ms against
    #   79 ms with 5 x 2 (and 84 ms with 5 sync workers, the README's deployment example).
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--timeout", "60", "--log-level", "warning"]  # fmt: skip
    if threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    log = open(log_path, "w")  # noqa: SIM115 - closed by the cleanup
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    cleanup.add("close the server log", log.close)
    cleanup.add("stop gunicorn", lambda: _stop(server))
    url = f"http://127.0.0.1:{port}/healthz"
    for _ in range(300):
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not answer /healthz within 30 s")


def warm_up(host, data, workers):
    """Load every page a few times per worker, so no phase measures imports and template compiling."""
    urls = ["/public/", "/calendar/", data["meeting_url"], data["pack_url"], "/search/?q=care", "/bench/minimal/"]
    urls += [url for url, _ in data["papers"]]
    for _ in range(workers * 3):
        for url in urls:
            try:
                with urllib.request.urlopen(host + url, timeout=30) as response:
                    response.read()
            except urllib.error.HTTPError as exc:
                raise RuntimeError(f"warming up, {url} answered {exc.code}") from None


def run_phase(config, work, name, cleanup):
    """Run one locust phase in a child process; return its figures."""
    config_path = work / f"{name}.json"
    config = dict(config, output=str(work / f"{name}-result.json"))
    config_path.write_text(json.dumps(config))
    log_path = work / f"{name}-locust.log"
    with open(log_path, "w") as log:
        child = subprocess.Popen(
            [sys.executable, __file__, "--child", str(config_path)],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            limit = config["ramp"] + config.get("settle", 0) + config["steady"] + 120
            child.wait(limit)
        finally:
            _stop(child)
    if child.returncode != 0 or not Path(config["output"]).exists():
        print(log_path.read_text()[-3000:], file=sys.stderr)
        raise RuntimeError(f"the {name} phase failed (exit {child.returncode})")
    return json.loads(Path(config["output"]).read_text())


def merge(phases):
    """One set of figures from several rounds of the same phase: requests/s over their total time."""
    seconds = sum(p["seconds"] for p in phases)

    def combined(entries, name):
        histogram = {}
        for entry in entries:
            for ms, n in entry["histogram"].items():
                histogram[float(ms)] = histogram.get(float(ms), 0) + n
        requests = sum(e["requests"] for e in entries)
        return {
            "name": name,
            "requests": requests,
            "rps": requests / seconds if seconds else 0.0,
            "p50": percentile(histogram, 0.50),
            "p95": percentile(histogram, 0.95),
            "p99": percentile(histogram, 0.99),
            "errors": sum(e["errors"] for e in entries),
        }

    names = list(dict.fromkeys(e["name"] for p in phases for e in p["entries"]))
    return {
        "seconds": seconds,
        "users": phases[0]["users"],
        "ramp_seconds": phases[0]["ramp_seconds"],
        "ramp_requests": sum(p["ramp_requests"] for p in phases),
        "ramp_errors": sum(p["ramp_errors"] for p in phases),
        "entries": [combined([e for p in phases for e in p["entries"] if e["name"] == n], n) for n in names],
        "total": combined([p["total"] for p in phases], "total"),
        "errors": [e for p in phases for e in p["errors"]],
        "stale": sum(p["stale"] for p in phases),
        "cpu": {k: sum(p["cpu"][k] for p in phases) for k in phases[0]["cpu"]},
        "cpu_warning": any(p["cpu_warning"] for p in phases),
        "loadavg": phases[-1]["loadavg"],
    }


def percentile(histogram, fraction):
    """The smallest response time that `fraction` of the requests did not exceed."""
    total = sum(histogram.values())
    if not total:
        return 0.0
    seen = 0
    for ms in sorted(histogram):
        seen += histogram[ms]
        if seen >= fraction * total:
            return ms
    return max(histogram)


def _row(label, f):
    return (f"{label:<16}{f['requests']:>9}{f['rps']:>9.1f}{f['p50']:>8.0f}{f['p95']:>8.0f}{f['p99']:>8.0f}"
            f"{f['errors']:>8}")  # fmt: skip


HEADER = f"{'endpoint':<16}{'requests':>9}{'req/s':>9}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>8}"


def _cpu_line(result):
    cpu, seconds = result["cpu"], result["seconds"]
    others = max(cpu["machine"] - cpu["gunicorn"] - cpu["database"] - cpu["client"], 0.0)
    return (f"cores busy (of {os.cpu_count()}): gunicorn {cpu['gunicorn'] / seconds:.2f}, its PostgreSQL "
            f"backends {cpu['database'] / seconds:.2f}, load generator {cpu['client'] / seconds:.2f}, "
            f"everything else {others / seconds:.2f}; load average at the end "
            f"{' '.join(f'{x:.2f}' for x in result['loadavg'])}")  # fmt: skip


def per_request(result):
    """The server's CPU (gunicorn and its PostgreSQL backends) and the load generator's, per request (ms)."""
    cpu = result["cpu"]
    requests = result["total"]["requests"] or 1
    return (cpu["gunicorn"] + cpu["database"]) / requests * 1000, cpu["client"] / requests * 1000


def report_scenario(scale, scenario, minimal):
    visitors, officers = VISITORS * scale, OFFICERS * scale
    print()
    print(f"Publication day x{scale}: {visitors} public visitors (wait {VISITOR_WAIT[0]:g}-{VISITOR_WAIT[1]:g} s) "
          f"and {officers} officers (wait {OFFICER_WAIT[0]:g}-{OFFICER_WAIT[1]:g} s); {scenario['users']} users "
          f"spawned over {scenario['ramp_seconds']:.0f} s, then measured for {scenario['seconds']:.0f} s")  # fmt: skip
    print(HEADER)
    entries = {e["name"]: e for e in scenario["entries"]}
    for group in GROUPS:
        if group in entries:
            print(_row(group, entries[group]))
    for name, entry in entries.items():
        if name not in GROUPS:
            print(_row(name, entry))
    print(_row("total", scenario["total"]))
    print(f"ramp-up: {scenario['ramp_requests']} requests, {scenario['ramp_errors']} errors; "
          f"autosaves refused as stale (409, expected, not errors): {scenario['stale']}")  # fmt: skip
    print(_cpu_line(scenario))
    server_mix, _ = per_request(scenario)
    server_min, _ = per_request(minimal)
    print(f"server CPU per request of the mix: {server_mix:.2f} ms = {server_mix / server_min:.1f}x the minimal "
          f"view's {server_min:.2f} ms")  # fmt: skip
    for error in scenario["errors"]:
        print(f"  error: {error['name']}: {error['error']} (x{error['occurrences']})")
    errors = scenario["ramp_errors"] + scenario["total"]["errors"]
    p95, target = scenario["total"]["p95"], TARGET_P95_MS[scale]
    over = [e["name"] for e in scenario["entries"] if e["p95"] >= target]
    return [
        (errors == 0, f"x{scale}, {scenario['users']} users: errors {errors} (target 0)"),
        (p95 < target, f"x{scale}, {scenario['users']} users: p95 of all requests {p95:.0f} ms (target under "
         f"{target} ms)" + (f"; groups at or over it: {', '.join(over)}" if over else "")),
    ]  # fmt: skip


def report_ceiling(minimal, meeting, args):
    print()
    print(f"Ceiling: each URL alone, {args.users} users, no wait; the two in turn, {args.rounds} rounds of "
          f"{args.ceiling:g} s each, measured for {minimal['seconds']:.0f} s per URL")  # fmt: skip
    print(HEADER)
    print(_row("minimal view", minimal["total"]))
    print(_row("meeting page", meeting["total"]))
    ratio = meeting["total"]["rps"] / minimal["total"]["rps"] if minimal["total"]["rps"] else 0.0
    print(f"meeting page / minimal view throughput: {meeting['total']['rps']:.1f} / "
          f"{minimal['total']['rps']:.1f} req/s = {ratio:.2f}")  # fmt: skip
    print("minimal view: " + _cpu_line(minimal))
    print("meeting page: " + _cpu_line(meeting))
    (server_min, client_min), (server_meet, client_meet) = per_request(minimal), per_request(meeting)
    print(f"CPU per request: minimal view {server_min:.2f} ms in the server + {client_min:.2f} ms in the load "
          f"generator; meeting page {server_meet:.2f} + {client_meet:.2f} ms")  # fmt: skip
    for phase in (minimal, meeting):
        for error in phase["errors"]:
            print(f"  error: {error['name']}: {error['error']} (x{error['occurrences']})")
        if phase["cpu_warning"]:
            print("  note: the load generator reported high CPU use; the ceiling may be the client's")
    return [
        (ratio >= TARGET_CEILING_RATIO, f"meeting page at {ratio:.0%} of the minimal view's throughput "
         f"(target at least {TARGET_CEILING_RATIO:.0%})"),
    ]  # fmt: skip


def report(scenarios, minimal, meeting, args):
    targets = []
    for scale, scenario in scenarios.items():
        targets += report_scenario(scale, scenario, minimal)
    targets += report_ceiling(minimal, meeting, args)
    print()
    print("Targets:")
    for passed, text in targets:
        print(f"  {'PASS' if passed else 'FAIL'}  {text}")
    return all(passed for passed, _ in targets)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server (no db name)")
    parser.add_argument("--ramp", type=float, default=45, help="seconds to start all users (default 45)")
    parser.add_argument("--steady", type=float, default=90, help="seconds measured at full load (default 90)")
    parser.add_argument("--ceiling", type=float, default=15, help="seconds measured per URL per round (default 15)")
    parser.add_argument("--rounds", type=int, default=3, help="ceiling rounds, the two URLs in turn (default 3)")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn worker processes (default 5)")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker; >1 uses gthread (default 2)")
    parser.add_argument(
        "--scales",
        default="1,4",
        help="the scenario's sizes, as multiples of 200 visitors and 50 officers (default 1,4)",
    )
    parser.add_argument("--skip-scenario", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return run_child(args.child)
    args.users = VISITORS + OFFICERS
    scales = [int(x) for x in args.scales.split(",") if x.strip()]
    if not scales or any(scale not in TARGET_P95_MS for scale in scales):
        parser.error(f"--scales takes multiples among {', '.join(map(str, TARGET_P95_MS))}")

    import importlib.util

    if importlib.util.find_spec("locust") is None:
        sys.exit("locust is not installed: .venv/bin/pip install -r bench/requirements.txt")

    cleanup = Cleanup()

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored (`&`)
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    try:
        cleanup.add(f"remove {work}", lambda: shutil.rmtree(work))
        database = f"committee_load_{os.getpid()}"
        create_database(args.pg, database)
        cleanup.add(f"drop the database {database}", lambda: drop_database(args.pg, database))
        env = {
            "DJANGO_SETTINGS_MODULE": "bench.settings_load",
            "DEBUG": "0",
            "HTTPS": "0",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"{args.pg.rstrip('/')}/{database}",
            "VAR_DIR": str(work),
            "MEDIA_ROOT": str(work / "media"),
            "STATIC_ROOT": str(work / "static"),
            "LOG_LEVEL": "WARNING",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        print(f"Setting up {database} in {work} ...", flush=True)
        started = time.perf_counter()
        data = set_up_data(OFFICERS * max(scales))
        print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)

        port = free_port()
        host = f"http://127.0.0.1:{port}"
        server = start_gunicorn(dict(os.environ), port, args.workers, args.threads, work / "gunicorn.log", cleanup)
        kind = f"gthread, {args.threads} threads each" if args.threads > 1 else "sync"
        print(f"gunicorn: {args.workers} workers ({kind}) at {host}", flush=True)
        warm_up(host, data, args.workers)

        common = {"host": host, "gunicorn_pid": server.pid, "database": database}
        scenarios = {}
        for scale in [] if args.skip_scenario else scales:
            visitors, officers = VISITORS * scale, OFFICERS * scale
            scenario = {
                "kind": "scenario", "name": f"publication day x{scale}", "users": visitors + officers, "visitors": visitors, "officers": officers,
                "visitor_wait": VISITOR_WAIT, "officer_wait": OFFICER_WAIT, "ramp": args.ramp * scale ** 0.5,
                "steady": args.steady, "search_terms": SEARCH_TERMS, **data, **common,
            }  # fmt: skip
            print(f"Publication day x{scale} ({visitors + officers} users): ramp {scenario['ramp']:g} s, "
                  f"steady {args.steady:g} s ...", flush=True)  # fmt: skip
            scenarios[scale] = merge([run_phase(scenario, work, f"scenario-x{scale}", cleanup)])
        # The two URLs take turns, round after round, so that anything else the machine does
        # weighs on both alike rather than on whichever ran while it was busy.
        results = {"minimal view": [], "meeting page": []}
        for round_ in range(1, args.rounds + 1):
            for name, url, marker in [
                ("minimal view", "/bench/minimal/", None),
                ("meeting page", data["meeting_url"], data["meeting_marker"]),
            ]:
                print(f"Ceiling, round {round_} of {args.rounds}: {name}, {args.ceiling:g} s ...", flush=True)
                config = {
                    "kind": "ceiling", "users": args.users, "ramp": 5, "settle": 3, "steady": args.ceiling,
                    "url": url, "name": name, "marker": marker,
                    "content_type": "text/plain" if marker is None else "text/html", **common,
                }  # fmt: skip
                results[name].append(run_phase(config, work, f"{name.replace(' ', '-')}-{round_}", cleanup))
        results = {name: merge(phases) for name, phases in results.items()}
        if not scenarios:
            for name, result in results.items():
                print(_row(name, result["total"]), "|", _cpu_line(result))
            return 0
        passed = report(scenarios, results["minimal view"], results["meeting page"], args)
        server_log = (work / "gunicorn.log").read_text()
        if server_log.strip():
            print("\ngunicorn's log (last lines):\n" + "\n".join(server_log.splitlines()[-20:]))
        return 0 if passed else 1
    except KeyboardInterrupt:
        print("\ninterrupted; cleaning up", file=sys.stderr)
        return 130
    except Exception:
        server_log = work / "gunicorn.log"
        if server_log.exists():
            print("gunicorn's log (last lines):\n" + server_log.read_text()[-4000:], file=sys.stderr)
        raise
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001, S110 - Django may not be set up yet
            pass
        cleanup.run()


if __name__ == "__main__":
    sys.exit(main())
