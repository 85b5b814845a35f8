"""The demo council for tests, loaded by `load_demo` once per run and copied into each later test.

Most tests start from the demo council (tests/conftest.py's `demo` fixtures). `load_demo` makes it
through the real models and services, which costs seconds a test; the suite runs it about a
thousand times. So the first test of each kind of demo (its `variant`: the plain demo, the demo
with the executive, the demo with its record open) loads it for real, and this module keeps what
the load left behind:
- the rows it added, table by table (PostgreSQL's COPY, exact for every column type; SQLite's rows
  as they are stored, the FTS5 search table included);
- the files it wrote under MEDIA_ROOT;
- the background jobs it queued (the dummy task backend's results), appended again on each copy.
Each later test of that variant gets the same rows, ids included, inside its own transaction
(rolled back as usual), the sequences moved past them, the times the load wrote as "now" moved on
to the copy's now, the files copied into its own MEDIA_ROOT, and the jobs queued again (with the
dummy task backend; the snapshot is per task backend), which is what `load_demo` would have left,
without running it.

A copy is made only onto the database state the load started from: the tables the load found
empty must be empty, and the tables it found filled (content types, permissions, migrations) must
hold the same rows. Otherwise, as after a transactional test's flush renumbers the content types,
or the day changes (the demo's dates count from today), or the copy is older than MAX_AGE, the
demo is loaded for real again and the copy is taken afresh. tests/test_demo_snapshot.py checks that a copy equals a real load.
"""

import datetime as dt
import hashlib
import io
import shutil
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

FTS_TABLE = "reports_search_fts"
_SNAPSHOTS = {}
_ROOT = None
STATS = {"loaded": 0, "copied": 0}
# The times the load wrote ("now" as it ran: a pack's request, an event) are moved on to the copy's
# "now"; times the demo reckons from now plus or minus a while are not, so a copy is taken afresh
# after this long, and such a time is never more than this far from where a load would put it.
MAX_AGE = dt.timedelta(minutes=5)


def load(variant, load_demo):
    """Leave the demo council of `variant` in the test's database, as `load_demo()` does."""
    key = (variant, timezone.localdate(), repr(settings.TASKS))
    snapshot = _SNAPSHOTS.get(key)
    state = _state()
    if snapshot is not None and snapshot["state"] == state and timezone.now() - snapshot["ended"] < MAX_AGE:
        _restore(snapshot)
        STATS["copied"] += 1
        return
    _SNAPSHOTS[key] = _capture(load_demo, state)
    STATS["loaded"] += 1


def _tables():
    names = connection.introspection.table_names(include_views=False)
    return sorted(n for n in names if not n.startswith(("sqlite_", f"{FTS_TABLE}_")) and n != "django_migrations")


def _quote(name):
    return connection.ops.quote_name(name)


def _select(table):
    return f"SELECT rowid, * FROM {_quote(table)}" if table == FTS_TABLE else f"SELECT * FROM {_quote(table)}"  # noqa: S608


def _state():
    """What the database holds before the demo: each table's rows, as a digest (empty tables included)."""
    digest = {}
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(_select(table) + " LIMIT 1")
            if cursor.fetchone() is None:
                digest[table] = None
                continue
            cursor.execute(_select(table))
            rows = sorted(
                repr([bytes(v) if isinstance(v, memoryview) else v for v in row]) for row in cursor.fetchall()
            )
            digest[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digest


def _capture(load_demo, state):
    from django_tasks import default_task_backend

    queued = getattr(default_task_backend, "results", None)  # the dummy backend's; others run them at once
    jobs_before = len(queued) if queued is not None else 0
    started = timezone.now()
    load_demo()
    ended = timezone.now()
    jobs = list(queued[jobs_before:]) if queued is not None else []
    tables = {}
    with connection.cursor() as cursor:
        for table, before in state.items():
            if before is not None:
                continue  # filled before the demo, and the demo adds nothing to these (checked below)
            if connection.vendor == "postgresql":
                buffer = io.StringIO()
                cursor.cursor.copy_expert(f"COPY {_quote(table)} TO STDOUT", buffer)
                if buffer.tell():
                    tables[table] = buffer.getvalue()
            else:
                cursor.execute(_select(table))
                # As stored: Django's SQLite backend reads times as datetime.time, which sqlite3 cannot write.
                rows = [tuple(v.isoformat() if isinstance(v, dt.time) else v for v in row) for row in cursor.fetchall()]
                if rows:
                    columns = [c[0] for c in cursor.description]
                    tables[table] = (columns, rows)
    filled = {table for table, before in state.items() if before is not None}
    after = _state()
    if any(after[table] != state[table] for table in filled):
        return {"state": None}  # the demo changed rows that were there before: never copied, always loaded
    return {
        "state": state,
        "tables": tables,
        "jobs": jobs,
        "media": _keep_media(),
        "started": started,
        "ended": ended,
        "moments": [
            (model._meta.db_table, field.column)
            for model in apps.get_models(include_auto_created=True)
            if model._meta.db_table in tables
            for field in model._meta.concrete_fields
            if isinstance(field, models.DateTimeField)
        ],
    }


def _keep_media():
    global _ROOT
    media = Path(settings.MEDIA_ROOT)
    if not media.exists():
        return None
    if _ROOT is None:
        _ROOT = Path(tempfile.mkdtemp(prefix="demo-snapshot-"))
    kept = Path(tempfile.mkdtemp(dir=_ROOT))
    shutil.copytree(media, kept, dirs_exist_ok=True)
    return kept


def _restore(snapshot):
    from django_tasks import default_task_backend

    started, ended = snapshot["started"], snapshot["ended"]
    later = timezone.now() - ended
    # One transaction (a savepoint inside a test's), so that foreign keys are checked once all rows are
    # in, as they are deferred; a transactional test would otherwise check them row by row.
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table, data in snapshot["tables"].items():
                cursor.cursor.copy_expert(f"COPY {_quote(table)} FROM STDIN", io.StringIO(data))
            moved = [
                f"UPDATE {_quote(table)} SET {_quote(column)} = {_quote(column)} + interval '{later.total_seconds()} seconds' "
                f"WHERE {_quote(column)} BETWEEN '{started.isoformat()}' AND '{ended.isoformat()}'"
                for table, column in snapshot["moments"]
            ]
            restored = set(snapshot["tables"])
            models_restored = [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in restored]
            cursor.execute(";\n".join(moved + connection.ops.sequence_reset_sql(no_style(), models_restored)))
        else:
            # SQLite keeps UTC times without their zone, which its Django backend reads as naive datetimes.
            first, last = timezone.make_naive(started, dt.UTC), timezone.make_naive(ended, dt.UTC)

            def moved(value):
                return value + later if isinstance(value, dt.datetime) and first <= value <= last else value

            for table, (columns, rows) in snapshot["tables"].items():
                names = ["rowid", *map(_quote, columns[1:])] if table == FTS_TABLE else list(map(_quote, columns))
                marks = ", ".join(["?"] * len(columns))
                cursor.cursor.executemany(
                    f"INSERT INTO {_quote(table)} ({', '.join(names)}) VALUES ({marks})",  # noqa: S608
                    [tuple(moved(v) for v in row) for row in rows],
                )
    queued = getattr(default_task_backend, "results", None)
    if queued is not None:
        queued.extend(snapshot["jobs"])
    if snapshot["media"] is not None:
        shutil.copytree(snapshot["media"], settings.MEDIA_ROOT, dirs_exist_ok=True)


def cleanup():
    if _ROOT is not None:
        shutil.rmtree(_ROOT, ignore_errors=True)
