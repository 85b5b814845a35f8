"""`manage.py run_worker`: the background worker that builds agenda packs (see boards/worker.py) and
starts the daily reminder job (deadlines/tasks.py) once a day.

Takes django-tasks-db's `db_worker` options. With `--supervise` it runs the worker as a child
process and starts it again whenever it ends, so that one command keeps a worker alive
(`make run` uses it; in production systemd does this, see README.md).
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from boards.tasks import recover_stalled_packs
from boards.worker import ResilientWorker, reclaim_lost_tasks
from deadlines.tasks import queue_daily_reminders
from reader.tasks import sweep_notes_retention
from reports.tasks import recover_stalled_conversions

# Seconds before starting a worker that ended again; doubled while it keeps ending within a minute.
RESTART_DELAY, RESTART_DELAY_MAX = 2, 60


# The heartbeat's sweeps: work left by a dead worker, packs and office appendices no job will finish,
# the daily reminder job, queued once a day, and the reader's notes retention, run once a day.
SWEEPS = (
    reclaim_lost_tasks,
    recover_stalled_packs,
    recover_stalled_conversions,
    queue_daily_reminders,
    sweep_notes_retention,
)


class Command(db_worker.Command):
    help = "Run the background worker (agenda packs), surviving database errors; --supervise restarts it"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--supervise", action="store_true", help="Run the worker as a child process and restart it when it ends."
        )

    def handle(self, *, supervise=False, **options):
        if supervise:
            return self.supervise()
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
            sweeps=SWEEPS,
        )
        if options["reload"] and not options["batch"]:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()

    def supervise(self):
        """Start the worker, and start it again whenever it ends, until this process is told to stop."""
        options = [a for a in sys.argv[sys.argv.index("run_worker") + 1 :] if a != "--supervise"]
        args = [sys.executable, str(settings.BASE_DIR / "manage.py"), "run_worker", *options]
        # SIGTERM (systemd, `make run` stopping) ends the child too, rather than leaving it behind.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        delay = RESTART_DELAY
        while True:
            started = time.monotonic()
            child = subprocess.Popen(args)
            try:
                code = child.wait()
            except KeyboardInterrupt:
                child.wait()
                return
            except BaseException:
                child.terminate()
                child.wait()
                raise
            delay = (
                RESTART_DELAY if time.monotonic() - started > RESTART_DELAY_MAX else min(delay * 2, RESTART_DELAY_MAX)
            )
            self.stderr.write(f"The worker ended (exit code {code}); starting it again in {delay} s.")
            time.sleep(delay)
