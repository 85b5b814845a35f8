"""The public meeting page is served from a cache to visitors; any change to what it shows is seen
by them once the key is checked again (RECHECK_SECONDS; 0 here, so at once, but in the last test)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boards import public_cache, services
from boards.models import AgendaItem, AgendaPack, Meeting
from boards.public_cache import meeting_page_key
from reports.models import Post


@pytest.fixture(autouse=True)
def _empty_cache(monkeypatch):
    monkeypatch.setattr(public_cache, "RECHECK_SECONDS", 0)
    cache.clear()
    yield
    cache.clear()


def page(client, meeting):
    response = client.get(f"/meetings/{meeting.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_visitor_gets_the_cached_page_in_three_queries(client, demo):
    first = page(client, demo.meeting)
    with CaptureQueriesContext(connection) as queries:
        again = page(client, demo.meeting)
    assert again == first
    assert len(queries) == 3  # the key: the meeting with its packs, the items, and the attendance


@pytest.mark.parametrize(
    "change",
    [
        lambda m: AgendaItem.objects.filter(meeting=m, report__isnull=False).update(title="Renamed in the admin"),
        lambda m: m.board.__class__.objects.filter(pk=m.board_id).update(name="Renamed in the admin"),
        lambda m: Post.objects.filter(title="Director of Public Health").update(title="Renamed in the admin"),
        lambda m: Meeting.objects.filter(pk=m.pk).update(venue="Renamed in the admin"),
        lambda m: AgendaItem.objects.filter(meeting=m, report__isnull=False).update(decision="Renamed in the admin"),
    ],
    ids=["item", "board", "post", "venue", "decision"],
)
def test_any_change_to_what_the_page_shows_is_seen_at_once(client, demo, change):
    assert "Renamed in the admin" not in page(client, demo.meeting)
    change(demo.meeting)  # as the admin would: no signal, no version raised
    assert "Renamed in the admin" in page(client, demo.meeting)


def test_a_pack_build_changes_the_page(client, demo):
    AgendaPack.objects.filter(meeting=demo.meeting).update(state=AgendaPack.State.QUEUED, progress=0)
    key = meeting_page_key(demo.meeting.pk)
    assert "Being built" in page(client, demo.meeting)
    AgendaPack.objects.filter(meeting=demo.meeting).update(progress=40)  # as the worker reports progress
    assert meeting_page_key(demo.meeting.pk) != key
    assert "40%" in page(client, demo.meeting)


def test_a_cancelled_meeting_is_shown_cancelled(client, demo):
    page(client, demo.meeting)
    Meeting.objects.filter(pk=demo.meeting.pk).update(status=Meeting.Status.CANCELLED)
    assert "This meeting is cancelled." in page(client, demo.meeting)


def test_signed_in_people_never_get_the_visitors_page(client, login, demo):
    visitor = page(client, demo.meeting)
    assert "Members&#x27; pack" not in visitor
    login(demo.member)
    assert "Members&#x27; pack" in page(client, demo.meeting)  # rendered for them, not from the cache
    client.logout()
    assert page(client, demo.meeting) == visitor


def test_an_unpublished_meeting_page_is_cached_without_its_agenda(client, demo):
    # A scheduled meeting has a public page (calendars link to it): date, venue and board only.
    upcoming = Meeting.objects.filter(agenda_published_at__isnull=True).first()
    for report in upcoming.reports.all():
        services.agenda_add_report(meeting=upcoming, report=report, user=demo.clerk)
    assert meeting_page_key(upcoming.pk) is not None
    html = page(client, upcoming)
    assert "has not been published yet" in html and upcoming.date_display in html
    assert "Better Care Fund Plan 2025 to 2027" not in html
    assert not any(item.title in html for item in upcoming.items.exclude(title=""))
    assert page(client, upcoming) == html  # from the cache
    assert meeting_page_key(10**9) is None


def test_publishing_an_agenda_shows_it_to_visitors(client, login, demo):
    upcoming = Meeting.objects.filter(agenda_published_at__isnull=True).first()
    assert "Better Care Fund Plan 2025 to 2027" not in page(client, upcoming)
    for report in upcoming.reports.all():
        services.agenda_add_report(meeting=upcoming, report=report, user=demo.clerk)
    services.agenda_publish(meeting=upcoming, user=demo.clerk)
    html = page(client, upcoming)
    assert "Better Care Fund Plan 2025 to 2027" in html


def test_within_the_recheck_window_a_visitor_costs_no_query(client, demo, monkeypatch):
    monkeypatch.setattr(public_cache, "RECHECK_SECONDS", 60)
    first = page(client, demo.meeting)
    Meeting.objects.filter(pk=demo.meeting.pk).update(venue="Renamed in the admin")
    with CaptureQueriesContext(connection) as queries:
        assert page(client, demo.meeting) == first  # the key was checked less than a minute ago
    assert len(queries) == 0
    cache.clear()  # the window ends
    assert "Renamed in the admin" in page(client, demo.meeting)


def test_a_save_in_this_process_is_seen_at_once_even_within_the_window(client, demo, monkeypatch):
    monkeypatch.setattr(public_cache, "RECHECK_SECONDS", 60)
    page(client, demo.meeting)
    demo.meeting.venue = "Moved to the Town Hall"
    demo.meeting.save()
    assert "Moved to the Town Hall" in page(client, demo.meeting)
