"""Feeds: RSS and Atom of published agendas, iCalendar of meetings (RFC 5545)."""

import xml.etree.ElementTree as ET

import pytest

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
