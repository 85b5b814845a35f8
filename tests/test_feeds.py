"""Feeds: RSS and Atom of published agendas, iCalendar of meetings (RFC 5545)."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from boards.models import Board
from public.feeds import ical_escape, ical_fold
from tests.test_public import EXEMPT_SUBJECT, PUBLIC_SUBJECT, other_board_member, publish_upcoming

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def unfold(text):
    return text.replace("\r\n ", "")


def events(text):
    """Each VEVENT as a dict of its properties (unfolded)."""
    found, current = [], None
    for line in unfold(text).split("\r\n"):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            found.append(current)
            current = None
        elif current is not None and ":" in line:
            name, value = line.split(":", 1)
            current[name] = value
    return found


def test_it_lists_published_agendas_in_rss(client, demo):
    response = client.get("/feeds/agendas.rss")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == ["Agenda: Health and Wellbeing Board, Wednesday 14 September 2022"]
    assert items[0].findtext("link") == f"http://testserver/meetings/{demo.meeting.pk}/"
    description = items[0].findtext("description")
    assert f'href="http://testserver/papers/{demo.seed.pk}/"' in description
    assert "Cities Inequalities Project" in description


def test_it_lists_published_agendas_in_atom(client, demo):
    response = client.get("/feeds/agendas.atom")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")] == [
        "Agenda: Health and Wellbeing Board, Wednesday 14 September 2022"
    ]


def test_it_adds_an_agenda_when_it_is_published_naming_no_exempt_item(client, demo, django_capture_on_commit_callbacks):
    meeting, _, exempt = publish_upcoming(demo, django_capture_on_commit_callbacks)
    rss = client.get("/feeds/agendas.rss").content.decode()
    assert rss.index(meeting.date_display) < rss.index("Wednesday 14 September 2022")  # newest first
    assert PUBLIC_SUBJECT in rss
    assert EXEMPT_SUBJECT not in rss and exempt.summary not in rss
    assert "Part 2: 1 item not for publication." in rss


def test_it_has_a_feed_per_board(client, demo):
    board, _ = other_board_member()
    assert "Cities Inequalities Project" in client.get(f"/feeds/boards/{demo.board.slug}/agendas.rss").content.decode()
    empty = ET.fromstring(client.get(f"/feeds/boards/{board.slug}/agendas.atom").content)
    assert empty.findall(f"{ATOM}entry") == []
    assert client.get("/feeds/boards/no-such-board/agendas.rss").status_code == 404


def test_it_writes_every_meeting_as_icalendar(client, demo, settings):
    settings.SITE_URL = "https://democracy.example.gov.uk"
    response = client.get("/feeds/meetings.ics")
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")  # every line ends CRLF
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    found = {e["DTSTART"]: e for e in events(text)}
    past = found["20220914T130000Z"]  # 2 pm in London, British Summer Time
    assert past["UID"] == f"meeting-{demo.meeting.pk}@democracy.example.gov.uk"  # the site's, not the request's
    assert past["SUMMARY"] == "Health and Wellbeing Board"
    assert past["LOCATION"] == "Committee Room\\, Bootle Town Hall"
    assert "4. Cities Inequalities Project" in past["DESCRIPTION"]
    assert past["URL"] == f"http://testserver/meetings/{demo.meeting.pk}/"
    assert len(found) == 2  # and the upcoming meeting, with no agenda yet
    upcoming = next(e for e in found.values() if e is not past)
    assert "at least five clear working days" in upcoming["DESCRIPTION"]


def test_it_has_a_calendar_per_board(client, demo):
    board, _ = other_board_member()
    text = client.get(f"/feeds/boards/{board.slug}/meetings.ics").content.decode()
    assert [e["SUMMARY"] for e in events(text)] == ["Planning Committee"]
    assert "Health and Wellbeing" not in text
    assert client.get("/feeds/boards/no-such-board/meetings.ics").status_code == 404
    assert client.post("/feeds/meetings.ics").status_code == 405


def test_it_names_no_exempt_item_in_the_calendar(client, demo, django_capture_on_commit_callbacks):
    publish_upcoming(demo, django_capture_on_commit_callbacks)
    text = unfold(client.get("/feeds/meetings.ics").content.decode())
    assert PUBLIC_SUBJECT in text and EXEMPT_SUBJECT not in text
    assert "Part 2: 1 item not for publication." in text


def test_it_escapes_icalendar_text():
    assert ical_escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_it_folds_long_lines_without_splitting_a_character():
    line = "DESCRIPTION:" + "é" * 100 + "x" * 50
    folded = ical_fold(line)
    parts = folded.split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert unfold(folded) == line
    assert ical_fold("SHORT:x") == "SHORT:x"


@given(
    st.one_of(
        st.text(alphabet=st.characters(codec=codec, exclude_characters="\r\n"), min_size=70, max_size=400)
        for codec in ("ascii", "utf-8")
    )
)
def test_it_folds_any_line_into_the_fullest_lines_the_limit_allows(line):
    """Every line at most 75 octets, each continuation starting with one space, the whole unfolding to the
    line, and each line but the last full: its next character would not have fitted (ASCII or not)."""
    parts = ical_fold(line).split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert unfold("\r\n".join(parts)) == line
    for part, following in zip(parts, parts[1:], strict=False):
        assert len(part.encode()) + len(following[1].encode()) > 75


def test_it_lists_minutes_as_they_are_published_and_again_when_approved(client, demo_record_open):
    demo = demo_record_open  # before the demo's minutes of 14 September 2022 were approved
    import feedparser

    from boards.models import AgendaItem, Meeting
    from minutes import services as minutes_services

    def entries(url):
        parsed = feedparser.parse(client.get(url).content)
        assert not parsed.bozo, parsed.bozo_exception
        return parsed.entries

    assert entries("/feeds/minutes.rss") == []
    AgendaItem.objects.create(
        meeting=demo.meeting, position=90, kind=AgendaItem.Kind.OTHER, title="Contract award",
        own_is_exempt=True, own_exempt_paragraph=3, decision="Awarded to zqminutefeed",
    )  # fmt: skip
    minutes_services.minutes_draft(meeting=demo.meeting, user=demo.clerk)
    assert entries("/feeds/minutes.atom") == []  # a draft not yet published is no one's news
    minutes_services.minutes_publish(meeting=demo.meeting, user=demo.clerk)
    for url in ["/feeds/minutes.rss", "/feeds/minutes.atom", f"/feeds/boards/{demo.board.slug}/minutes.atom"]:
        (entry,) = entries(url)
        assert entry.title.startswith("Minutes (Draft, subject to approval): Health and Wellbeing Board")
        assert entry.link.endswith(f"/meetings/{demo.meeting.pk}/minutes/")
        assert "zqminutefeed" not in client.get(url).content.decode()  # the Part 2 minute is never in it
    draft_date = entries("/feeds/minutes.atom")[0].updated
    Meeting.objects.create(board=demo.board, starts_at=demo.meeting.starts_at + dt.timedelta(days=56), status="held")
    minutes_services.minutes_approve(meeting=demo.meeting, user=demo.clerk)
    (entry,) = entries("/feeds/minutes.atom")
    assert entry.title.startswith("Minutes (Approved ") and entry.updated >= draft_date
    other = Board.objects.exclude(pk=demo.board.pk).first()
    if other:
        assert entries(f"/feeds/boards/{other.slug}/minutes.rss") == []


def test_the_minutes_feed_costs_the_same_queries_with_3_minutes_as_with_30(client, demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from boards.models import Meeting
    from minutes.models import Minutes

    def add(n):
        for _ in range(n):
            meeting = Meeting.objects.create(
                board=demo.board,
                starts_at=demo.meeting.starts_at - dt.timedelta(days=30 * (Minutes.objects.count() + 1)),
            )
            Minutes.objects.create(
                meeting=meeting, body="<p>Minutes</p>", status=Minutes.Status.PUBLISHED,
                drafted_at=timezone.now(), published_at=timezone.now(),
            )  # fmt: skip

    def queries(url):
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        return len(captured), response.content.decode().count("Minutes (Draft")

    for url in ["/feeds/minutes.rss", f"/feeds/boards/{demo.board.slug}/minutes.atom"]:
        Minutes.objects.all().delete()
        add(3)
        few, shown = queries(url)
        assert shown == 3
        add(27)
        many, shown = queries(url)
        assert shown == 30 and many == few
