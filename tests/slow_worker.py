"""`run_worker` whose pack builds take 30 s longer: a worker to kill mid-build (tests/test_worker.py)."""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from boards import packs  # noqa: E402

real_build = packs.build_pack


def slow_build(*args, progress=lambda percent: None, **kwargs):
    progress(10)
    time.sleep(30)
    return real_build(*args, progress=progress, **kwargs)


packs.build_pack = slow_build
call_command("run_worker", *sys.argv[1:])
