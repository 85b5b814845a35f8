"""Settings for bench/load.py: the project's own settings, with a URLconf that adds one trivial view.

The load test's ceiling is a minimal view served by the same gunicorn, the same settings and the
same middleware as the real pages, so the comparison measures only what the real views add.
The view lives in a bench-only URLconf (bench/urls_load.py): the production URLconf stays as it is.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls_load"
