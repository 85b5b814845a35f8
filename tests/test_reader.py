"""The members' reader (issue 20): who may read a meeting's papers there, how exempt items are marked, the
stable anchors of paragraphs and how a note is placed again after a correction, search within a meeting,
the pack's page numbers, and pages whose queries do not grow with their rows."""

import datetime as dt
import io
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from boards.models import AgendaItem, Meeting, Membership
from reader.anchors import BlockIndex, annotate_section, fingerprint, report_blocks, word_diff
from reader.selectors import meeting_blocks, pack_pages, reader_items
from reports.html import number_paragraphs
from reports.models import Post, Recommendation, Report, Section
from tests.reader_world import correct_paragraph, publish_for_reading, set_body
from tests.test_public import build_packs, other_board_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting, public, exempt = publish_for_reading(demo.clerk)
    return meeting, public, exempt


def page(client, url):
    response = client.get(url)
    return response.status_code, response.content.decode()


# Who may read ---------------------------------------------------------------------------------------


def test_it_sends_a_visitor_to_sign_in(world):
    meeting, _, _ = world
    response = Client().get(f"/reader/meetings/{meeting.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["outsider", "officer", "director", "finance"])
def test_it_refuses_anyone_who_may_not_read_the_members_pack(world, demo, login, who):
    meeting, public, exempt = world
    client = login(demo.users[who])
    for url in [
        f"/reader/meetings/{meeting.pk}/",
        f"/reader/meetings/{meeting.pk}/items/{exempt.agenda_item.pk}/",
        f"/reader/meetings/{meeting.pk}/search/?q=bidders",
        f"/reader/meetings/{meeting.pk}/items/{exempt.agenda_item.pk}/report.pdf",
    ]:
        assert client.get(url).status_code == 404, url
    status, html = page(client, "/reader/")
    assert status == 200 and f"/reader/meetings/{meeting.pk}/" not in html


def test_it_refuses_a_member_of_another_board(world, login):
    meeting, _, _ = world
    _, planner = other_board_member()
    client = login(planner)
    assert client.get(f"/reader/meetings/{meeting.pk}/").status_code == 404


def test_it_lets_the_boards_member_and_democratic_services_read(world, demo, login):
    meeting, public, exempt = world
    for who in ["member", "clerk", "admin"]:
        client = login(demo.users[who])
        status, html = page(client, "/reader/")
        assert status == 200 and f"/reader/meetings/{meeting.pk}/" in html, who
        status, html = page(client, f"/reader/meetings/{meeting.pk}/")
        assert status == 200, who
        assert public.subject in html and exempt.subject in html


def test_it_refuses_a_member_whose_seat_has_ended(world, demo, login):
    meeting, _, _ = world
    Membership.objects.filter(user=demo.member, board=demo.board).update(
        ends_on=timezone.localdate() - dt.timedelta(days=1)
    )
    assert login(demo.member).get(f"/reader/meetings/{meeting.pk}/").status_code == 404


def test_a_meeting_not_published_is_not_in_the_reader(demo, login):
    later = Meeting.objects.create(board=demo.board, starts_at=timezone.now() + dt.timedelta(days=60))
    for who in ["member", "clerk"]:
        assert login(demo.users[who]).get(f"/reader/meetings/{later.pk}/").status_code == 404


def test_an_item_of_another_meeting_is_not_found(world, demo, login):
    meeting, _, _ = world
    seed_item = demo.seed.agenda_item
    assert login(demo.member).get(f"/reader/meetings/{meeting.pk}/items/{seed_item.pk}/").status_code == 404


def test_it_refuses_the_wrong_method(world, demo, login):
    meeting, _, _ = world
    client = login(demo.member)
    assert client.post(f"/reader/meetings/{meeting.pk}/").status_code == 405
    assert client.post(f"/reader/meetings/{meeting.pk}/search/").status_code == 405


# The shell, the items, exempt marking ----------------------------------------------------------------


def test_the_shell_prints_the_first_report_in_full_and_the_rest_to_load(world, demo, login):
    meeting, public, exempt = world
    status, html = page(login(demo.member), f"/reader/meetings/{meeting.pk}/")
    assert status == 200
    # The markup offline.js relies on.
    assert f'data-meeting="{meeting.pk}"' in html and f'data-user="{demo.member.pk}"' in html
    assert f'data-offline-url="/reader/meetings/{meeting.pk}/offline.json"' in html
    assert 'id="keep-offline"' in html and 'aria-pressed="false"' in html
    # The first report in full: its numbered paragraphs with their anchors.
    section = public.sections.order_by("position").first()
    assert f'id="a-s{section.pk}-p4"' in html and 'data-number="1.4"' in html
    assert "carers' breaks" in html
    # The exempt report is later: a placeholder with its fragment's address, its words not in the shell.
    item = exempt.agenda_item
    assert f'data-src="/reader/meetings/{meeting.pk}/items/{item.pk}/"' in html
    assert 'class="reader-item reader-pending"' in html
    assert "commercially sensitive" not in html
    # Jump links to every item.
    for entry in meeting.items.all():
        assert f'href="#item-{entry.pk}"' in html


def test_exempt_items_are_marked_on_every_screen(world, demo, login):
    meeting, public, exempt = world
    client = login(demo.member)
    item = exempt.agenda_item
    _, shell = page(client, f"/reader/meetings/{meeting.pk}/")
    assert "These papers include exempt items" in shell
    agenda_line = shell[shell.index(f'href="#item-{item.pk}"') :].split("</li>")[0]
    assert "Exempt" in agenda_line
    status, fragment = page(client, f"/reader/meetings/{meeting.pk}/items/{item.pk}/")
    assert status == 200
    assert 'data-exempt="true"' in fragment and "Exempt</span>" in fragment
    assert "NOT FOR PUBLICATION by virtue of paragraph 3 of Part 1 of Schedule 12A" in fragment
    assert "commercially sensitive" in fragment
    _, public_fragment = page(client, f"/reader/meetings/{meeting.pk}/items/{public.agenda_item.pk}/")
    assert 'data-exempt="false"' in public_fragment and "NOT FOR PUBLICATION" not in public_fragment
    _, results = page(client, f"/reader/meetings/{meeting.pk}/search/?q=commercially+sensitive")
    assert "paragraph 1.2" in results and "Exempt</span>" in results


def test_an_exempt_report_the_person_may_not_see_is_named_only(world, demo):
    """The gate lets in only people who may see every exempt report of the board, but the rule is read
    again from the report: a reader item is withheld when visible_to says no."""
    meeting, public, exempt = world
    Membership.objects.filter(user=demo.member, board=demo.board).update(
        ends_on=timezone.localdate() - dt.timedelta(days=1)
    )
    items = {entry.pk: entry for entry in reader_items(demo.member, meeting)}
    assert items[exempt.agenda_item.pk].withheld and items[exempt.agenda_item.pk].report is None
    assert meeting_blocks(demo.member, meeting).blocks == []


def test_it_serves_the_papers_pdfs_under_the_reader(world, demo, login):
    from tests.appendices import stored_appendix
    from tests.test_packs import text_pdf

    meeting, public, exempt = world
    appendix = stored_appendix(exempt, "Scores", text_pdf("The bidders' scores"))
    client = login(demo.member)
    item = exempt.agenda_item
    response = client.get(f"/reader/meetings/{meeting.pk}/items/{item.pk}/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    response = client.get(f"/reader/meetings/{meeting.pk}/items/{item.pk}/appendices/{appendix.pk}.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    # The appendix of another item is not found under this one.
    other = public.agenda_item
    assert client.get(f"/reader/meetings/{meeting.pk}/items/{other.pk}/appendices/{appendix.pk}.pdf").status_code == 404
    _, fragment = page(client, f"/reader/meetings/{meeting.pk}/items/{item.pk}/")
    assert f"/reader/meetings/{meeting.pk}/items/{item.pk}/appendices/{appendix.pk}.pdf" in fragment
    assert f'data-anchor="ap{appendix.pk}-1"' in fragment and "1 page" in fragment


# The pack's page numbers ----------------------------------------------------------------------------


def test_it_gives_each_item_its_pages_in_the_members_pack(world, demo, login):
    from tests.appendices import stored_appendix
    from tests.test_packs import text_pdf

    meeting, public, exempt = world
    appendix = stored_appendix(exempt, "Scores", text_pdf("The bidders' scores"))
    build_packs(meeting)
    pack = meeting.packs.get(edition="members", supplement=None)
    with pack.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    # The pack's own bookmarks, read by another PDF library: "5. Sexual Health ..." and its children.
    expected = {}
    for entry in reader.outline:
        if isinstance(entry, list):
            continue
        number = int(entry.title.split(".")[0])
        expected[number] = reader.get_destination_page_number(entry) + 1
    pages = pack_pages(meeting)
    assert pages and {n: info["first"] for n, info in pages.items()} == expected
    exempt_number = next(
        n for n, i in [(e.number, e) for e in reader_items(demo.member, meeting)] if i.pk == exempt.agenda_item.pk
    )
    info = pages[exempt_number]
    assert info["report"][0] == info["first"] and "A" in info["appendices"]
    assert info["last"] == len(reader.pages) or info["last"] < len(reader.pages)
    _, fragment = page(login(demo.member), f"/reader/meetings/{meeting.pk}/items/{exempt.agenda_item.pk}/")
    assert "Members' pack: page" in fragment and str(info["first"]) in fragment
    assert f'data-page="{info["appendices"]["A"]}"' in fragment
    assert appendix.pk


def test_without_a_built_pack_it_gives_no_page_numbers(world):
    meeting, _, _ = world
    assert pack_pages(meeting) == {}


# Anchors ----------------------------------------------------------------------------------------------


def test_it_numbers_paragraphs_as_the_report_page_and_pdf_do(demo):
    body = (
        "<p>Intro.</p><ol><li><p>One.</p></li><li><p>Two <strong>bold</strong>.</p><ol><li>Inner</li></ol></li></ol>"
        "<h3>Heading</h3><ol><li><p>Three.</p></li></ol><table><tbody><tr><td>Cell</td></tr></tbody></table>"
    )
    section = Section(pk=41, report=demo.seed, heading="Background", body=body)
    html, blocks = annotate_section(section, 2)
    assert [b.number for b in blocks] == ["", "2.1", "2.2", "", "2.3", ""]
    assert [b.anchor for b in blocks] == [f"s41-p{n}" for n in range(1, 7)]
    assert [b.text for b in blocks] == ["Intro.", "One.", "Two bold. Inner", "Heading", "Three.", "Cell"]
    printed = number_paragraphs(2, body)
    for number in ["2.1", "2.2", "2.3"]:
        assert f'id="para-{number}"' in printed and f'data-number="{number}"' in html
    assert html.count('class="anno"') == 6


def test_anchors_of_one_section_survive_a_change_to_another(world):
    _, public, _ = world
    before = {b.anchor: b.text for b in report_blocks(public)}
    correct_paragraph(public, "Progress is reported", "Progress is now reported")
    public = Report.objects.get(pk=public.pk)
    after = {b.anchor: b.text for b in report_blocks(public)}
    assert before.keys() == after.keys()
    changed = [anchor for anchor in before if before[anchor] != after[anchor]]
    assert len(changed) == 1


def test_text_blocks_recommendations_and_appendix_pages_have_anchors(world):
    _, public, _ = world
    blocks = {b.anchor: b for b in report_blocks(public)}
    assert f"r{public.pk}-summary-p1" in blocks
    first = public.recommendations.order_by("position").first()
    assert blocks[f"r{public.pk}-recommendations-p1"].text == first.text
    assert blocks[f"r{public.pk}-recommendations-p1"].number == "(1)"
    assert f"r{public.pk}-reasons-p1" in blocks and f"r{public.pk}-capital_costs-p1" in blocks


def index_of(report):
    return BlockIndex(report_blocks(Report.objects.get(pk=report.pk)))


def test_a_note_on_an_unchanged_paragraph_stays_where_it_was(world):
    _, public, _ = world
    index = index_of(public)
    block = next(b for b in index.blocks if b.number == "2.1")
    correct_paragraph(public, "£3.2m for carers", "£3.4m for carers")
    placed = index_of(public).place(block.anchor, block.text)
    assert placed.state == "ok" and placed.anchor == block.anchor


def test_a_note_on_a_changed_paragraph_says_so_with_the_difference(world):
    _, public, _ = world
    block = next(b for b in index_of(public).blocks if b.number == "1.4")
    correct_paragraph(public, "£3.2m for carers", "£3.4m for carers")
    placed = index_of(public).place(block.anchor, block.text)
    assert placed.state == "changed" and placed.anchor == block.anchor
    assert ("removed", "£3.2m") in placed.diff and ("added", "£3.4m") in placed.diff


def test_a_note_follows_its_paragraph_when_it_is_renumbered(world):
    _, public, _ = world
    block = next(b for b in index_of(public).blocks if b.number == "1.4")
    section = public.sections.order_by("position").first()
    Section.objects.filter(pk=section.pk).update(
        body=section.body.replace("<ol><li>", "<ol><li><p>A new first paragraph.</p></li><li>", 1)
    )
    placed = index_of(public).place(block.anchor, block.text)
    assert placed.state == "ok" and placed.block.number == "1.5" and placed.anchor != block.anchor


def test_a_note_on_a_removed_paragraph_is_detached(world):
    _, public, _ = world
    block = next(b for b in index_of(public).blocks if b.number == "2.2")
    set_body(public, [("Introduction", "<ol><li><p>Only this is left.</p></li></ol>"), ("The plan", "")])
    placed = index_of(public).place(block.anchor, block.text)
    assert placed.state == "detached" and placed.block is None


def test_a_changed_paragraph_is_found_by_likeness_within_its_section(world):
    _, public, _ = world
    block = next(b for b in index_of(public).blocks if b.number == "1.4")
    section = public.sections.order_by("position").first()
    # Paragraph 1.2 removed (1.4 becomes the third block) and 1.4's words changed a little.
    body = section.body.replace(
        "<li><p>Each area must agree a plan, approved by its Health and Wellbeing Board.</p></li>", ""
    ).replace("£3.2m", "£3.3m")
    Section.objects.filter(pk=section.pk).update(body=body)
    placed = index_of(public).place(block.anchor, block.text)
    assert placed.state == "changed" and placed.block.number == "1.3"


def test_word_diff_marks_words_removed_and_added():
    assert word_diff("a b c", "a x c") == [("same", "a"), ("removed", "b"), ("added", "x"), ("same", "c")]
    assert fingerprint("a  b\nc") == fingerprint("a b c")


# Search within a meeting ----------------------------------------------------------------------------


def test_it_finds_paragraphs_holding_every_word_in_this_meetings_papers_only(world, demo, login):
    meeting, public, exempt = world
    client = login(demo.member)
    status, html = page(client, f"/reader/meetings/{meeting.pk}/search/?q=carers+breaks")
    assert status == 200
    assert "1 result" in html and "paragraph 1.4" in html and "<mark>carers</mark>" in html
    section = public.sections.order_by("position").first()
    assert f"?item={public.agenda_item.pk}#a-s{section.pk}-p4" in html
    # A word of the seed (the held meeting's report) is not in this meeting's papers.
    _, html = page(client, f"/reader/meetings/{meeting.pk}/search/?q=Inequalities")
    assert "Nothing in these papers matches" in html
    # Words are escaped, never trusted as HTML.
    _, html = page(client, f"/reader/meetings/{meeting.pk}/search/?q=%3Cscript%3Ealert(1)%3C/script%3E")
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


# Born cheap: queries that do not grow with the rows ---------------------------------------------------


def grow_meeting(demo, meeting, start, stop):
    """Reports `start`..`stop` on the meeting's agenda, each with two recommendations and two sections."""
    post = Post.objects.get(title="Director of Public Health")
    for n in range(start, stop):
        report = Report.objects.create(
            author=demo.officer, board=demo.board, meeting=meeting, subject=f"Growth report {n}",
            summary=f"Summary {n} on kelpies.", report_of=post, is_exempt=n % 3 == 0,
            exempt_paragraphs=[3] if n % 3 == 0 else [], status=Report.Status.PUBLISHED,
        )  # fmt: skip
        for position in (1, 2):
            Recommendation.objects.create(report=report, position=position, text=f"Note report {n}.")
            Section.objects.create(
                report=report, position=position, heading=f"Section {position}",
                body="<ol><li><p>Kelpies one.</p></li><li><p>Kelpies two.</p></li></ol>",
            )  # fmt: skip
        AgendaItem.objects.create(
            meeting=meeting, report=report, kind=AgendaItem.Kind.REPORT, title=report.subject, position=100 + n
        )


def queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries), response.content


def test_the_readers_pages_cost_the_same_queries_with_3_items_as_with_30(demo, login):
    from tests.reader_world import change, sync

    meeting = Meeting.objects.create(
        board=demo.board, starts_at=timezone.now() + dt.timedelta(days=30), agenda_published_at=timezone.now(),
        status=Meeting.Status.AGENDA_PUBLISHED,
    )  # fmt: skip
    client = login(demo.member)
    urls = [
        "/reader/",
        f"/reader/meetings/{meeting.pk}/",
        f"/reader/meetings/{meeting.pk}/search/?q=kelpies",
        f"/reader/api/notes/?meeting={meeting.pk}",
        f"/reader/meetings/{meeting.pk}/notes.txt",
    ]
    counts = {}
    for size, (start, stop) in {3: (0, 3), 30: (3, 30)}.items():
        grow_meeting(demo, meeting, start, stop)
        # As many notes as items, one on each report's first paragraph.
        blocks = [b for b in meeting_blocks(demo.member, meeting).blocks if b.number == "1.1"]
        for block in blocks[start:stop]:
            assert sync(client, meeting, change(block.anchor, text=f"Note {block.anchor}")).status_code == 200
        counts[size] = {url: queries(client, url) for url in urls}
        item = meeting.items.order_by("-position").first()
        counts[size]["item"] = queries(client, f"/reader/meetings/{meeting.pk}/items/{item.pk}/")
    for url in counts[3]:
        small, small_body = counts[3][url]
        large, large_body = counts[30][url]
        assert small == large, f"{url}: {small} queries with 3 items, {large} with 30"
        if url not in ("/reader/", "item"):
            assert len(large_body) > len(small_body), url


def test_the_members_home_and_the_meeting_page_lead_to_the_reader(world, demo, login):
    meeting, _, _ = world
    client = login(demo.member)
    assert f'href="/reader/meetings/{meeting.pk}/"' in client.get("/").content.decode()
    assert f'href="/reader/meetings/{meeting.pk}/"' in client.get(f"/meetings/{meeting.pk}/").content.decode()
    response = client.get(f"/meetings/{meeting.pk}/read/")
    assert response.status_code == 302 and response["Location"] == f"/reader/meetings/{meeting.pk}/"
    # Not for someone who may not read the members' pack.
    outsider = login(demo.outsider)
    assert "/reader/meetings/" not in outsider.get(f"/meetings/{meeting.pk}/").content.decode()
    assert outsider.get(f"/meetings/{meeting.pk}/read/").status_code == 404


def test_an_item_read_once_is_kept_until_what_it_prints_changes(world, demo, login):
    """The item's fragment is kept under everything it prints: a second reader (the clerk) gets the same
    words without the report's parts being read again; a correction republished shows at once."""
    meeting, public, _ = world
    item = public.agenda_item
    url = f"/reader/meetings/{meeting.pk}/items/{item.pk}/"
    queries(login(demo.member), url)
    with CaptureQueriesContext(connection) as captured:
        response = login(demo.clerk).get(url)
    assert response.status_code == 200
    assert "£3.2m for carers" in response.content.decode()
    assert not any("reports_section" in q["sql"] for q in captured.captured_queries)
    # Uncached, the same fragment reads the sections.
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        login(demo.member).get(url)
    assert any("reports_section" in q["sql"] for q in captured.captured_queries)

    correct_paragraph(public, "£3.2m for carers", "£3.6m for carers")
    for who in (demo.member, demo.clerk):
        status, html = page(login(who), url)
        # The edition note above the report quotes the old words; the report itself has the new ones.
        [note] = re.findall(r'<p class="edition-note">(Corrected edition 2, .*?)</p>', html)
        body = html.replace(note, "")
        assert status == 200 and "£3.6m for carers" in body and "£3.2m for carers" not in body
        status, html = page(login(who), f"/reader/meetings/{meeting.pk}/")
        assert "£3.6m for carers" in html
