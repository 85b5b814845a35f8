"""Journey 3: the clerk compiles and publishes an agenda and downloads both packs;
journey 4: a board member and an anonymous visitor (on a phone too) read what was published."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from boards.models import AgendaPack, Meeting
from boards.tasks import build_pack_now


@pytest.fixture
def e2e_demo(e2e_demo_record_open):
    """The demo with 14 September 2022's record open (tests/e2e/conftest.py): a journey here records
    that meeting's decision and the approval of its minutes, which the demo's approved minutes lock."""
    return e2e_demo_record_open


PUBLIC = "Better Care Fund Plan 2025 to 2027"
EXEMPT = "Sexual Health Services: Contract Award"
EXEMPT_WORDS = "bidders' scores and prices"  # from the exempt report's body


def upcoming():
    return Meeting.objects.filter(board__slug="health-and-wellbeing-board", starts_at__gt=timezone.now()).get()


def run_worker(meeting):
    """What `manage.py db_worker` does in production: build the packs the publication queued."""
    for pack in AgendaPack.objects.filter(meeting=meeting):
        build_pack_now(pack.pk)


def download_text(person, link_name):
    with person.page.expect_download() as download:
        person.page.get_by_role("link", name=link_name).click()
    return "\n".join(page.extract_text() or "" for page in PdfReader(download.value.path()).pages)


def publish_agenda(people):
    meeting = upcoming()
    clerk = people("clerk").sign_in("clerk")
    page = clerk.page
    clerk.goto(f"/meetings/{meeting.pk}/")
    assert page.get_by_role("heading", name="The statutory clock").is_visible()
    page.get_by_role("button", name=re.compile(f"^Add to the agenda.*{re.escape(EXEMPT)}")).click()
    page.wait_for_load_state()
    clerk.check()
    page.get_by_role("button", name=re.compile(f"^Add to the agenda.*{re.escape(PUBLIC)}")).click()
    page.wait_for_load_state()
    clerk.check()
    page.get_by_role("textbox", name="Title").fill("Healthwatch Sefton update")
    page.get_by_role("button", name="Add item").click()
    page.wait_for_load_state()
    clerk.check()
    # Part 1 now: the standard items, the Better Care Fund plan, then the update; move the update up.
    page.get_by_role("button", name=re.compile("^Move up.*Healthwatch Sefton update")).click()
    page.wait_for_load_state()
    clerk.check()
    part1 = page.get_by_role("heading", name="Part 1", exact=True).locator("xpath=following-sibling::ol[1]")
    titles = part1.locator("strong").all_inner_texts()
    assert titles[3:] == ["4. Healthwatch Sefton update", f"5. {PUBLIC}"]
    part2 = page.get_by_role("heading", name="Part 2: exempt items").locator("xpath=following-sibling::ol[1]")
    assert part2.locator("strong").all_inner_texts() == [f"6. {EXEMPT}"]
    page.get_by_role("button", name="Publish agenda").click()
    page.wait_for_load_state()
    clerk.check()
    assert page.get_by_text("Agenda published.").is_visible()
    run_worker(meeting)
    clerk.goto(f"/meetings/{meeting.pk}/")
    members = download_text(clerk, "Download members' pack (PDF)")
    public = download_text(clerk, "Download public pack (PDF)")
    assert EXEMPT_WORDS in members and EXEMPT_WORDS not in public
    assert "not for publication by virtue of paragraph 3" in " ".join(public.split())
    return meeting


def test_it_lets_the_clerk_compile_and_publish_an_agenda(people, e2e_demo):
    meeting = publish_agenda(people)
    meeting.refresh_from_db()
    assert meeting.is_published


@pytest.mark.parametrize("viewport", [None, {"width": 390, "height": 844}], ids=["desktop", "phone"])
def test_it_shows_members_and_the_public_what_was_published(people, e2e_demo, viewport):
    meeting = publish_agenda(people)

    member = people("member", viewport).sign_in("member")
    member.goto(f"/meetings/{meeting.pk}/")
    assert EXEMPT_WORDS in download_text(member, "Download members' pack (PDF)")
    assert EXEMPT_WORDS not in download_text(member, "Download public pack (PDF)")
    # And the packs of the board's meeting of 14 September 2022, which load_demo queued for the worker.
    september = Meeting.objects.get(board=meeting.board, starts_at__year=2022)
    run_worker(september)
    member.goto(f"/meetings/{september.pk}/")
    for link in ["Download members' pack (PDF)", "Download public pack (PDF)"]:
        assert "Cities Inequalities Project" in download_text(member, link)

    visitor = people("visitor", viewport)
    visitor.goto("/")
    visitor.goto(f"/meetings/{meeting.pk}/")
    page = visitor.page
    assert page.get_by_text(EXEMPT).first.is_visible()  # the exempt item's title, and no more
    assert EXEMPT_WORDS not in page.content()
    assert page.get_by_role("link", name="Download members' pack (PDF)").count() == 0
    text = download_text(visitor, "Download public pack (PDF)")
    assert PUBLIC in text and EXEMPT_WORDS not in text


def test_it_lets_the_clerk_record_decisions_after_the_meeting(people, e2e_demo):
    """After the meeting (14 September 2022, held): the clerk records the board's decision on the seed
    report and that the minutes were approved; a visitor reads the decision on the meeting's page."""
    september = Meeting.objects.get(board__slug="health-and-wellbeing-board", starts_at__year=2022)
    seed_item = september.items.get(kind="report")
    clerk = people("clerk").sign_in("clerk")
    page = clerk.page
    clerk.goto(f"/meetings/{september.pk}/")
    page.get_by_role("link", name="Record decisions").click()
    page.wait_for_load_state()
    clerk.check()
    decision = "RESOLVED: That the report be noted and a further report be brought to the next meeting."
    box = page.get_by_label(f"4. {seed_item.title}")
    box.fill(decision)
    page.get_by_label("1. Apologies for Absence").fill("Apologies were received from Councillor Hardy.")
    page.get_by_role("button", name="Save the decisions").click()
    page.wait_for_load_state()
    clerk.check()
    assert page.get_by_text("Decisions saved (2 changed).").is_visible()
    # Minutes are approved at the board's next meeting, which must have been held: the demo's next
    # is still to come, so the one that approved them (9 November 2022) is added here.
    Meeting.objects.create(
        board=september.board, starts_at=september.starts_at + dt.timedelta(days=56), status=Meeting.Status.HELD
    )
    page.get_by_role("button", name="Record that the minutes were approved").click()
    page.wait_for_load_state()
    clerk.check()
    assert page.get_by_text("The minutes have been approved: the decisions are final.").is_visible()

    visitor = people("visitor")
    visitor.goto(f"/meetings/{september.pk}/")
    assert visitor.page.get_by_text(decision).is_visible()
