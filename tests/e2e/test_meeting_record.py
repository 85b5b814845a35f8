"""Journey (issue 15, "Done when"): with the demo data, the clerk marks the board's coming meeting
held, records its attendance, a declaration and a recorded vote, drafts and publishes its minutes,
which go in the next meeting's pack under item 3; the member sends apologies in advance for that
next meeting and changes their register entry, which legal accepts; a visitor reads the public
register, the councillor's attendance, the minutes and the vote. axe-core checks every page.

Two things are set up through the ORM, and only these: once the clerk has put a report on its
agenda, the demo's coming meeting is moved to today (the app refuses to record a meeting as held before its day), and the board's next meeting after it
is scheduled (the demo has none), with its standard items as scheduling a meeting gives it."""

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from boards.models import AgendaPack, Meeting
from boards.packs import build_pack
from boards.services import ensure_standard_items
from interests.models import Declaration
from members.models import Apology, Attendance
from minutes.models import Minutes
from minutes.selectors import minutes_for_agenda
from votes.models import Motion

pytestmark = pytest.mark.e2e

BOARD = "health-and-wellbeing-board"
REPORT = "Better Care Fund Plan 2025 to 2027"  # one of the demo's approved reports waiting for an agenda


def outline_titles(outline, depth=0):
    """The pack's bookmarks as (depth, title), children under their parent."""
    for entry in outline:
        if isinstance(entry, list):
            yield from outline_titles(entry, depth + 1)
        else:
            yield depth, entry.title


def test_the_meeting_record_from_the_clerk_member_and_legal_to_the_visitor(people, e2e_demo):
    coming = Meeting.objects.get(board__slug=BOARD, starts_at__gt=timezone.now())
    clerk = people("clerk").sign_in("clerk")
    page = clerk.goto(f"/meetings/{coming.pk}/")
    page.get_by_role("button", name=re.compile(f"^Add to the agenda.*{re.escape(REPORT)}")).click()
    page.wait_for_load_state()
    clerk.check()
    page.get_by_role("button", name="Publish agenda").click()
    page.wait_for_load_state()
    clerk.check()
    assert page.get_by_text("Agenda published.").is_visible()
    item = coming.items.get(report__subject=REPORT)
    Meeting.objects.filter(pk=coming.pk).update(starts_at=timezone.now() - dt.timedelta(hours=2))
    later = Meeting.objects.create(
        board=coming.board, starts_at=timezone.now() + dt.timedelta(days=28), venue=coming.board.default_venue
    )
    ensure_standard_items(later)

    # The member sends apologies in advance for the later meeting, and changes a register entry.
    member = people("member").sign_in("member")
    page = member.goto("/councillors/me/apologies/")
    card = page.get_by_role("region", name=re.compile(later.date_display))
    card.get_by_label("Reason (optional)").fill("At a conference that day")
    card.get_by_role("button", name=re.compile("^Send apologies")).click()
    page.wait_for_load_state()
    member.check()
    assert Apology.objects.standing().filter(meeting=later, member__username="member").count() == 1
    page = member.goto("/my/interests/")
    page.get_by_role("link", name=re.compile(r"^Change Employment")).click()
    page.wait_for_load_state()
    member.check()
    page.get_by_label("Description").fill("Chair of trustees (unpaid) of Sefton Carers Centre")
    page.get_by_role("button", name="Send to the monitoring officer").click()
    page.wait_for_load_state()
    member.check()
    assert page.get_by_text("A change is waiting for the monitoring officer").count() == 1

    # The monitoring officer accepts it.
    legal = people("legal").sign_in("legal")
    page = legal.goto("/interests/changes/")
    page.get_by_role("button", name=re.compile(r"^Accept")).click()
    page.wait_for_load_state()
    legal.check()
    assert page.get_by_text("No change is waiting.").count() == 1

    # The clerk: held, attendance, a declaration, a recorded vote, the minutes.
    page = clerk.goto(f"/meetings/{coming.pk}/")
    page.get_by_role("button", name="Record that it was held").click()
    page.wait_for_load_state()
    clerk.check()
    assert Meeting.objects.get(pk=coming.pk).status == Meeting.Status.HELD

    page = clerk.goto(f"/meetings/{coming.pk}/attendance/")
    groups = page.get_by_role("group", name=re.compile(r"^Councillor"))
    names = [re.match(r"Councillor [A-Za-z' -]+?(?= \(|$)", g).group(0) for g in groups.all_inner_texts()]
    for group in groups.all():
        group.get_by_label("Present", exact=True).check()
    page.get_by_role("group", name=re.compile("Councillor Peter Kenyon")).get_by_label("Apologies", exact=True).check()
    page.get_by_role("button", name="Save the attendance").click()
    page.wait_for_load_state()
    clerk.check()
    assert "Attendance saved." in page.content()
    assert Attendance.objects.get(meeting=coming, member__username="cllr.kenyon").status == "apologies"
    present = [n for n in names if n and "Peter Kenyon" not in n]

    page = clerk.goto(f"/meetings/{coming.pk}/declarations/")
    page.get_by_label("Agenda item").select_option(value=str(item.pk))
    page.get_by_role("combobox", name=re.compile(r"^\s*Member")).select_option(label="Councillor Ian Moncur")
    page.get_by_label("Other registrable interest", exact=True).check()
    page.get_by_label("Nature of the interest").fill("Chair of trustees of a carers' charity the report funds")
    page.get_by_label("Stayed but did not vote", exact=True).check()
    page.get_by_role("button", name="Record the declaration").click()
    page.wait_for_load_state()
    clerk.check()
    assert Declaration.objects.filter(item=item, member__username="member").count() == 1

    page = clerk.goto(f"/meetings/{coming.pk}/items/{item.pk}/vote/")
    page.get_by_label("Moved by").first.select_option(label="Councillor Ruth Ellison")
    page.get_by_label("Seconded by").first.select_option(label="Councillor Aisha Rahman")
    page.get_by_label("Recorded vote (each member's name and vote)").check()
    for name in present:
        vote = "Did not vote" if name == "Councillor Ian Moncur" else "For"
        page.get_by_role("group", name=name, exact=True).get_by_label(vote, exact=True).check()
    page.get_by_role("button", name="Save the vote").click()
    page.wait_for_load_state()
    clerk.check()
    assert "Vote saved." in page.content()
    motion = Motion.objects.get(item=item)
    assert (motion.method, motion.votes_for, motion.votes_against, motion.outcome) == (
        "recorded", len(present) - 1, 0, "carried"
    )  # fmt: skip

    page = clerk.goto(f"/meetings/{coming.pk}/minutes/")
    page.get_by_role("button", name="Draft the minutes from the record").click()
    page.wait_for_load_state()
    clerk.check()
    text = page.get_by_label("Minutes (public once published)").input_value()
    assert "Councillor Peter Kenyon" in text and "carers' charity" in text.replace("&#x27;", "'")
    page.get_by_role("button", name="Publish as a draft, subject to approval").click()
    page.wait_for_load_state()
    clerk.check()
    minutes = Minutes.objects.get(meeting=coming)
    assert minutes.status == Minutes.Status.PUBLISHED

    # The minutes are item 3 of the next meeting's agenda, and their PDF is in its pack there.
    assert minutes_for_agenda(later) == minutes
    built = build_pack(later, AgendaPack.Edition.PUBLIC)
    reader = PdfReader(io.BytesIO(built.pdf))
    outline = list(outline_titles(reader.outline))
    third = next(i for i, (depth, title) in enumerate(outline) if depth == 0 and title.startswith("3."))
    assert "Minutes of the Previous Meeting" in outline[third][1]
    text = "\n".join(p.extract_text() or "" for p in reader.pages).replace("\n", " ")
    assert "Draft, subject to approval" in text and "Councillor Peter Kenyon" in text

    # A visitor: the public register, the councillor's attendance, the minutes and the vote.
    visitor = people("visitor")
    page = visitor.goto("/register/")
    assert page.get_by_text("Chair of trustees (unpaid) of Sefton Carers Centre").count() == 1
    page = visitor.goto("/councillors/")
    page.get_by_role("link", name="Councillor Peter Kenyon").first.click()
    page.wait_for_load_state()
    visitor.check()
    region = page.get_by_role("region", name="Attendance at meetings")
    headers = region.get_by_role("columnheader").all_inner_texts()
    row = region.get_by_role("row", name=re.compile("Health and Wellbeing Board")).get_by_role("cell")
    assert headers == ["Board", "Expected", "Present", "Apologies", "Absent"]
    assert row.all_inner_texts() == ["2", "1", "1", "0"]  # 14 September 2022 present, today apologies
    page = visitor.goto(f"/meetings/{coming.pk}/")
    text = page.locator(f"#item-{item.pk}").inner_text()
    assert "Moved by Councillor Ruth Ellison, seconded by Councillor Aisha Rahman." in text
    assert f"Carried: {len(present) - 1} for, 0 against, 0 abstentions (recorded vote)" in text
    assert "Councillor Ian Moncur: did not vote" in text
    page.get_by_role("link", name="The minutes").click()
    page.wait_for_load_state()
    visitor.check()
    assert "Draft, subject to approval" in page.content() and "Councillor Peter Kenyon" in page.content()
