"""The Content Security Policy and the lockout page in a real browser (Debian's Chromium), with the
policy enforced: no page the cast uses may trip it, the rich-text editor included."""

from io import StringIO

import pytest
from django.core.management import call_command

from tests import images
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Reported to the test as console errors, so that it sees exactly what the policy refused.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} ${e.sample || ""}`);
});
"""


@pytest.fixture
def site(live_server, settings):
    settings.ALLOWED_HOSTS = ["*"]
    call_command("load_demo", "--force", stdout=StringIO())
    return live_server.url


@pytest.fixture
def browser_page(browser, site):
    """A page of the shared Chromium, in a context that enforces the policy (no bypass_csp)."""
    context = browser.new_context(base_url=site)
    context.add_init_script(REPORT_VIOLATIONS)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.problems = []
    # Policy violations and script errors; not "failed to load" noise such as the admin's favicon.
    page.on(
        "console",
        lambda m: page.problems.append(m.text) if "Content Security Policy" in m.text or "CSP" in m.text else None,
    )
    page.on("pageerror", lambda exc: page.problems.append(f"JavaScript error: {exc}"))
    yield page
    context.close()


def sign_in(page, username, password=PASSWORD):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def visit(page, path):
    page.goto(path)
    page.wait_for_load_state("networkidle")


def test_it_runs_the_pages_and_the_editor_under_the_policy(browser_page):
    page = browser_page
    sign_in(page, "officer")
    assert page.url.endswith("/")

    visit(page, "/reports/new/")
    page.get_by_role("button", name="Add a section").click()
    editor = page.locator(".ProseMirror >> visible=true").first
    editor.click()
    page.keyboard.type("Typed  with two spaces")
    assert "Typed  with two spaces" in editor.inner_text()  # the editor's injected CSS (pre-wrap) applied
    page.get_by_title("Insert table").first.click()
    page.locator("dialog button[type=submit]").first.click()
    assert editor.locator("table").count() == 1
    page.get_by_label("Subject").fill("Written under the Content Security Policy")
    page.wait_for_url("**/reports/*/edit/", timeout=10_000)  # autosave made the draft
    # A figure: the editor's figure module, its dialog, the upload and the image shown, under the policy.
    page.locator("#sections .prose-menubar button[title='figure']").first.click()
    dialog = page.get_by_role("dialog", name="Insert a figure")
    dialog.get_by_label("Image file (PNG, JPEG or SVG)").set_input_files(
        files=[{"name": "chart.png", "mimeType": "image/png", "buffer": images.png()}]
    )
    dialog.get_by_role("textbox", name="Alternative text").fill("A bar chart")
    dialog.get_by_role("button", name="Insert figure").click()
    editor.locator("figure img").wait_for()
    assert editor.locator("figure img").evaluate("img => img.complete && img.naturalWidth") > 0

    visit(page, "/")
    visit(page, "/reports/")
    visit(page, "/meetings/")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()

    sign_in(page, "admin")
    for path in ["/admin/", "/admin/reports/report/", "/admin/accounts/user/add/", "/admin/accounts/user/"]:
        visit(page, path)
    page.get_by_role("link", name="officer", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".selector").count() >= 1  # the admin's own scripts ran (filtered selects)

    assert page.problems == [], "\n".join(page.problems)


def test_it_shows_the_lockout_page(browser_page, settings):
    settings.AXES_ENABLED = True
    page = browser_page
    for _ in range(5):
        sign_in(page, "clerk", "not the password")
    assert page.get_by_role("heading", name="Sign-in is paused for this account").is_visible()
    assert "try again" in page.locator("main").inner_text()
    sign_in(page, "clerk")
    assert page.get_by_role("heading", name="Sign-in is paused for this account").is_visible()
    assert page.problems == [], "\n".join(page.problems)


def test_it_runs_the_clerks_pages_under_the_policy(browser_page):
    """The agenda builder loads htmx, which must not inject its own inline style."""
    from boards.models import Meeting

    page = browser_page
    sign_in(page, "clerk")
    for meeting in Meeting.objects.order_by("starts_at"):
        visit(page, f"/meetings/{meeting.pk}/")
        visit(page, f"/meetings/{meeting.pk}/decisions/")
    visit(page, "/meetings/new/")
    assert page.problems == [], "\n".join(page.problems)
