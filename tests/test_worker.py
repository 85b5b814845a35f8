"""The background worker: nothing lost, nothing stuck. It outlives a locked database (before and
during a build), a failed build is tried again and then shown failed with a "Build again" button,
work left by a dead worker is taken back, two workers never build one pack at once, a worker killed
mid-build is replaced and the pack completes, and /healthz reports the worker and the queue."""

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError, connection, connections
from django.test import Client
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from boards import packs
from boards.models import AgendaPack, Worker
from boards.tasks import build_pack_now, build_pack_task, recover_stalled_packs
from boards.worker import ResilientWorker, reclaim_lost_tasks

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def queue(settings):
    """The real database queue (the tests' default records tasks without running them)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.WORKER_LOST_AFTER = 3  # a heartbeat and a lease renewal every half second


def front_sheet(meeting, **fields):
    """The meeting's front sheet pack (the demo queued its packs) as `fields` say."""
    pack, _ = AgendaPack.objects.update_or_create(
        meeting=meeting, edition=AgendaPack.Edition.FRONT_SHEET, defaults={"content_key": "", **fields}
    )
    return pack


def wanted_front_sheet(meeting):
    """The meeting's front sheet, wanted and queued as publishing queues it (it builds in a second);
    the demo's other packs are left alone."""
    AgendaPack.objects.update(state=AgendaPack.State.READY)
    pack, _ = AgendaPack.objects.update_or_create(
        meeting=meeting,
        edition=AgendaPack.Edition.FRONT_SHEET,
        defaults={"state": AgendaPack.State.QUEUED, "requested_at": timezone.now(), "content_key": ""},
    )
    build_pack_task.enqueue(pack.pk)
    return pack


def worker_in_a_thread(**options):
    """A ResilientWorker running in a thread of the test, as `run_worker` runs it; stop() ends it."""
    worker = ResilientWorker(
        queue_names=["*"],
        interval=0.1,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=options.get("worker_id", "test-worker"),
        excluded_queue_names=[],
        sweeps=(reclaim_lost_tasks, recover_stalled_packs),
    )
    failures = []

    def run():
        try:
            worker.run()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            failures.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def stop():
        worker.running = False
        thread.join(30)
        assert not thread.is_alive(), "the worker did not stop"
        return failures

    return worker, stop


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def pack_state(pack):
    try:
        return AgendaPack.objects.values_list("state", flat=True).get(pk=pack.pk)
    except OperationalError:
        return "unreadable"  # locked: in the tests' shared in-memory database, reads wait for no one


class DatabaseLock:
    """Another connection holding a write lock on a table, as another process would, until released.

    SQLite (the tests' shared in-memory database): a write transaction on the table. PostgreSQL: an
    exclusive table lock, with this test's connections giving up after half a second (production's
    DATABASE_LOCK_TIMEOUT is 10 s)."""

    def __init__(self, monkeypatch):
        if connection.vendor == "sqlite":
            self.other = sqlite3.connect(
                connection.settings_dict["NAME"], uri=True, isolation_level=None, check_same_thread=False
            )
        else:
            import psycopg2

            db = connection.settings_dict
            self.other = psycopg2.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432)
            monkeypatch.setitem(db["OPTIONS"], "options", "-c lock_timeout=500")
        self.held = False
        self.guard = threading.Lock()
        self.timers = []

    def take(self, table):
        if connection.vendor == "sqlite":
            self.other.execute("BEGIN IMMEDIATE")
            self.other.execute(f"UPDATE {table} SET id = id WHERE 0")  # noqa: S608 - a table name of ours
        else:
            self.other.cursor().execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        self.held = True

    def release(self):
        with self.guard:
            if self.held:
                if isinstance(self.other, sqlite3.Connection):
                    self.other.execute("ROLLBACK")
                else:
                    self.other.rollback()
                self.held = False

    def release_after(self, seconds):
        timer = threading.Timer(seconds, self.release)
        timer.start()
        self.timers.append(timer)

    def close(self):
        for timer in self.timers:
            timer.cancel()
        self.release()
        self.other.close()


@pytest.fixture
def lock(monkeypatch):
    """A database lock to take (`lock.take(table)`), always let go after the test."""
    held = DatabaseLock(monkeypatch)
    yield held
    held.close()


@pytest.mark.django_db(transaction=True)
def test_it_outlives_a_locked_database_and_then_builds_what_was_queued(demo, queue, lock, caplog):
    pack = wanted_front_sheet(demo.meeting)
    lock.take(DBTaskResult._meta.db_table)
    lock.release_after(3)
    worker, stop = worker_in_a_thread()
    try:
        assert wait_for(lambda: pack_state(pack) == AgendaPack.State.READY, 40), pack_state(pack)
    finally:
        failures = stop()
    assert not failures
    assert "The worker's loop failed" in caplog.text  # it met the lock, waited and went on
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


@pytest.mark.django_db(transaction=True)
def test_it_outlives_a_locked_database_during_a_build_and_the_pack_completes(demo, queue, lock, monkeypatch, caplog):
    pack = wanted_front_sheet(demo.meeting)
    real_build = packs.build_pack
    locked_once = []

    def build_then_lock(*args, **kwargs):
        built = real_build(*args, **kwargs)
        if not locked_once:  # the database is locked as the first build is about to be stored
            locked_once.append(True)
            lock.take(AgendaPack._meta.db_table)
            lock.release_after(2)
        return built

    monkeypatch.setattr(packs, "build_pack", build_then_lock)
    worker, stop = worker_in_a_thread()
    try:
        assert wait_for(lambda: pack_state(pack) == AgendaPack.State.READY, 45), pack_state(pack)
    finally:
        failures = stop()
    assert not failures and locked_once
    pack.refresh_from_db()
    assert pack.file and pack.error == "" and pack.attempts == 0
    assert "locked" in caplog.text or "lock timeout" in caplog.text


def test_it_tries_a_failed_build_again_then_shows_it_failed_with_a_build_again_button(
    login, demo, monkeypatch, django_capture_on_commit_callbacks
):
    from django_tasks import default_task_backend

    default_task_backend.clear()
    pack = front_sheet(demo.meeting)

    def broken(*args, **kwargs):
        raise RuntimeError("The front sheet's font is missing")

    monkeypatch.setattr(packs, "build_pack", broken)
    client = login(demo.clerk)
    for attempt in (1, 2):
        build_pack_now(pack.pk)
        pack.refresh_from_db()
        assert (pack.state, pack.attempts) == (AgendaPack.State.QUEUED, attempt)
        retry = default_task_backend.results[-1]
        assert retry.args == [pack.pk] and retry.task.run_after > timezone.now()  # later, not at once
        html = client.get(f"/meetings/{demo.meeting.pk}/").content.decode()
        assert f"being tried again (attempt {attempt + 1} of 3): RuntimeError: The front sheet" in html
    build_pack_now(pack.pk)
    pack.refresh_from_db()
    assert pack.state == AgendaPack.State.FAILED and pack.attempts == 3
    queued = len(default_task_backend.results)
    build_pack_now(pack.pk)  # a stray task for it changes nothing
    assert pack_state(pack) == AgendaPack.State.FAILED and len(default_task_backend.results) == queued

    html = client.get(f"/meetings/{demo.meeting.pk}/").content.decode()
    assert "The build failed 3 times" in html
    assert "RuntimeError: The front sheet&#x27;s font is missing" in html
    assert "Build again" in html
    # Anyone else sees the previous file (none here) and no error.
    assert "font is missing" not in login(demo.member).get(f"/meetings/{demo.meeting.pk}/").content.decode()

    monkeypatch.undo()
    client = login(demo.clerk)
    response = client.post(f"/meetings/{demo.meeting.pk}/packs/build-again/")
    assert response.status_code == 302
    pack.refresh_from_db()
    assert (pack.state, pack.attempts, pack.error) == (AgendaPack.State.QUEUED, 0, "")
    assert default_task_backend.results[-1].args == [pack.pk]
    build_pack_now(pack.pk)
    assert pack_state(pack) == AgendaPack.State.READY


def test_it_lets_only_democratic_services_build_again(login, demo):
    for user in (demo.officer, demo.member, demo.outsider):
        assert login(user).post(f"/meetings/{demo.meeting.pk}/packs/build-again/").status_code == 404


def test_it_takes_back_a_pack_whose_builders_lease_lapsed_and_leaves_a_live_one(demo):
    pack = front_sheet(
        demo.meeting,
        state=AgendaPack.State.BUILDING,
        attempts=1,
        lease_token="another-build",
        lease_until=timezone.now() + timedelta(seconds=30),
    )
    assert build_pack_now(pack.pk) is None  # held: another build is at work on it
    assert recover_stalled_packs() == []
    AgendaPack.objects.filter(pk=pack.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert recover_stalled_packs() == [pack.pk]  # its worker died: queued again
    built = build_pack_now(pack.pk)
    assert built.state == AgendaPack.State.READY and built.file and built.attempts == 0


def test_it_fails_a_pack_whose_last_attempt_died(demo):
    pack = front_sheet(
        demo.meeting,
        state=AgendaPack.State.BUILDING,
        attempts=3,
        lease_token="dead-build",
        lease_until=timezone.now() - timedelta(seconds=1),
    )
    assert build_pack_now(pack.pk) is None
    pack.refresh_from_db()
    assert pack.state == AgendaPack.State.FAILED
    assert "stopped part-way" in pack.error


def test_it_queues_again_a_pack_that_waits_with_no_task(demo, queue):
    AgendaPack.objects.update(state=AgendaPack.State.READY)
    pack = front_sheet(demo.meeting, state=AgendaPack.State.QUEUED, requested_at=timezone.now() - timedelta(minutes=4))
    assert recover_stalled_packs() == [pack.pk]
    assert recover_stalled_packs() == []  # now a task is coming
    assert DBTaskResult.objects.get().args_kwargs["args"] == [pack.pk]


def running_task(worker_id, started_ago, runs=1):
    result = build_pack_task.enqueue(123)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(seconds=started_ago),
        worker_ids=[f"earlier-{n}" for n in range(runs - 1)] + [worker_id],
    )
    return result.id


def test_it_takes_back_a_task_left_running_by_a_dead_worker(db, queue):
    Worker.objects.create(worker_id="alive", seen_at=timezone.now(), task_id="")
    dead = running_task("gone", started_ago=10)
    dropped = running_task("alive", started_ago=10)  # its worker lives but is no longer running it
    just_started = running_task("gone", started_ago=1)
    tried_enough = running_task("gone", started_ago=10, runs=3)
    at_work = running_task("busy", started_ago=10)
    Worker.objects.create(worker_id="busy", seen_at=timezone.now(), task_id=str(at_work))
    Worker.objects.create(worker_id="stale", seen_at=timezone.now() - timedelta(seconds=10), task_id="")

    assert set(reclaim_lost_tasks()) == {dead, dropped, tried_enough}
    status = {str(pk): state for pk, state in DBTaskResult.objects.values_list("id", "status")}
    assert status[dead] == status[dropped] == TaskResultStatus.READY
    assert status[just_started] == status[at_work] == TaskResultStatus.RUNNING
    assert status[tried_enough] == TaskResultStatus.FAILED
    assert "WorkerLost" in DBTaskResult.objects.get(pk=tried_enough).traceback


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_never_builds_one_pack_twice_at_once_on_postgresql(demo, settings, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    pack = front_sheet(demo.meeting)
    real_build = packs.build_pack
    building, most, builds = [], [], []
    guard = threading.Lock()

    def slow_build(*args, **kwargs):
        with guard:
            building.append(1)
            most.append(len(building))
            builds.append(threading.current_thread().name)
        time.sleep(1.5)
        try:
            return real_build(*args, **kwargs)
        finally:
            with guard:
                building.pop()

    monkeypatch.setattr(packs, "build_pack", slow_build)
    start = threading.Barrier(6)

    def worker_task():
        try:
            start.wait()
            build_pack_now(pack.pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker_task, name=f"worker-{n}") for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert max(most) == 1, "two builds of one pack ran at once"
    assert len(builds) == 1
    assert pack_state(pack) == AgendaPack.State.READY


def worker_process(env, slow=False):
    script = [str(ROOT / "tests" / "slow_worker.py")] if slow else [str(ROOT / "manage.py"), "run_worker"]
    return subprocess.Popen(
        [sys.executable, *script, "--queue-name", "*", "--interval", "0.2", "--no-reload", "--no-startup-delay"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def worker_env(tmp_path):
    """The environment a worker process needs to use this test's database and files."""
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "HTTPS": "0",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
        "WORKER_LOST_AFTER": "4",
    }
    return env


@pytest.mark.slow
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_completes_a_pack_whose_worker_was_killed_mid_build(demo, queue, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: a worker process shares the test's database")
    pack = wanted_front_sheet(demo.meeting)
    env = worker_env(tmp_path)
    doomed = worker_process(env, slow=True)
    replacement = None
    try:
        assert wait_for(lambda: pack_state(pack) == AgendaPack.State.BUILDING, 30), "the build never started"
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(10)
        assert pack_state(pack) == AgendaPack.State.BUILDING  # left mid-build, as a killed worker leaves it
        replacement = worker_process(env)
        assert wait_for(lambda: pack_state(pack) == AgendaPack.State.READY, 45), pack_state(pack)
    finally:
        for process in (doomed, replacement):
            if process and process.poll() is None:
                process.terminate()
                process.wait(20)
    pack.refresh_from_db()
    assert pack.file and pack.attempts == 0
    # The pack's build (the workers also queue the day's reminder job, deadlines/tasks.py).
    task = DBTaskResult.objects.get(task_path=build_pack_task.module_path)
    assert task.status == TaskResultStatus.SUCCESSFUL and len(task.worker_ids) == 2  # taken back, run again
    response = Client().get(f"/meetings/{demo.meeting.pk}/agenda.pdf")
    assert response.status_code == 200


@pytest.mark.slow
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_starts_a_killed_worker_again_under_supervision(demo, queue, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: a worker process shares the test's database")
    env = worker_env(tmp_path)
    supervisor = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "run_worker", "--supervise", "--no-reload", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for(lambda: Worker.objects.exists(), 30), "no worker reported"
        first = Worker.objects.get().pid
        assert first != supervisor.pid
        os.kill(first, signal.SIGKILL)
        assert wait_for(lambda: Worker.objects.exclude(pid=first).exists(), 30), "the worker was not started again"
        second = Worker.objects.exclude(pid=first).get().pid
    finally:
        supervisor.terminate()
        supervisor.wait(20)
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):
        os.kill(second, 0)  # stopping the supervisor stopped its worker too


def test_it_reports_the_worker_and_the_oldest_waiting_build(client, demo):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["worker"]["last_heartbeat"] is None
    Worker.objects.create(worker_id="w1", seen_at=timezone.now() - timedelta(seconds=5))
    AgendaPack.objects.update(state=AgendaPack.State.READY)
    front_sheet(demo.meeting, state=AgendaPack.State.QUEUED, requested_at=timezone.now() - timedelta(seconds=90))
    report = client.get("/healthz").json()
    assert report["status"] == "ok" and report["database"] == "ok"
    assert report["worker"]["live_workers"] == 1 and 4 <= report["worker"]["seconds_since_heartbeat"] <= 7
    assert report["builds"] == {"waiting": 1, "oldest_waiting_seconds": 90}
    AgendaPack.objects.update(requested_at=timezone.now() - timedelta(minutes=20))
    report = client.get("/healthz").json()
    assert report["status"] == "degraded" and "A pack build has waited" in report["problems"][0]


def test_it_answers_the_health_check_over_plain_http_when_https_is_on(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/public/").status_code == 301


def test_it_answers_503_when_the_database_does_not_answer(client, db, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def refuse(self, sql, params=None):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(CursorWrapper, "execute", refuse)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}
