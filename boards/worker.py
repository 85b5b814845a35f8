"""The background worker: django-tasks-db's worker, made to outlive database errors and to say it is alive.

django-tasks-db's loop lets any database error but a lock met while taking a task end the process,
and a task's result that cannot be written (the database locked for longer than its three quick
tries) does the same, leaving the task RUNNING. `ResilientWorker` runs the same loop, and when it
fails waits (1 s, doubling to a minute) and starts it again. A heartbeat thread writes the worker's
row (`boards.Worker`) every WORKER_LOST_AFTER / 6 seconds, with the task it is running, and sweeps:
a RUNNING task whose worker is gone, or no longer running it, is queued again (at most
WORKER_TASK_ATTEMPTS runs, then failed), `boards.tasks.recover_stalled_packs` queues again any
pack no task will build, and `reports.tasks.recover_stalled_conversions` does the same for an office
appendix waiting to be converted, or shows as failed one whose conversion job ended unfinished.
"""

import logging
import os
import random
import socket
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from django_tasks_db.models import DBTaskResult

from boards.models import Worker

log = logging.getLogger(__name__)

MAX_BACKOFF = 60


class WorkerLost(Exception):
    """The worker running a task stopped before it finished (recorded as the task's error)."""


def heartbeat_every():
    return max(1.0, settings.WORKER_LOST_AFTER / 6)


def reclaim_lost_tasks(now=None):
    """Queue again each task left RUNNING by a worker that is gone or no longer running it; fail it
    once it has been started WORKER_TASK_ATTEMPTS times. Returns the ids of the tasks taken back."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.WORKER_LOST_AFTER)
    at_work = dict(Worker.objects.live(now).values_list("worker_id", "task_id"))
    taken = []
    for task in DBTaskResult.objects.running().filter(started_at__lt=cutoff):
        worker_id = task.worker_ids[-1] if task.worker_ids else ""
        if at_work.get(worker_id) == str(task.id):
            continue  # its worker is alive and still at it
        unchanged = DBTaskResult.objects.filter(pk=task.pk, status=TaskResultStatus.RUNNING, started_at=task.started_at)
        if len(task.worker_ids) < settings.WORKER_TASK_ATTEMPTS:
            if unchanged.update(status=TaskResultStatus.READY):
                log.warning(
                    "Task %s (%s) was left running by worker %s: queued again", task.id, task.task_path, worker_id
                )
                taken.append(str(task.id))
        elif unchanged.exists():
            task.set_failed(
                WorkerLost(f"The worker running it ({worker_id}) stopped; it was started {len(task.worker_ids)} times.")
            )
            log.error("Task %s (%s) failed: its worker stopped %s times", task.id, task.task_path, len(task.worker_ids))
            taken.append(str(task.id))
    return taken


class Heartbeat(threading.Thread):
    """Writes the worker's row every few seconds and runs the sweeps, on its own database connection."""

    def __init__(self, worker_id, sweeps=()):
        super().__init__(name="worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.sweeps = sweeps
        self.task_id = ""
        self.error = ""
        self.started_at = timezone.now()
        self._stopping = threading.Event()

    def beat(self):
        """Say this worker is alive, what it is running and the last error its loop met."""
        now = timezone.now()
        defaults = {
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": self.started_at,
            "seen_at": now,
            "task_id": self.task_id,
        }
        if self.error:
            defaults |= {"last_error": self.error[:2000], "last_error_at": now}
            self.error = ""
        Worker.objects.update_or_create(worker_id=self.worker_id, defaults=defaults)
        Worker.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()  # workers long gone

    def tick(self):
        """One heartbeat and one sweep; a database error is logged and tried again at the next tick."""
        try:
            self.beat()
            for sweep in self.sweeps:
                sweep()
        except Exception as exc:  # noqa: BLE001 - the heartbeat must outlive whatever the database does
            log.warning("The worker's heartbeat failed (%s); trying again in %.0f s", exc, heartbeat_every())
            connection.close()

    def run(self):
        try:
            while not self._stopping.wait(heartbeat_every()):
                self.tick()
        finally:
            connection.close()

    def stop(self):
        """Stop beating and remove the worker's row: a worker that stopped cleanly is not missed."""
        self._stopping.set()
        try:
            Worker.objects.filter(worker_id=self.worker_id).delete()
        except Exception as exc:  # noqa: BLE001 - its row then simply grows old
            log.warning("Could not remove the worker's row: %s", exc)


class ResilientWorker(DatabaseWorker):
    """django-tasks-db's worker that starts its loop again after any error, with a heartbeat."""

    def __init__(self, *, sweeps=(), **kwargs):
        super().__init__(**kwargs)
        self.heartbeat = Heartbeat(self.worker_id, sweeps)

    def run(self):
        self.heartbeat.tick()  # alive before the first task, and stalled work swept at once
        self.heartbeat.start()
        failures, backoff_from = 0, time.monotonic()
        try:
            while True:
                try:
                    return super().run()  # returns only when asked to stop (or in batch mode when done)
                except Exception as exc:  # noqa: BLE001 - the loop must outlive database errors
                    if time.monotonic() - backoff_from > MAX_BACKOFF:
                        failures = 0  # it ran a good while since the last failure
                    failures += 1
                    backoff_from = time.monotonic()
                    delay = min(MAX_BACKOFF, 2 ** (failures - 1)) * random.uniform(0.75, 1.25)
                    log.warning(
                        "The worker's loop failed (%s: %s); starting it again in %.1f s",
                        type(exc).__name__,
                        exc,
                        delay,
                        exc_info=failures == 1,
                    )
                    self.heartbeat.error = f"{type(exc).__name__}: {exc}"
                    connections.close_all()  # a broken connection is opened afresh
                    if not self.running:
                        return None
                    time.sleep(delay)
                    self.startup_delay = False
        finally:
            self.heartbeat.stop()

    def run_task(self, db_task_result):
        self.heartbeat.task_id = str(db_task_result.id)
        try:
            super().run_task(db_task_result)
        finally:
            self.heartbeat.task_id = ""
