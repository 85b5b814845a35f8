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
(rolled back as usual), the sequences moved past them, the files copied into its own MEDIA_ROOT,
and the jobs queued again, which is what `load_demo` would have left, without running it.

A copy is made only onto the database state the load started from: the tables the load found
empty must be empty, and the tables it found filled (content types, permissions, migrations) must
hold the same rows. Otherwise, as after a transactional test's flush renumbers the content types,
or the day changes (the demo's dates count from today), the demo is loaded for real again and
the copy is taken afresh. tests/test_demo_snapshot.py checks that a copy equals a real load.
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
from django.db import connection, transaction
from django.utils import timezone

FTS_TABLE = "reports_search_fts"
_SNAPSHOTS = {}
_ROOT = None
STATS = {"loaded": 0, "copied": 0}


def load(variant, load_demo):
    """Leave the demo council of `variant` in the test's database, as `load_demo()` does."""
    key = (variant, timezone.localdate())
    snapshot = _SNAPSHOTS.get(key)
    state = _state()
    if snapshot is not None and snapshot["state"] == state:
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

    jobs_before = len(default_task_backend.results)
    load_demo()
    jobs = list(default_task_backend.results[jobs_before:])
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
    return {"state": state, "tables": tables, "jobs": jobs, "media": _keep_media()}


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

    # One transaction (a savepoint inside a test's), so that foreign keys are checked once all rows are
    # in, as they are deferred; a transactional test would otherwise check them row by row.
    with transaction.atomic(), connection.cursor() as cursor:
        for table, data in snapshot["tables"].items():
            if connection.vendor == "postgresql":
                cursor.cursor.copy_expert(f"COPY {_quote(table)} FROM STDIN", io.StringIO(data))
            else:
                columns, rows = data
                names = ", ".join(
                    ["rowid"] + [_quote(c) for c in columns[1:]] if table == FTS_TABLE else map(_quote, columns)
                )
                marks = ", ".join(["?"] * len(columns))
                cursor.cursor.executemany(f"INSERT INTO {_quote(table)} ({names}) VALUES ({marks})", rows)  # noqa: S608
        if connection.vendor == "postgresql":
            restored = set(snapshot["tables"])
            models = [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in restored]
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
    default_task_backend.results.extend(snapshot["jobs"])
    if snapshot["media"] is not None:
        shutil.copytree(snapshot["media"], settings.MEDIA_ROOT, dirs_exist_ok=True)


def cleanup():
    if _ROOT is not None:
        shutil.rmtree(_ROOT, ignore_errors=True)
