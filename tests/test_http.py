"""HTTP that a client can rely on (issue 22): HEAD, conditional requests (304), byte ranges, compression
and CORS on each kind of URL; calendars and feeds that update, read with real parsers (icalendar,
feedparser) as calendar apps and aggregators read them."""

import gzip
import re
from datetime import timedelta

import feedparser
import icalendar
import pytest
from django.utils import timezone

from boards import services
from boards.models import Meeting
from reports.tasks import store_report_pdf_now
from tests.appendices import stored_appendix
from tests.test_packs import text_pdf
from tests.test_public import build_packs, publish_upcoming, upcoming_meeting

pytestmark = pytest.mark.django_db


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def published(demo, django_capture_on_commit_callbacks):
    """The upcoming meeting published with a public and an exempt report, its packs built."""
    meeting, public, exempt = publish_upcoming(demo, django_capture_on_commit_callbacks)
    build_packs(meeting)
    return meeting, public, exempt


def open_data_urls(demo):
    """One URL of each kind of open data: the API, the calendars and the feeds."""
    slug = demo.board.slug
    return [
        "/api/v1/",
        "/api/v1/meetings/",
        f"/api/v1/meetings/{demo.meeting.pk}/",
        "/api/v1/papers/",
        "/api/v1/papers/?modified_since=2000-01-01T00%3A00%3A00Z",
        f"/api/v1/files/paper-{demo.seed.pk}/",
        f"/api/v1/locations/meeting-{demo.meeting.pk}/",
        f"/api/v1/consultations/{demo.seed.agenda_item.pk}/",
        "/feeds/meetings.ics",
        f"/feeds/boards/{slug}/meetings.ics",
        "/feeds/agendas.rss",
        "/feeds/agendas.atom",
        f"/feeds/boards/{slug}/agendas.rss",
        f"/feeds/boards/{slug}/agendas.atom",
        *NEWS_FEEDS,
        f"/feeds/boards/{slug}/minutes.rss",
        f"/feeds/boards/{slug}/minutes.atom",
    ]


# Every kind of news feed, beside the agendas': minutes, the executive's decisions, officer decisions.
NEWS_FEEDS = [
    "/feeds/minutes.rss",
    "/feeds/minutes.atom",
    "/feeds/decisions.rss",
    "/feeds/decisions.atom",
    "/feeds/officer-decisions.rss",
    "/feeds/officer-decisions.atom",
]


def pdf_urls(meeting, public, appendix):
    return [
        f"/papers/{public.pk}/pdf/",
        f"/papers/{public.pk}/appendices/{appendix.pk}/",
        f"/meetings/{meeting.pk}/agenda.pdf",
        f"/meetings/{meeting.pk}/pack.pdf",
        "/forward-plan.pdf",
    ]


@pytest.fixture
def files(demo, published):
    """Every kind of public PDF of the published meeting, stored as the workers store them, and the
    minutes of the demo's past meeting."""
    meeting, public, _ = published
    appendix = stored_appendix(public, "Scheme list", text_pdf("The scheme list"))
    store_report_pdf_now(public.pk)  # after the appendix, which its PDF lists
    # A File's downloadUrl too: the same PDF, saved rather than opened.
    return [*pdf_urls(meeting, public, appendix), f"/meetings/{demo.meeting.pk}/minutes.pdf"] + [
        f"/papers/{public.pk}/pdf/?download=1",
        f"/meetings/{meeting.pk}/pack.pdf?download=1",
    ]


# HEAD ---------------------------------------------------------------------------------------------


def test_it_answers_head_wherever_it_answers_get(client, demo, files):
    upcoming = Meeting.objects.filter(agenda_published_at__isnull=True).first()
    pages = ["/public/", "/calendar/", "/boards/", f"/boards/{demo.board.slug}/", "/meetings/", "/forward-plan/"]
    pages += [f"/meetings/{demo.meeting.pk}/", f"/papers/{demo.seed.pk}/", "/open-data/", "/search/?q=care"]
    pages += [f"/issues/{demo.seed.pk}/"]
    if upcoming:
        pages.append(f"/meetings/{upcoming.pk}/")
    for url in [*pages, *open_data_urls(demo), *files]:
        get = client.get(url)
        head = client.head(url)
        assert get.status_code == 200, url
        assert head.status_code == 200, url
        assert body(head) == b"", url
        assert head["Content-Type"] == get["Content-Type"], url
        if get.has_header("ETag"):
            assert head["ETag"] == get["ETag"], url


def test_it_still_refuses_unsafe_methods(client, demo):
    assert client.post("/api/v1/meetings/").status_code == 405
    assert client.post("/feeds/meetings.ics").status_code == 405
    assert client.put(f"/meetings/{demo.meeting.pk}/").status_code == 405


# Conditional requests -------------------------------------------------------------------------------


def test_it_answers_a_matching_etag_with_304_on_every_open_data_url_and_pdf(client, demo, files):
    for url in [*open_data_urls(demo), *files]:
        response = client.get(url)
        etag = response["ETag"]
        assert etag, url
        body(response)
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)  # the second from the visitors' cache, where kept
        assert again.status_code == 304, url
        assert body(again) == b"" and again["ETag"] == etag, url
        assert client.head(url, HTTP_IF_NONE_MATCH=etag).status_code == 304, url
        assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200, url


def test_the_etag_changes_when_the_content_does(client, demo):
    url = f"/api/v1/meetings/{demo.meeting.pk}/"
    etag = client.get(url)["ETag"]
    Meeting.objects.filter(pk=demo.meeting.pk).update(venue="The Atkinson, Southport")
    demo.meeting.board.save()  # any save forgets the keys this process knew: the change is seen at once
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and "The Atkinson" in changed.content.decode()


def test_the_feeds_answer_if_modified_since(client, demo):
    for url in ("/feeds/agendas.rss", "/feeds/agendas.atom", *NEWS_FEEDS):
        response = client.get(url)
        if not response.has_header("Last-Modified"):
            # A feed without entries has no date (the demo has no decision notices).
            assert url.startswith("/feeds/decisions."), url
            continue
        last_modified = response["Last-Modified"]
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304, url
        assert client.get(url, HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2001 00:00:00 GMT").status_code == 200, url


def test_the_paper_pdf_is_served_in_byte_ranges_like_the_packs(client, files, published):
    _, public, _ = published
    url = f"/papers/{public.pk}/pdf/"
    whole = client.get(url)
    data = body(whole)
    assert whole["Accept-Ranges"] == "bytes" and data.startswith(b"%PDF")
    partial = client.get(url, HTTP_RANGE="bytes=0-99")
    assert partial.status_code == 206 and partial["Content-Range"] == f"bytes 0-99/{len(data)}"
    assert body(partial) == data[:100]
    assert body(client.get(url, HTTP_RANGE="bytes=-10")) == data[-10:]
    assert client.get(url, HTTP_RANGE=f"bytes={len(data) + 5}-").status_code == 416
    assert client.get(url, HTTP_RANGE="bytes=0-99", HTTP_IF_RANGE='"old"').status_code == 200


def test_signed_in_people_still_get_private_no_store(client, login, demo, files):
    login(demo.member)
    for url in ["/api/v1/meetings/", "/feeds/meetings.ics", *files]:
        assert client.get(url)["Cache-Control"] == "private, no-store", url


# Compression --------------------------------------------------------------------------------------


def test_it_compresses_the_open_data(client, demo):
    for url in open_data_urls(demo):
        plain = client.get(url)
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
        if len(plain.content) < 1000:
            continue  # not worth it: a small object (Django sends it plain when gzip, with its padding, saves nothing)
        assert response["Content-Encoding"] == "gzip", url
        assert "Accept-Encoding" in response["Vary"], url
        assert gzip.decompress(response.content) == plain.content, url
        # A client that has the compressed copy revalidates it with the (weak) ETag it was sent.
        assert client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_it_never_compresses_pages_with_a_csrf_token_or_personal_data(client, login, demo):
    """BREACH: a compressed page's size reveals secrets printed beside text the attacker chooses."""
    for url in ["/accounts/login/", "/search/?q=care", f"/meetings/{demo.meeting.pk}/", "/public/"]:
        assert not client.get(url, HTTP_ACCEPT_ENCODING="gzip").has_header("Content-Encoding"), url
    login(demo.officer)
    for url in ["/", "/reports/", f"/reports/{demo.draft.pk}/"]:
        assert not client.get(url, HTTP_ACCEPT_ENCODING="gzip").has_header("Content-Encoding"), url


# CORS ---------------------------------------------------------------------------------------------


def test_every_api_answer_allows_any_origin(client, demo):
    answers = {
        "ok": client.get("/api/v1/meetings/"),
        "object 404": client.get("/api/v1/meetings/999999/"),
        "no such path": client.get("/api/v1/nothing-here/"),
        "bad query": client.get("/api/v1/meetings/?page=zero"),
        "redirect": client.get("/api/v1/meetings"),
        "405": client.post("/api/v1/meetings/"),
        "HEAD": client.head("/api/v1/meetings/"),
        "304": client.get("/api/v1/", HTTP_IF_NONE_MATCH=client.get("/api/v1/")["ETag"]),
    }
    assert answers["redirect"].status_code == 301 and answers["405"].status_code == 405
    assert answers["304"].status_code == 304
    for name, response in answers.items():
        assert response["Access-Control-Allow-Origin"] == "*", name
        assert "ETag" in response["Access-Control-Expose-Headers"], name


def test_it_answers_a_cors_preflight(client, demo):
    response = client.options(
        "/api/v1/meetings/",
        HTTP_ORIGIN="https://widgets.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]
    assert "If-None-Match" in response["Access-Control-Allow-Headers"]
    assert client.options("/feeds/meetings.ics")["Access-Control-Allow-Origin"] == "*"


def test_the_calendars_and_feeds_allow_any_origin_and_pages_do_not(client, demo):
    for url in open_data_urls(demo):
        assert client.get(url)["Access-Control-Allow-Origin"] == "*", url
    assert client.get("/feeds/boards/no-such-board/agendas.atom")["Access-Control-Allow-Origin"] == "*"
    for url in ["/public/", f"/meetings/{demo.meeting.pk}/", "/accounts/login/"]:
        assert not client.get(url).has_header("Access-Control-Allow-Origin"), url


# A meeting's page from the moment it is scheduled -----------------------------------------------------


def test_a_scheduled_meeting_has_a_public_page_without_its_agenda(client, demo):
    meeting = upcoming_meeting(demo)
    for report in meeting.reports.all():
        services.agenda_add_report(meeting=meeting, report=report, user=demo.clerk)
    titles = [item.title for item in meeting.items.all() if item.report_id]
    assert titles
    response = client.get(f"/meetings/{meeting.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert meeting.date_display in html and str(meeting.board) in html and meeting.venue in html
    assert "has not been published yet" in html
    assert not any(title in html for title in titles)
    assert client.get(f"/meetings/{meeting.pk}/pack.pdf").status_code == 404
    assert client.get(f"/meetings/{meeting.pk}/packs/").status_code == 404


def test_every_link_in_the_calendar_opens(client, demo):
    calendar = icalendar.Calendar.from_ical(client.get("/feeds/meetings.ics").content)
    urls = [str(event["URL"]) for event in calendar.walk("VEVENT")]
    assert len(urls) == Meeting.objects.count()
    for url in urls:
        assert client.get(url.removeprefix("http://testserver")).status_code == 200, url


def test_every_meeting_link_on_the_forward_plan_opens(client, demo):
    """A key decision is on the Forward Plan before its meeting's agenda is published: the link to
    that meeting (only scheduled) must open, as the link of a published one does."""
    page = client.get("/forward-plan/").content.decode()
    links = set(re.findall(r'href="(/meetings/\d+/)"', page))
    scheduled = {f"/meetings/{m.pk}/" for m in Meeting.objects.filter(agenda_published_at__isnull=True)}
    assert links & scheduled, links
    for url in links:
        assert client.get(url).status_code == 200, url


# iCalendar ----------------------------------------------------------------------------------------


def ical_events(client, url="/feeds/meetings.ics", **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")}


def event_of(client, meeting, **headers):
    return next(
        e for e in ical_events(client, **headers).values() if str(e["UID"]).startswith(f"meeting-{meeting.pk}@")
    )


def test_the_uid_comes_from_the_site_not_the_request(client, demo, settings):
    settings.SITE_URL = "https://democracy.example.gov.uk"
    one = set(ical_events(client, HTTP_HOST="localhost"))
    other = set(ical_events(client, HTTP_HOST="127.0.0.1"))
    assert one == other
    assert f"meeting-{demo.meeting.pk}@democracy.example.gov.uk" in one


def test_the_calendar_is_the_same_on_every_fetch_until_something_changes(client, demo):
    first = client.get("/feeds/meetings.ics").content
    demo.board.save()  # a save that changes nothing the calendar shows (and empties the page cache)
    assert client.get("/feeds/meetings.ics").content == first  # DTSTAMP included: so is its ETag


@pytest.mark.parametrize(
    "change",
    ["time", "venue", "board name", "default venue", "cancellation", "agenda"],
)
def test_sequence_rises_with_every_change_a_calendar_shows(client, demo, change):
    meeting = upcoming_meeting(demo)
    before = event_of(client, meeting)
    sequence, stamp = int(before["SEQUENCE"]), before["DTSTAMP"].dt
    Meeting.objects.filter(pk=meeting.pk).update(calendar_changed_at=timezone.now() - timedelta(days=1))
    meeting.refresh_from_db()
    if change == "time":
        meeting.starts_at += timedelta(hours=1)
        meeting.save()
    elif change == "venue":
        meeting.venue = "Southport Town Hall"
        meeting.save(update_fields=["venue"])
    elif change == "board name":
        meeting.board.name = "Health and Wellbeing Board (Sefton)"
        meeting.board.save()
    elif change == "default venue":
        Meeting.objects.filter(pk=meeting.pk).update(venue="")
        meeting.board.default_venue = "Southport Town Hall"
        meeting.board.save()
    elif change == "cancellation":
        services.meeting_cancel(meeting=meeting, user=demo.clerk)
    elif change == "agenda":
        services.agenda_add_item(meeting=meeting, user=demo.clerk, title="Winter pressures update")
    after = event_of(client, meeting)
    assert int(after["SEQUENCE"]) > sequence, change
    assert after["DTSTAMP"].dt > stamp - timedelta(seconds=1), change
    if change == "cancellation":
        assert after["STATUS"] == "CANCELLED" and "cancelled" in str(after["SUMMARY"])
    if change == "time":
        assert after["DTSTART"].dt > before["DTSTART"].dt
    if change in ("venue", "default venue"):
        assert str(after["LOCATION"]) == "Southport Town Hall"


def test_a_cancellation_after_publication_raises_the_sequence(client, demo, published):
    meeting, _, _ = published
    sequence = int(event_of(client, meeting)["SEQUENCE"])
    services.meeting_cancel(meeting=meeting, user=demo.clerk)
    after = event_of(client, meeting)
    assert int(after["SEQUENCE"]) > sequence and after["STATUS"] == "CANCELLED"


# Atom and RSS ---------------------------------------------------------------------------------------


def parsed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def entry_of(feed, meeting):
    return next(e for e in feed.entries if e.link.endswith(f"/meetings/{meeting.pk}/"))


IRI = re.compile(r"^(https?://[^/\s]+/\S*|tag:[^\s]+)$")


def test_entries_have_iri_ids_and_the_feed_an_author(client, demo, settings):
    settings.SITE_URL = "https://democracy.example.gov.uk"
    for url in ("/feeds/agendas.atom", "/feeds/agendas.rss"):
        feed = parsed(client, url)
        assert feed.entries, url
        for entry in feed.entries:
            assert entry.author == "Sefton Council", url
            assert IRI.match(entry.id), (url, entry.id)
            assert entry.id.startswith("https://democracy.example.gov.uk/"), (url, entry.id)
        # the same id whatever host the request named
        other = feedparser.parse(client.get(url, HTTP_HOST="localhost").content)
        assert [e.id for e in other.entries] == [e.id for e in feed.entries]
    atom = parsed(client, "/feeds/agendas.atom")
    assert atom.feed.author_detail.name == "Sefton Council"


def backdate(meeting):
    """Move the meeting's last change a day back, so that a change now is a later date to a feed's second."""
    day_ago = timezone.now() - timedelta(days=1)
    Meeting.objects.filter(pk=meeting.pk).update(calendar_changed_at=day_ago, agenda_published_at=day_ago)
    meeting.refresh_from_db()


def test_a_late_item_moves_the_entrys_date(client, demo, published, django_capture_on_commit_callbacks):
    meeting, _, _ = published
    backdate(meeting)
    atom = entry_of(parsed(client, "/feeds/agendas.atom"), meeting)
    rss = entry_of(parsed(client, "/feeds/agendas.rss"), meeting)
    services.agenda_add_item(
        meeting=meeting, user=demo.clerk, title="Winter pressures update", urgency_reason="Figures came late."
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.supplement_publish(meeting=meeting, user=demo.clerk)
    atom_after = entry_of(parsed(client, "/feeds/agendas.atom"), meeting)
    rss_after = entry_of(parsed(client, "/feeds/agendas.rss"), meeting)
    assert "Winter pressures update" in atom_after.summary
    assert atom_after.updated_parsed > atom.updated_parsed
    assert atom_after.published_parsed == atom.published_parsed  # first published: unchanged
    assert rss_after.published_parsed > rss.published_parsed  # RSS has one date: it moves
    assert atom_after.id == atom.id


def test_a_cancelled_meeting_stays_in_the_feed_saying_so(client, demo, published):
    meeting, public, _ = published
    backdate(meeting)
    before = entry_of(parsed(client, "/feeds/agendas.atom"), meeting)
    services.meeting_cancel(meeting=meeting, user=demo.clerk)
    for url in ("/feeds/agendas.atom", "/feeds/agendas.rss", f"/feeds/boards/{demo.board.slug}/agendas.atom"):
        entry = entry_of(parsed(client, url), meeting)
        assert entry.title.startswith("Cancelled:"), url
        assert "This meeting is cancelled" in entry.summary, url
        assert public.subject not in entry.summary, url  # its papers are withdrawn
    after = entry_of(parsed(client, "/feeds/agendas.atom"), meeting)
    assert after.updated_parsed > before.updated_parsed and after.id == before.id


def alternates(html):
    """The advertised feeds, by type: a list where a type comes more than once (agendas and minutes)."""
    found = {}
    for kind, href in re.findall(r'<link rel="alternate" type="([^"]+)" title="[^"]*" href="([^"]+)"', html):
        found.setdefault(kind, []).append(href)
    return {kind: hrefs[0] if len(hrefs) == 1 else hrefs for kind, hrefs in found.items()}


def test_a_boards_feeds_are_advertised_on_its_page_and_its_calendar(client, demo):
    slug = demo.board.slug
    expected = {
        "application/rss+xml": f"/feeds/boards/{slug}/agendas.rss",
        "application/atom+xml": [f"/feeds/boards/{slug}/agendas.atom", f"/feeds/boards/{slug}/minutes.atom"],
        "text/calendar": f"/feeds/boards/{slug}/meetings.ics",
    }
    assert alternates(client.get(f"/boards/{slug}/").content.decode()) == expected
    assert alternates(client.get(f"/calendar/?board={slug}").content.decode()) == expected
    assert alternates(client.get("/calendar/").content.decode())["application/atom+xml"] == [
        "/feeds/agendas.atom",
        "/feeds/minutes.atom",
    ]
    for url in [*expected["application/atom+xml"], expected["application/rss+xml"], expected["text/calendar"]]:
        assert client.get(url).status_code == 200
