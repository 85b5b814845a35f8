"""Journey (issue 20): `member` opens the upcoming meeting in the reader on a phone and on a tablet, highlights
paragraph 2.1 of a report and adds a note on 1.4; on a second device both notes appear; the report's 1.4 is
corrected and republished; the note on 2.1 is where it was and the note on 1.4 says its paragraph changed,
with the difference. Every page and state is checked by axe (tests/e2e/conftest.py)."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from reader.models import Note
from reader.selectors import meeting_blocks
from tests.reader_world import correct_paragraph, publish_for_reading

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 820, "height": 1180}

SELECT = """([anchor, words]) => {
    const block = document.getElementById("a-" + anchor);
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
        const at = node.data.indexOf(words);
        if (at >= 0) {
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + words.length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            document.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
            return true;
        }
    }
    return false;
}"""


@pytest.fixture
def reading(e2e_demo):
    meeting, public, exempt = publish_for_reading(User.objects.get(username="clerk"))
    member = User.objects.get(username="member")
    anchors = {}
    sections = {f"s{section.pk}" for section in public.sections.all()}
    for block in meeting_blocks(member, meeting).blocks:
        if block.section in sections and block.number:
            anchors[block.number] = block.anchor
    return meeting, public, exempt, anchors


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["phone", "tablet"])
def test_notes_follow_the_paragraph_across_devices_and_a_correction(people, reading, viewport):
    meeting, public, exempt, anchors = reading
    phone = people("member", viewport).sign_in("member")
    page = phone.page
    # From the meeting's page to the reader.
    phone.goto(f"/meetings/{meeting.pk}/")
    page.get_by_role("link", name=re.compile("Read the papers in the reader")).click()
    page.wait_for_load_state()
    expect(page.locator(f"#a-{anchors['2.1']}")).to_be_visible()
    phone.check()
    # Paragraph 2.1: select words and highlight them.
    assert page.evaluate(SELECT, [anchors["2.1"], "keeps the existing schemes"])
    toolbar = page.get_by_role("toolbar", name="Selected text")
    expect(toolbar).to_be_visible()
    phone.check()
    toolbar.get_by_role("button", name="Highlight").click()
    expect(page.locator(f"#a-{anchors['2.1']} mark.hl")).to_have_text("keeps the existing schemes")
    expect(page.locator("#sync-status")).to_have_text("Notes saved.")
    # Paragraph 1.4: a note by keyboard, from its Note button.
    note_button = page.get_by_role("button", name="Note on paragraph 1.4")
    box = note_button.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
    note_button.focus()
    page.keyboard.press("Enter")
    editor = page.get_by_label("Your note on paragraph 1.4")
    expect(editor).to_be_focused()
    phone.check()
    editor.fill("Ask how the £3.2m is split <b>between</b> the years")
    page.get_by_role("button", name="Save note").click()
    note = page.locator(f"#a-{anchors['1.4']} .note")
    expect(note.locator(".note-text")).to_have_text("Ask how the £3.2m is split <b>between</b> the years")
    # The status already said so after the highlight: wait for this note to leave the outbox too.
    outbox = f"reader-outbox-{User.objects.get(username='member').pk}"
    page.wait_for_function(f"JSON.parse(localStorage.getItem('{outbox}') || '[]').length === 0")
    expect(page.locator("#sync-status")).to_have_text("Notes saved.")
    phone.check()
    assert Note.objects.filter(meeting=meeting, deleted=False).count() == 2

    # Another device: both notes are there.
    tablet = people("member on another device", viewport).sign_in("member")
    page2 = tablet.goto(f"/reader/meetings/{meeting.pk}/")
    expect(page2.locator(f"#a-{anchors['2.1']} mark.hl")).to_have_text("keeps the existing schemes")
    expect(page2.locator(f"#a-{anchors['1.4']} .note-text")).to_have_text(re.compile("Ask how the £3.2m is split"))

    # The report's 1.4 is corrected and republished.
    correct_paragraph(public, "£3.2m for carers", "£3.6m for carers")
    page2 = tablet.goto(f"/reader/meetings/{meeting.pk}/")
    expect(page2.locator(f"#a-{anchors['2.1']} mark.hl")).to_have_text("keeps the existing schemes")
    changed = page2.locator(f"#a-{anchors['1.4']} .note")
    expect(changed.locator(".note-warning")).to_have_text("This paragraph changed since your note. What changed:")
    expect(changed.locator("del")).to_have_text("£3.2m")
    expect(changed.locator("ins")).to_have_text("£3.6m")
    expect(page2.locator(f"#a-{anchors['1.4']}")).to_contain_text("£3.6m for carers")
    tablet.check()
    # Later items load as the member scrolls; the exempt item is marked.
    exempt_item = page2.locator(f"#item-{exempt.agenda_item.pk}")
    exempt_item.scroll_into_view_if_needed()
    expect(exempt_item.locator(".exempt-banner")).to_contain_text("NOT FOR PUBLICATION")
    expect(exempt_item).to_contain_text("Three bids were received")
    tablet.check()


def test_the_reader_reflows_at_320_css_pixels_and_searches(people, reading):
    """400% zoom of a 1280 px screen: nothing scrolls sideways; search finds a paragraph and goes to it."""
    meeting, public, exempt, anchors = reading
    person = people("member", {"width": 320, "height": 640}).sign_in("member")
    page = person.goto(f"/reader/meetings/{meeting.pk}/")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    page.get_by_label("Search these papers").fill("commercially sensitive")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    person.check()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    page.get_by_role("link", name=re.compile("Sexual Health Services: Contract Award: paragraph 1.2")).click()
    page.wait_for_load_state()
    target = page.locator("[data-number='1.2']", has_text="commercially sensitive")
    expect(target).to_be_in_viewport()
    person.check()


def test_the_seed_report_reads_with_its_lists_and_tables_annotatable(people, e2e_demo):
    """The demo's 2022 meeting: the real report's body has lists and tables at the top of its sections,
    each a block a member may note (its Note button inside a div around it, not inside the list)."""
    from boards.models import Meeting
    from reports.demo import BOARD

    meeting = Meeting.objects.filter(board__slug=BOARD["slug"], starts_at__year=2022).get()
    person = people("member", PHONE).sign_in("member")
    page = person.goto(f"/reader/meetings/{meeting.pk}/")
    expect(page.locator(".note-btn").first).to_be_attached()
    assert page.locator("ul > .note-btn, ol > .note-btn, table > .note-btn").count() == 0
    assert page.locator("div.anno > ul").count() > 0
    person.check()
