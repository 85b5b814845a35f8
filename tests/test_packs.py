import io
import re

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from pypdf import PdfReader
from weasyprint import HTML

from boards import services
from boards.models import AgendaPack
from boards.packs import build_pack
from boards.tasks import build_pack_now
from reports.models import Appendix, Implication, Recommendation, Report, Section
from tests.appendices import stored_appendix

pytestmark = pytest.mark.django_db
MARKER = "ZQXMARKER7731"


def text_pdf(text):
    return HTML(string=f"<html lang='en'><body><p>{text}</p></body></html>").write_pdf()


def pdf_text(data):
    reader = PdfReader(io.BytesIO(data))
    return reader, [page.extract_text() or "" for page in reader.pages]


def outline_titles(reader):
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append((item.title, reader.get_destination_page_number(item)))

    walk(reader.outline)
    return titles


@pytest.fixture
def published(demo, django_capture_on_commit_callbacks):
    """The upcoming meeting with both waiting reports placed and the agenda published."""
    meeting = demo.board.meetings.filter(starts_at__gt=timezone.now()).get()
    public = Report.objects.get(subject="Better Care Fund Plan 2025 to 2027")
    exempt = Report.objects.get(subject="Sexual Health Services: Contract Award")
    services.agenda_add_report(meeting=meeting, report=public, user=demo.clerk)
    services.agenda_add_report(meeting=meeting, report=exempt, user=demo.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_publish(meeting=meeting, user=demo.clerk)
    return meeting, public, exempt


def plant_marker(report):
    """Put the marker in every field of the report, its parts, an appendix and its file name."""
    Report.objects.filter(pk=report.pk).update(
        summary=f"Summary {MARKER}",
        reasons=f"Reasons {MARKER}",
        alternatives=f"Alternatives {MARKER}",
        revenue_costs=f"Revenue {MARKER}",
        capital_costs=f"Capital {MARKER}",
        climate_explanation=f"Climate {MARKER}",
        external_consultations=f"External {MARKER}",
        implementation_date=f"Implementation {MARKER}",
        contact_officer=f"Officer {MARKER}",
        background_papers=f"Papers {MARKER}",
    )
    Recommendation.objects.filter(report=report).update(text=f"Recommend {MARKER}")
    Implication.objects.filter(report=report).update(text=f"Implication {MARKER}")
    Section.objects.filter(report=report).update(body=f"<p>Body {MARKER}</p>", heading=f"Heading {MARKER}")
    appendix = stored_appendix(
        report, f"Appendix {MARKER}", text_pdf(f"Appendix text {MARKER}"), original_filename=f"{MARKER}.pdf"
    )
    report.refresh_from_db()
    return appendix


def test_it_keeps_every_word_of_an_exempt_report_out_of_the_public_pack(published):
    meeting, _, exempt = published
    plant_marker(exempt)
    data = build_pack(meeting, AgendaPack.Edition.PUBLIC).pdf
    assert MARKER.encode() not in data
    reader, pages = pdf_text(data)
    assert not any(MARKER in text for text in pages)
    assert not any(MARKER in title for title, _ in outline_titles(reader))
    assert MARKER not in str(reader.metadata)
    notice = next(text for text in pages if "not for publication by virtue of paragraph 3" in text)
    assert "Sexual Health Services: Contract Award" in notice  # the notice names the item

    members = build_pack(meeting, AgendaPack.Edition.MEMBERS).pdf
    _, member_pages = pdf_text(members)
    assert any(f"Summary {MARKER}" in text for text in member_pages)
    assert any(f"Appendix text {MARKER}" in text for text in member_pages)


def test_it_lists_the_page_each_item_starts_on(published):
    meeting, public, exempt = published
    data, page_count, _, _ = build_pack(meeting, AgendaPack.Edition.MEMBERS)
    reader, pages = pdf_text(data)
    bookmarks = dict(outline_titles(reader))
    front = "\n".join(pages[: min(bookmarks.values())])
    for title in [public.subject, exempt.subject]:
        number = next(n for n, item in services.numbered_items(meeting) if item.title == title)
        start = bookmarks[f"{number}. {title}"]
        assert title in pages[start]  # the bookmark lands on the report's first page
        after = front[front.index(f"{number}. {title}") + len(f"{number}. {title}") :]
        row = re.search(r"(?:^|\s)(\d+)(?:–\d+)?$", after, re.M)  # the item's pages: "3–5", or "6"
        assert row and int(row.group(1)) == start + 1, (title, start, front)
    assert "Page 1" in pages[0]
    assert f"Page {page_count}" in pages[-1]
    assert not any(re.search(r"Page \d+ of \d+|Pack page", text) for text in pages)  # one numbering


def test_it_links_the_contents_to_the_items(published):
    meeting, _, _ = published
    data = build_pack(meeting, AgendaPack.Edition.PUBLIC).pdf
    reader = PdfReader(io.BytesIO(data))
    pages = {page.indirect_reference.idnum: index for index, page in enumerate(reader.pages)}
    front_pages = min(index for _, index in outline_titles(reader))
    destinations = [
        pages[a.get_object()["/Dest"][0].idnum]
        for page in reader.pages[:front_pages]
        for a in page.get("/Annots", [])
        if "/Dest" in a.get_object()
    ]
    assert sorted(destinations) == sorted(index for title, index in outline_titles(reader) if title[0].isdigit())
    assert b"pack.invalid" not in data


def test_it_is_a_tagged_accessible_pdf(published):
    meeting, _, _ = published
    data = build_pack(meeting, AgendaPack.Edition.MEMBERS).pdf
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 - a PDF boolean object
    assert root["/Lang"] == "en-GB"
    assert reader.metadata.title.startswith("Members' agenda pack: Health and Wellbeing Board")
    assert len(outline_titles(reader)) >= 4


def test_it_keeps_every_pages_tags_tied_to_the_merged_tag_tree(published):
    meeting, _, _ = published
    data = build_pack(meeting, AgendaPack.Edition.MEMBERS).pdf
    reader = PdfReader(io.BytesIO(data))
    tree = reader.trailer["/Root"]["/StructTreeRoot"]
    nums = tree["/ParentTree"]["/Nums"]
    keys = [int(nums[i]) for i in range(0, len(nums), 2)]
    assert len(keys) == len(set(keys))
    page_keys = [int(page["/StructParents"]) for page in reader.pages if "/StructParents" in page]
    assert len(page_keys) == len(set(page_keys)) and len(page_keys) >= len(reader.pages) - 4
    assert set(page_keys) <= set(keys)
    assert int(tree["/ParentTreeNextKey"]) > max(keys)
    document = tree["/K"]
    assert document["/S"] == "/Document"
    parts = [kid.get_object()["/S"] for kid in document["/K"]]
    assert parts.count("/Part") >= 3  # the front sheet and each report keep their own tag trees


def test_it_puts_a_notice_in_place_of_a_corrupt_appendix(published):
    meeting, public, _ = published
    # Rebuilt when it was uploaded, damaged in storage since.
    appendix = Appendix(report=public, position=1, title="Broken spreadsheet", page_count=1, disarmed_version=1)
    appendix.file.save("broken.pdf", ContentFile(b"%PDF-1.7\n1 0 obj <</Type /Catalog"), save=False)
    appendix.save()
    data = build_pack(meeting, AgendaPack.Edition.PUBLIC).pdf
    _, pages = pdf_text(data)
    pages = [" ".join(text.split()) for text in pages]
    assert any("could not be included in this pack" in text and "Broken spreadsheet" in text for text in pages)


def test_it_serves_packs_with_etag_and_ranges(client, login, demo, published):
    meeting, _, _ = published
    url = f"/meetings/{meeting.pk}/pack.pdf"
    assert client.get(url).status_code == 503  # queued, not built yet
    for pack in meeting.packs.all():
        build_pack_now(pack.pk)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    etag = response["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    partial = client.get(url, HTTP_RANGE="bytes=0-99")
    assert partial.status_code == 206 and partial["Content-Range"] == f"bytes 0-99/{len(body)}"
    assert b"".join(partial.streaming_content) == body[:100]
    tail = client.get(url, HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == body[-10:]
    assert client.get(url, HTTP_RANGE=f"bytes={len(body) + 5}-").status_code == 416
    stale = client.get(url, HTTP_RANGE="bytes=0-99", HTTP_IF_RANGE='"old"')
    assert stale.status_code == 200  # the file changed: the whole new one
    assert client.get(f"/meetings/{meeting.pk}/agenda.pdf").status_code == 200


def test_it_gives_the_members_pack_only_to_members(client, login, demo, published):
    meeting, _, _ = published
    for pack in meeting.packs.all():
        build_pack_now(pack.pk)
    url = f"/meetings/{meeting.pk}/members-pack.pdf"
    assert client.get(url).status_code == 302
    assert login(demo.outsider).get(url).status_code == 404
    assert login(demo.officer).get(url).status_code == 404
    assert login(demo.member).get(url).status_code == 200
    assert login(demo.clerk).get(url).status_code == 200


def test_it_keeps_unpublished_packs_private(client, login, demo):
    meeting = demo.board.meetings.filter(starts_at__gt=timezone.now()).get()
    for url in [f"/meetings/{meeting.pk}/pack.pdf", f"/meetings/{meeting.pk}/agenda.pdf"]:
        assert client.get(url).status_code == 404
        assert login(demo.member).get(url).status_code == 404
    assert login(demo.member).get(f"/meetings/{meeting.pk}/members-pack.pdf").status_code == 404


def test_it_builds_the_demo_meeting_packs_for_the_member(login, demo):
    queued = AgendaPack.objects.filter(meeting=demo.meeting)  # load_demo queues them for the worker
    assert sorted(queued.values_list("edition", flat=True)) == sorted(AgendaPack.Edition.values)
    for pack in queued:
        build_pack_now(pack.pk)
    client = login(demo.member)
    for url in ["pack.pdf", "members-pack.pdf", "agenda.pdf"]:
        response = client.get(f"/meetings/{demo.meeting.pk}/{url}")
        assert response.status_code == 200, url
        _, pages = pdf_text(b"".join(response.streaming_content))
        assert "Cities Inequalities Project" in "".join(pages)
