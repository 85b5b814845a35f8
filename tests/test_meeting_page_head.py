"""The head the pages on one meeting's record share (templates/boards/_meeting_page_head.html): the
way back to the meeting, the heading, and an error summary whose every link reaches its field."""

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_record_open):
    """The demo with 14 September 2022's record open (tests/conftest.py): these pages edit it."""
    return demo_record_open


def bad_posts(demo):
    """(address, what is posted, the page's heading, a text of the error summary) for each page."""
    meeting, item = demo.meeting, demo.seed.agenda_item
    base = f"/meetings/{meeting.pk}"
    return [
        (f"{base}/minutes/", {"body": "<p>Typed</p>", "exempt_body": ""}, "Minutes", "Draft the minutes"),
        (f"{base}/decisions/", {f"item_{item.pk}": "Resolved. " * 1001}, "Decisions", "at most 10000 characters"),
        (f"{base}/attendance/", {"other-TOTAL_FORMS": "x"}, "Attendance", "ManagementForm"),
        (f"{base}/items/{item.pk}/vote/", {"text": "Typed"}, "Vote on item 4: ", "There is a problem"),
        (
            f"{base}/declarations/",
            {"item": item.pk, "member": demo.member.pk, "nature": "Typed"},
            "Declarations of interest",
            "What the member did",
        ),
    ]


def error_summary(page):
    match = re.search(r'<div class="error-summary"[^>]*id="error-summary".*?</div>', page, re.S)
    assert match, "no error summary"
    return match.group(0)


def test_it_gives_each_meeting_record_page_the_same_head_and_an_error_summary_whose_links_land(demo, login):
    clerk = login(demo.clerk)
    for url, data, heading, says in bad_posts(demo):
        response = clerk.post(url, data)
        page = response.content.decode()
        assert response.status_code == 400, url
        assert f'<p class="mb-1"><a href="{demo.meeting.get_absolute_url()}">{demo.meeting}</a></p>' in page, url
        assert f'<h1 class="h2">{heading}' in page, url
        summary = error_summary(page)
        assert "There is a problem" in summary and says in summary, url
        for target in re.findall(r'href="#([^"]+)"', summary):
            assert f'id="{target}"' in page, (url, target)  # a radio field's link lands on its first choice


def test_the_vote_pages_heading_is_escaped(demo, login):
    item = demo.seed.agenda_item
    item.title = "<b>Bold</b> & more"
    item.save(update_fields=["title"])
    page = login(demo.clerk).get(f"/meetings/{demo.meeting.pk}/items/{item.pk}/vote/").content.decode()
    assert "<b>Bold</b>" not in page and "&lt;b&gt;Bold&lt;/b&gt; &amp; more</h1>" in page
