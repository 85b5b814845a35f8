"""Every public page is served to visitors from a cache keyed on what public pages can print
(boards.public_cache.public_stamp): cheap on publication day, and never stale past the recheck
window, whoever made the change (the services, the admin, another worker process)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boards import public_cache
from boards.models import AgendaItem, Meeting
from reports.models import Report
from tests.test_autosave_changed_fields import autosave_changed
from tests.test_workflow import complete_draft


@pytest.fixture(autouse=True)
def _empty_cache(monkeypatch):
    monkeypatch.setattr(public_cache, "RECHECK_SECONDS", 0)
    cache.clear()
    yield
    cache.clear()


def public_pages(demo):
    return [
        "/public/",
        "/calendar/",
        "/calendar/?month=2022-07",
        f"/papers/{demo.seed.pk}/",
        "/forward-plan/",
        "/search/?q=health",
        "/open-data/",
        "/feeds/agendas.rss",
        "/feeds/agendas.atom",
        f"/feeds/boards/{demo.board.slug}/agendas.rss",
        "/feeds/meetings.ics",
        f"/feeds/boards/{demo.board.slug}/meetings.ics",
        "/api/v1/",
        "/api/v1/bodies/",
        "/api/v1/organizations/",
        "/api/v1/meetings/",
        f"/api/v1/meetings/{demo.meeting.pk}/",
        "/api/v1/agenda-items/",
        "/api/v1/papers/",
        f"/api/v1/papers/{demo.seed.pk}/",
        "/boards/",
        f"/boards/{demo.board.slug}/",
        "/meetings/",
        "/councillors/",
        f"/councillors/{demo.member.pk}/",
        "/register/",
        f"/councillors/{demo.member.pk}/register/",
        f"/issues/{demo.seed.pk}/",
    ]


PAGES = list(range(28))


@pytest.mark.parametrize("index", PAGES)
def test_within_the_recheck_window_a_visitor_is_served_the_same_page_without_a_query(client, demo, monkeypatch, index):
    url = public_pages(demo)[index]
    monkeypatch.setattr(public_cache, "RECHECK_SECONDS", 60)
    first = client.get(url)
    assert first.status_code == 200, url
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert len(queries) == 0, url
    assert again.content == first.content
    for header in ("Content-Type", "Content-Disposition", "Access-Control-Allow-Origin", "Cache-Control"):
        assert again.get(header) == first.get(header), header
    assert again.has_header("Content-Security-Policy")  # made afresh by the middleware


def mentions(client, url):
    response = client.get(url)
    return response.status_code == 200 and b"Cities Inequalities Project" in response.content


LISTS = ["/search/?q=cities+inequalities", "/api/v1/papers/"]  # the agenda (and its feed) names the item still


@pytest.mark.parametrize(
    "change",
    [
        lambda r: Report.objects.filter(pk=r.pk).update(is_exempt=True, exempt_paragraphs=[3]),
        lambda r: Report.objects.filter(pk=r.pk).update(status=Report.Status.APPROVED),
        lambda r: AgendaItem.objects.filter(report=r).update(report=None),
        lambda r: Meeting.objects.filter(pk=r.meeting_id).update(agenda_published_at=None),
    ],
    ids=["made exempt", "withdrawn", "taken off the agenda", "agenda withdrawn"],
)
def test_a_paper_that_stops_being_public_leaves_every_public_page_at_the_next_check(client, demo, change):
    """Made as another process or the admin would make it: no signal in this process, no version raised."""
    paper, issue = f"/papers/{demo.seed.pk}/", f"/issues/{demo.seed.pk}/"
    assert client.get(paper).status_code == 200 and client.get(issue).status_code == 200
    assert all(mentions(client, url) for url in LISTS)
    change(demo.seed)
    assert client.get(paper).status_code == 404
    assert client.get(issue).status_code == 404  # the seed is no key decision: only its paper made it public
    assert not any(mentions(client, url) for url in LISTS)


def test_a_forward_plan_entry_s_story_follows_the_plan_at_the_next_check(client, demo):
    """An entry taken off the Forward Plan (as another process would: no signal here) loses its story page."""
    entry = Report.objects.get(subject="Better Care Fund Plan 2025 to 2027")
    assert client.get(f"/issues/{entry.pk}/").status_code == 200
    Report.objects.filter(pk=entry.pk).update(in_forward_plan=False)
    assert client.get(f"/issues/{entry.pk}/").status_code == 404


def test_a_change_in_another_process_waits_for_the_window_and_a_save_here_does_not(client, demo, monkeypatch):
    monkeypatch.setattr(public_cache, "RECHECK_SECONDS", 60)
    assert b"Renamed in the admin" not in client.get("/calendar/").content
    Meeting.objects.filter(pk=demo.meeting.pk).update(venue="Renamed in the admin")  # no signal here
    assert b"Renamed in the admin" not in client.get("/calendar/").content  # within the window
    cache.clear()  # the window ends
    assert b"Renamed in the admin" in client.get("/calendar/").content
    demo.meeting.refresh_from_db()
    demo.meeting.venue = "Moved to the Town Hall"
    demo.meeting.save()  # a save in this process is seen at once
    assert b"Moved to the Town Hall" in client.get("/calendar/").content


def test_an_officers_autosave_of_a_draft_does_not_change_the_public_stamp(demo):
    before = public_cache.public_stamp()
    Report.objects.filter(pk=demo.draft.pk).update(summary="Typed just now", version=99)
    assert public_cache.public_stamp() == before


@pytest.mark.parametrize("key_decision", [False, True], ids=["draft", "key decision on the Forward Plan"])
def test_an_autosave_in_this_process_leaves_the_public_keys_known_and_signed_in_search_follows_it(
    client, login, demo, key_decision
):
    """On publication day officers autosave several times a second: their drafts are on no public
    page, so no worker reads every public key again for them (issue 21); signed-in search, which
    shows drafts, follows each at once. A save of what the Forward Plan lists moves both."""
    draft = complete_draft(demo)
    Report.objects.filter(pk=draft.pk).update(is_key_decision=key_decision, in_forward_plan=key_decision)
    login(demo.officer)
    answer = autosave_changed(client, draft, {"summary": "Typed just now about zanzibar"}, sections=[
        (s.pk, s.heading, s.body + "<p>And about quokkas.</p>") for s in draft.sections.all()
    ])  # fmt: skip
    assert answer.status_code == 200 and answer.json()["saved"]
    public, signed_in = public_cache._generation[0], public_cache._search_generation[0]
    assert b"Typed just now" in client.get("/search/?q=zanzibar").content  # the officer's own draft, at once
    again = autosave_changed(client, draft, {"summary": "Typed again about quokkas"})
    assert again.status_code == 200 and again.json()["saved"]
    assert public_cache._generation[0] == public
    assert public_cache._search_generation[0] > signed_in
    assert b"Typed just now" not in client.get("/search/?q=zanzibar").content
    assert b"Typed again" in client.get("/search/?q=quokkas").content
    # The Forward Plan date is what the plan prints of a draft: it is a public change.
    listed = autosave_changed(client, draft, {"forward_plan_date": "2031-01-15"})
    assert listed.status_code == 200 and listed.json()["saved"]
    assert public_cache._generation[0] > public


def test_signed_in_people_and_posts_never_get_the_visitors_copy(client, login, demo):
    visitor = client.get("/public/").content
    login(demo.officer)
    assert client.get("/public/").content != visitor  # their own header, rendered for them
    client.logout()
    assert client.get("/public/").content == visitor
    assert client.get("/api/v1/papers/").status_code == 200
    assert client.post("/api/v1/papers/").status_code == 405  # not the cached GET


def test_each_address_is_its_own_page(client, demo):
    """The query string, the host and the scheme are part of the key: feeds and the API print absolute links."""
    one = client.get("/api/v1/meetings/").content
    assert b"http://testserver/" in one
    other = client.get("/api/v1/meetings/", HTTP_HOST="localhost").content
    assert b"http://localhost/" in other and b"http://testserver/" not in other
    assert client.get("/search/?q=health").content != client.get("/search/?q=budget").content
