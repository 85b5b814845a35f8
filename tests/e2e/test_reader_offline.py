"""The reader offline in Chromium (issue 20): a member keeps the upcoming meeting on a phone, reads it with
the browser offline (the page, its items and their PDFs), writes a note offline that reaches the server
when the connection is back, and after signing out no cache on the device holds an exempt paper."""

import re

import pytest
from playwright.sync_api import expect

from reader.models import Note
from tests.e2e.waiting import at_rest
from tests.reader_world import publish_for_reading

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SHOTS = "test-results"

CACHES = """async () => {
  const out = {};
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    out[name] = (await cache.keys()).map((request) => new URL(request.url).pathname + new URL(request.url).search);
  }
  return out;
}"""


def controlled(page):
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    page.wait_for_function("document.documentElement.dataset.offlineReady === 'true'")


def fetch_status(page, url):
    """[status, content type] of a fetch from the page, or "failed" when it found no network and no copy."""
    return page.evaluate(
        """async (url) => {
            try { const r = await fetch(url); return [r.status, r.headers.get('content-type')]; }
            catch (error) { return "failed"; }
        }""",
        url,
    )


def settle(page):
    """The pointer off the button just pressed and its colours' transition over, for axe to read the
    colours it rests at (and the screenshot to show its pressed look)."""
    page.mouse.move(0, 0)
    at_rest(page)


def sign_out(person):
    """Sign out from the menu, folded on a phone."""
    toggler = person.page.get_by_role("button", name="Show menu")
    if toggler.is_visible():
        toggler.click()
    person.sign_out()
    assert person.page.url.endswith("/public/")


def test_it_keeps_a_meeting_reads_it_offline_syncs_a_note_and_leaves_no_exempt_paper_after_sign_out(people, e2e_demo):
    meeting, public, exempt = publish_for_reading(e2e_demo.users["clerk"])
    member = people("member", viewport=PHONE).sign_in("member")
    page = member.page
    shell = f"/reader/meetings/{meeting.pk}/"
    member.goto(shell)
    controlled(page)
    # Installable: Chromium finds the manifest and has nothing against installing the reader.
    cdp = member.context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"].endswith("/reader/manifest.webmanifest") and not manifest["errors"]
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert {error["errorId"] for error in errors} <= {"in-incognito"}  # a test's browser context is one
    cdp.detach()
    keep = page.locator("#keep-offline")
    expect(keep).to_have_attribute("aria-pressed", "false")
    expect(keep).to_be_enabled()
    page.screenshot(path=f"{SHOTS}/reader-offline-not-kept-phone.png")

    keep.click()
    expect(keep).to_have_attribute("aria-pressed", "true")
    status = page.locator("#keep-offline-status")
    expect(status).to_have_text(re.compile(r"^Kept on this device: \d+ (KB|MB), \d+ [A-Z][a-z]{2}\.$"))
    expect(page.get_by_role("button", name="Remove from this device")).to_be_visible()
    settle(page)
    member.check()
    page.screenshot(path=f"{SHOTS}/reader-offline-kept-phone.png")

    name = f"reader-{e2e_demo.users['member'].pk}-meeting-{meeting.pk}"
    held = page.evaluate(CACHES)
    assert list(held) == [name]
    exempt_item = meeting.items.get(report=exempt)
    exempt_paper = f"/reader/meetings/{meeting.pk}/items/{exempt_item.pk}/report.pdf"
    assert exempt_paper in held[name]  # member may read the exempt paper, so it is kept
    assert f"/reader/api/notes/?meeting={meeting.pk}" in held[name]
    assert any(url.startswith("/static/reader/reader.js") for url in held[name])

    # Offline: the page opens from the kept copy, the exempt item loads as the member scrolls to it,
    # and the PDFs open.
    member.context.set_offline(True)
    page.reload()
    assert fetch_status(page, "/healthz") == "failed"  # truly offline: what is not kept does not load
    expect(page.locator("h1")).to_contain_text("Health and Wellbeing Board")
    expect(status).to_contain_text("You are offline: this is the kept copy.")
    public_item = meeting.items.get(report=public)
    for item in (public_item, exempt_item):
        section = page.locator(f"#item-{item.pk}")
        section.scroll_into_view_if_needed()
        expect(section).not_to_have_class(re.compile("reader-pending"))
        expect(section.locator("[data-anchor]").first).to_be_attached()
    assert fetch_status(page, exempt_paper) == [200, "application/pdf"]
    public_paper = f"/reader/meetings/{meeting.pk}/items/{public_item.pk}/report.pdf"
    assert fetch_status(page, public_paper) == [200, "application/pdf"]
    member.check()
    page.screenshot(path=f"{SHOTS}/reader-offline-reading-phone.png", full_page=False)

    # A note written offline waits in the outbox, then reaches the server when the connection is back.
    paragraph = page.locator("[data-number='1.4']").first
    paragraph.get_by_role("button", name="Note on paragraph 1.4").click()
    paragraph.get_by_label("Your note on paragraph 1.4").fill("Ask how the carers' breaks money is split.")
    paragraph.get_by_role("button", name="Save note").click()
    outbox = f"reader-outbox-{e2e_demo.users['member'].pk}"
    assert page.evaluate(f"JSON.parse(localStorage.getItem('{outbox}') || '[]').length") == 1
    assert not Note.objects.filter(meeting=meeting).exists()
    member.context.set_offline(False)
    page.wait_for_function(f"JSON.parse(localStorage.getItem('{outbox}') || '[]').length === 0")
    note = Note.objects.get(meeting=meeting, user=e2e_demo.users["member"])
    assert note.read()["text"] == "Ask how the carers' breaks money is split."

    # The meetings page offline lists what the device keeps (the service worker's own page).
    member.context.set_offline(True)
    member.goto("/reader/")
    expect(page.get_by_role("heading", name="Offline")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Health and Wellbeing Board"))).to_have_attribute("href", shell)
    page.screenshot(path=f"{SHOTS}/reader-offline-index-phone.png")
    member.context.set_offline(False)

    # Signing out deletes every reader cache and the notes kept in the browser, but not the outbox.
    member.goto(shell)
    controlled(page)
    page.evaluate(f"localStorage.setItem('{outbox}', JSON.stringify([{{id: 'unsent'}}]))")
    assert page.evaluate(CACHES)
    sign_out(member)
    held = page.evaluate(CACHES)
    assert not any(exempt_paper in urls for urls in held.values())
    assert not [name for name in held if name.startswith("reader-")]
    stored = page.evaluate("Object.keys(localStorage)")
    assert outbox in stored
    assert not [key for key in stored if key.startswith("reader-notes-")]


def test_it_removes_a_kept_meeting_from_the_device(people, e2e_demo):
    meeting, _, _ = publish_for_reading(e2e_demo.users["clerk"])
    member = people("member").sign_in("member")
    page = member.page
    member.goto(f"/reader/meetings/{meeting.pk}/")
    controlled(page)
    page.locator("#keep-offline").click()
    expect(page.locator("#keep-offline")).to_have_attribute("aria-pressed", "true")
    settle(page)
    member.check()
    page.screenshot(path=f"{SHOTS}/reader-offline-kept-desktop.png")
    page.get_by_role("button", name="Remove from this device").click()
    expect(page.locator("#keep-offline")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#keep-offline-status")).to_have_text("Removed from this device.")
    expect(page.locator("#keep-offline")).to_be_focused()
    assert page.evaluate(CACHES) == {}
    settle(page)
    member.check()


def test_it_drops_a_kept_meeting_when_the_membership_has_ended(people, e2e_demo):
    from django.utils import timezone

    from boards.models import Membership

    meeting, _, _ = publish_for_reading(e2e_demo.users["clerk"])
    member = people("member").sign_in("member")
    page = member.page
    member.goto(f"/reader/meetings/{meeting.pk}/")
    controlled(page)
    page.locator("#keep-offline").click()
    expect(page.locator("#keep-offline")).to_have_attribute("aria-pressed", "true")
    Membership.objects.filter(user=e2e_demo.users["member"], board=meeting.board).update(
        ends_on=timezone.localdate() - timezone.timedelta(days=1)
    )
    # The next check (the connection coming back, as here, or the next visit to a reader page) drops it.
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#keep-offline")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#keep-offline-status")).to_have_text(
        "Removed from this device. You can no longer read this meeting's papers."
    )
    assert page.evaluate(CACHES) == {}


def test_it_says_why_a_meeting_whose_minutes_are_approved_is_not_kept(people, e2e_demo):
    from boards.models import Meeting

    held, _, _ = publish_for_reading(e2e_demo.users["clerk"])
    Meeting.objects.filter(pk=held.pk).update(status=Meeting.Status.MINUTES_APPROVED)
    member = people("member", viewport=PHONE).sign_in("member")
    page = member.page
    member.goto(f"/reader/meetings/{held.pk}/")
    controlled(page)
    page.locator("#keep-offline").click()
    expect(page.locator("#keep-offline-status")).to_have_text(
        "Not kept on this device. The minutes of this meeting are approved: "
        "its papers are no longer kept for reading offline."
    )
    expect(page.locator("#keep-offline")).to_have_attribute("aria-pressed", "false")
    assert page.evaluate(CACHES) == {}
    settle(page)
    member.check()
    page.screenshot(path=f"{SHOTS}/reader-offline-not-kept-minutes-phone.png")


def test_signing_out_of_the_admin_deletes_the_readers_copies_too(people, e2e_demo):
    """An administrator may read papers offline too; the admin's own sign-out purges as the site's does."""
    admin = people("admin").sign_in("admin")
    page = admin.goto("/admin/")
    page.evaluate(
        """async () => {
            localStorage.setItem("reader-offline", "1");
            localStorage.setItem("reader-outbox-1", "[]");
            const cache = await caches.open("reader-test-1");
            await cache.put("/reader/kept", new Response("an exempt paper"));
        }"""
    )
    with page.expect_navigation(timeout=45_000):
        page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
    assert page.url.endswith("/public/")  # signed out, where the site's sign-out leads too
    assert not [name for name in page.evaluate("() => caches.keys()") if name.startswith("reader-")]
    assert page.evaluate("() => localStorage.getItem('reader-offline')") is None
    assert page.evaluate("() => localStorage.getItem('reader-outbox-1')") == "[]"  # unsent notes are kept
