"""Browser tests: Playwright driving Debian's Chromium against the app served by a live server.

Every page a journey visits is checked with axe-core for WCAG 2.2 A and AA violations; a journey
fails on any. On failure, a screenshot and the page's HTML are saved under test-results/.
"""

import json
import os
import re
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from accounts.models import User
from tests.conftest import without_the_executive
from tests.e2e.waiting import at_rest

# Playwright's sync API keeps an event loop in the test's thread; Django's ORM calls from the test
# (reading what the browser saved) are still ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
PASSWORD = "committee-demo"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

# Every page checked, for the closing note and for the suite's own summary.
CHECKED_PAGES = set()


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (install Debian's chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def e2e_demo(transactional_db, live_server, settings, monkeypatch):
    """The demo council in the live server's database (without its executive: see tests/conftest.py)."""
    without_the_executive(monkeypatch)
    settings.ALLOWED_HOSTS = ["*"]
    call_command("load_demo", "--force", stdout=StringIO())
    return SimpleNamespace(url=live_server.url, users={u.username: u for u in User.objects.all()})


@pytest.fixture
def e2e_demo_executive(transactional_db, live_server, settings):
    """The demo council as `make run` loads it, the Cabinet and the scrutiny committee included."""
    settings.ALLOWED_HOSTS = ["*"]
    call_command("load_demo", "--force", stdout=StringIO())
    return SimpleNamespace(url=live_server.url, users={u.username: u for u in User.objects.all()})


@pytest.fixture
def e2e_demo_record_open(transactional_db, live_server, settings, monkeypatch):
    """The demo council as it stood before the minutes of 14 September 2022 were approved (see
    tests/conftest.py's demo_record_open): for the journeys that record that meeting's attendance,
    votes and minutes, which the demo's approved minutes lock."""
    from minutes import demo as minutes_demo

    monkeypatch.setattr(minutes_demo, "load", lambda users, meeting: None)
    without_the_executive(monkeypatch)
    settings.ALLOWED_HOSTS = ["*"]
    call_command("load_demo", "--force", stdout=StringIO())
    return SimpleNamespace(url=live_server.url, users={u.username: u for u in User.objects.all()})


class Person:
    """One person at a browser: a page in its own context (own cookies), with an axe check on every load."""

    def __init__(self, browser, base_url, request, name, viewport=None):
        self.base_url = base_url
        self.name = name
        self.context = browser.new_context(
            base_url=base_url,
            viewport=viewport or {"width": 1280, "height": 900},
            accept_downloads=True,
            bypass_csp=True,  # only so the test can inject axe-core; the app's own scripts obey the policy
        )
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.errors = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("dialog", lambda dialog: dialog.accept())
        self.request = request

    def goto(self, path):
        self.page.goto(path)
        self.check()
        return self.page

    def check(self):
        """Run axe-core on the page as it is now; fail on any WCAG 2.2 A/AA violation."""
        page = self.page
        page.wait_for_load_state("domcontentloaded")
        if page.url.endswith(".pdf") or "/pdf/" in page.url:
            return
        if not page.evaluate("() => !!window.axe"):
            page.add_script_tag(path=str(AXE))
        # Colours are read as they rest: a transition still running (a button turning "pressed" as the
        # page's script learns its state, a menu opening) shows colours between two states, which may fail
        # contrast for a moment that no one reads.
        at_rest(page)
        result = page.evaluate(
            """async (tags) => {
                const r = await axe.run(document, {runOnly: {type: "tag", values: tags}});
                return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary)}));
            }""",
            WCAG_TAGS,
        )
        path = re.sub(r"/\d+/", "/<id>/", page.url.replace(self.base_url, ""))
        CHECKED_PAGES.add(path.split("?")[0].split("#")[0])
        assert not result, f"axe found WCAG 2.2 A/AA violations on {page.url}:\n" + json.dumps(result, indent=2)

    def sign_in(self, username):
        self.goto("/accounts/login/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()
        self.check()
        return self

    def sign_out(self):
        """Press "Sign out" and wait until the page it leads to has begun to load.

        The form is sent once the reader's caches are deleted (static/reader/sign-out.js), a moment after
        the click. The menu is at the top of the page: go there first (a page that loads as it is
        scrolled, like the reader's, may still be moving where the member left it) and let a folded
        menu finish opening. Only the navigation's start is awaited: the next page's load event waits
        on every image and font, which a busy machine may take long over and which is not sign-out's.
        A press that never reached the form (no submit event: data-sign-out-pressed unset) is pressed
        again once; a form that was sent and led nowhere fails, with what the page showed."""
        page = self.page
        page.evaluate("window.scrollTo(0, 0)")
        at_rest(page)
        page.evaluate(
            """() => document.addEventListener("submit", (event) => {
                event.target.dataset.signOutPressed = "true";
            }, {capture: true, once: true})"""
        )
        button = page.get_by_role("button", name="Sign out")
        before = page.url
        for attempt in (1, 2):
            button.click()
            try:
                page.wait_for_url(lambda url: url != before, wait_until="commit", timeout=30_000)
                break
            except Exception:  # noqa: BLE001 - the state of the page is the better message
                state = page.evaluate(
                    """() => {
                        const form = document.querySelector("form[action$='/logout/']");
                        const box = form && form.querySelector("button").getBoundingClientRect();
                        const hit = box && document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
                        return {pressed: form?.dataset.signOutPressed ?? null, purged: form?.dataset.purged ?? null,
                                scrollY: window.scrollY, box: box && [box.x, box.y, box.width, box.height],
                                hit: hit && hit.outerHTML.slice(0, 120)};
                    }"""
                )
                if attempt == 2 or state["pressed"]:
                    raise AssertionError(f"signing out led nowhere from {before}: {state}") from None
        page.wait_for_load_state()

    def save_failure(self, test_name):
        RESULTS.mkdir(exist_ok=True)
        stem = RESULTS / f"{test_name}-{self.name}"
        try:
            self.page.screenshot(path=f"{stem}.png", full_page=True)
            Path(f"{stem}.html").write_text(self.page.content(), encoding="utf-8")
        except Exception as exc:  # noqa: BLE001 - saving evidence must not hide the real failure
            Path(f"{stem}.txt").write_text(f"could not save the page: {exc}", encoding="utf-8")


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.e2e_failed = report.failed


@pytest.fixture
def people(browser, e2e_demo, request):
    """Open browsers for people: `people("officer")` gives a signed-out Person at the live server."""
    opened = []

    def _open(name, viewport=None):
        person = Person(browser, e2e_demo.url, request, name, viewport)
        opened.append(person)
        return person

    yield _open
    failed = getattr(request.node, "e2e_failed", False)
    for person in opened:
        if failed:
            person.save_failure(re.sub(r"[^\w.-]+", "_", request.node.name))
        person.context.close()
    for person in opened:
        assert not person.errors, f"JavaScript errors for {person.name}: {person.errors}"


def pytest_terminal_summary(terminalreporter):
    if CHECKED_PAGES:
        terminalreporter.write_sep("-", f"axe-core checked {len(CHECKED_PAGES)} distinct pages")
        for path in sorted(CHECKED_PAGES):
            terminalreporter.write_line(f"  {path}")
