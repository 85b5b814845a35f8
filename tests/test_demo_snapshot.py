"""The demo council copied into a test (tests/demo_snapshot.py) is the demo `load_demo` leaves."""

import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django_tasks import default_task_backend

from accounts.models import User
from boards.models import AgendaPack
from reports.models import Report
from tests import demo_snapshot
from tests.conftest import cast, load_demo, without_the_executive


def _what_is_there(jobs_before):
    with connection.cursor() as cursor:
        counts = {}
        for table in demo_snapshot._tables():
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    media = Path(settings.MEDIA_ROOT)
    files = sorted((str(p.relative_to(media)), p.stat().st_size) for p in media.rglob("*") if p.is_file())
    jobs = [(r.task.module_path, r.args) for r in default_task_backend.results[jobs_before:]]
    people = cast()
    reports = sorted(Report.objects.values_list("subject", "status", "is_exempt", "meeting__starts_at"))
    return counts, files, jobs, reports, sorted(people.users), people.seed.pk, people.meeting.pk


def test_a_copy_of_the_demo_holds_what_loading_it_leaves(db, monkeypatch):
    monkeypatch.setattr(demo_snapshot, "_SNAPSHOTS", {})
    monkeypatch.setattr(demo_snapshot, "STATS", {"loaded": 0, "copied": 0})
    without_the_executive(monkeypatch)

    with transaction.atomic():
        jobs_before = len(default_task_backend.results)
        demo_snapshot.load("demo", load_demo)
        loaded = _what_is_there(jobs_before)
        requested = list(AgendaPack.objects.order_by("pk").values_list("requested_at", flat=True))
        transaction.set_rollback(True)
    for path in sorted(Path(settings.MEDIA_ROOT).rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()

    time.sleep(1)
    with transaction.atomic():
        jobs_before = len(default_task_backend.results)
        demo_snapshot.load("demo", load_demo)
        copied = _what_is_there(jobs_before)
        requested_again = list(AgendaPack.objects.order_by("pk").values_list("requested_at", flat=True))
        # New rows take ids past the copied ones (the sequences were moved on).
        User.objects.create(username="after-the-copy")
        Report.objects.create(subject="After the copy", author=User.objects.get(username="officer"))
        transaction.set_rollback(True)

    assert demo_snapshot.STATS == {"loaded": 1, "copied": 1}
    counts, _files, jobs, *_ = loaded
    assert counts["reports_report"] >= 4 and counts["accounts_user"] >= 8 and counts["reports_section"] and jobs
    assert copied == loaded
    # What the load stamped "now" (the packs it asked for) is stamped with the copy's now, a second on.
    later = {after - before for before, after in zip(requested, requested_again, strict=True)}
    assert requested and len(later) == 1 and later.pop() >= timedelta(seconds=1)


def test_a_database_that_is_not_as_the_demo_found_it_gets_the_demo_loaded_again(db, monkeypatch):
    monkeypatch.setattr(demo_snapshot, "_SNAPSHOTS", {})
    monkeypatch.setattr(demo_snapshot, "STATS", {"loaded": 0, "copied": 0})
    without_the_executive(monkeypatch)
    with transaction.atomic():
        demo_snapshot.load("demo", load_demo)
        transaction.set_rollback(True)

    User.objects.create(username="someone-before-the-demo")  # a row the copy was not taken on
    demo_snapshot.load("demo", load_demo)

    assert demo_snapshot.STATS == {"loaded": 2, "copied": 0}
    assert User.objects.filter(username="officer").count() == 1
