"""The cast: the demo council's users (officer, finance, legal, director, clerk, member, outsider,
admin), its board, meeting and reports, loaded by `load_demo` exactly as a person would see them."""

from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from accounts.models import User
from boards.models import Board, Meeting
from reports import demo as demo_data
from reports.models import Report
from tests import demo_snapshot

PASSWORD = "committee-demo"

# Lines a test wants in the run's summary, for CI logs (tests/test_exempt_stateful.py's counts).
SUMMARY = []


def pytest_terminal_summary(terminalreporter):
    stats = demo_snapshot.STATS
    if stats["loaded"] or stats["copied"]:
        terminalreporter.write_line(f"demo council: loaded {stats['loaded']} times, copied {stats['copied']} times")
    for line in SUMMARY:
        terminalreporter.write_line(line)


def pytest_sessionfinish(session):
    demo_snapshot.cleanup()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _visitors_pages_rechecked_at_once(monkeypatch):
    """Visitors' pages read what they print afresh on every request here, from an empty cache.

    In a server a change made without a save signal in this process (another worker, or a test's
    queryset update "as if the meeting had been held") reaches visitors within RECHECK_SECONDS;
    tests see it at once. tests/test_public_pages_cache.py and tests/test_public_cache.py test the
    window itself.
    """
    from django.core.cache import cache

    from boards import public_cache

    monkeypatch.setattr(public_cache, "RECHECK_SECONDS", 0)
    cache.clear()
    yield
    cache.clear()


def without_the_executive(monkeypatch):
    """Leave out the demo's Cabinet and scrutiny committee (decisions/demo.py): most tests know the demo
    as one board; those about the executive ask for `demo_executive`."""
    from decisions import demo as decisions_demo

    monkeypatch.setattr(decisions_demo, "load", lambda command, users: None)


@pytest.fixture
def demo(db, monkeypatch):
    """The demo council, loaded by the management command (tests run with DEBUG off, hence --force)."""
    without_the_executive(monkeypatch)
    demo_snapshot.load("demo", load_demo)
    return cast()


@pytest.fixture
def demo_executive(db):
    """The demo council as `make run` loads it: the Cabinet and the scrutiny committee too."""
    demo_snapshot.load("demo_executive", load_demo)
    return cast()


@pytest.fixture
def demo_record_open(db, monkeypatch):
    """The demo council as it stood before the minutes of 14 September 2022 were approved: its
    record (attendance, declarations, decisions, votes) still open to the clerk. The demo approves
    those minutes, which locks the record, so the tests that edit the record load it without them;
    the demo as loaded is tested in tests/test_demo.py."""
    from minutes import demo as minutes_demo

    monkeypatch.setattr(minutes_demo, "load", lambda users, meeting: None)
    without_the_executive(monkeypatch)
    demo_snapshot.load("demo_record_open", load_demo)
    return cast()


def load_demo():
    """What the fixtures above run the first time (tests/demo_snapshot.py copies its result after)."""
    call_command("load_demo", "--force", stdout=StringIO())


def cast():
    """The demo's users, board, meeting of 14 September 2022 and reports, by name."""
    users = {u.username: u for u in User.objects.all()}
    board = Board.objects.get(slug=demo_data.BOARD["slug"])
    return SimpleNamespace(
        users=users,
        board=board,
        meeting=Meeting.objects.get(board=board, starts_at__year=2022),
        seed=Report.objects.get(subject=demo_data.SEED["subject"]),
        draft=Report.objects.get(subject=demo_data.DRAFT["subject"]),
        **users,
    )


@pytest.fixture
def login(client):
    """Log the test client in as one of the cast: `login(demo.officer)`."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
