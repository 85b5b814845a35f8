"""The reader offline (issue 20, reader/offline.py): the service worker and the manifest as served, what a
device may keep of a meeting (offline.json) for whom, and which kept meetings a device is told to drop."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone
from PIL import Image

from boards.models import AgendaItem, Meeting, Membership
from reader import offline
from reader.selectors import reader_items
from reports.models import Report
from tests.test_public import other_board_member, publish_upcoming

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(demo, django_capture_on_commit_callbacks):
    """The board's next meeting published with its two reports: (meeting, public report, exempt report)."""
    return publish_upcoming(demo, django_capture_on_commit_callbacks)


def offline_json(meeting):
    return f"/reader/meetings/{meeting.pk}/offline.json"


CHECK = "/reader/api/offline-check/"


def check(client, *kept):
    """POST the offline check for kept meetings: (meeting, [exempt urls]) pairs."""
    body = {"meetings": [{"meeting": meeting.pk, "exempt": urls} for meeting, urls in kept]}
    return client.post(CHECK, json.dumps(body), content_type="application/json")


def exempt_urls(listing):
    return [entry["url"] for entry in listing["urls"] if entry["exempt"]]


# The service worker and the manifest


@pytest.mark.parametrize("who", [None, "member"])
def test_it_serves_the_service_worker_for_the_reader_scope_uncached(client, demo, who):
    if who:
        client.force_login(demo.users[who])
    response = client.get("/reader/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/reader/"
    # no-cache as it leaves the view; signed in, every answer is "private, no-store" (config/middleware.py)
    assert response["Cache-Control"] == ("private, no-store" if who else "no-cache")
    with open(finders.find("reader/sw.js"), encoding="utf-8") as handle:
        assert response.content.decode() == handle.read()
    assert client.post("/reader/sw.js").status_code == 405


def test_it_serves_a_manifest_for_the_installed_reader_with_icons_that_exist(client, demo):
    response = client.get("/reader/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["start_url"] == manifest["scope"] == "/reader/"
    assert manifest["display"] == "standalone"
    assert manifest["name"] == "Sefton Council: members' papers"
    assert manifest["theme_color"] == "#004b6b"
    assert {icon.get("purpose", "any") for icon in manifest["icons"]} == {"any", "maskable"}
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        width, height = Image.open(path).size
        assert icon["sizes"] == f"{width}x{height}"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
    assert client.post("/reader/manifest.webmanifest").status_code == 405


# offline.json: what a device keeps, for whom


def test_it_lists_for_a_member_every_paper_of_the_meeting_they_may_read_with_the_exempt_marked(client, demo, published):
    meeting, public, exempt = published
    client.force_login(demo.member)
    response = client.get(offline_json(meeting))
    assert response.status_code == 200
    listing = response.json()
    assert listing["meeting"] == meeting.pk
    assert listing["exempt"] is True
    urls = [entry["url"] for entry in listing["urls"]]
    assert urls[0] == f"/reader/meetings/{meeting.pk}/"
    assert f"/reader/api/notes/?meeting={meeting.pk}" in urls
    items = {item.report_id: item.pk for item in meeting.items.all()}
    for report in (public, exempt):
        item = items[report.pk]
        assert f"/reader/meetings/{meeting.pk}/items/{item}/" in urls
        assert f"/reader/meetings/{meeting.pk}/items/{item}/report.pdf" in urls
    assert set(exempt_urls(listing)) == {
        f"/reader/meetings/{meeting.pk}/items/{items[exempt.pk]}/",
        f"/reader/meetings/{meeting.pk}/items/{items[exempt.pk]}/report.pdf",
        *(
            f"/reader/meetings/{meeting.pk}/items/{items[exempt.pk]}/appendices/{a.pk}.pdf"
            for a in exempt.appendices.all()
        ),
    }
    assert len(urls) == len(set(urls))
    # Every address listed is one the reader answers for this member, so a device can keep them all.
    for url in urls:
        path, _, query = url.partition("?")
        resolve(path)
        answer = client.get(path, dict(pair.split("=") for pair in query.split("&")) if query else {})
        assert answer.status_code == 200, url


def test_it_lists_the_items_the_reader_shows_with_their_exemption(demo, published):
    meeting, _, _ = published
    item_page = re.compile(r"/reader/meetings/\d+/items/(\d+)/")
    for user in (demo.member, demo.clerk, demo.admin):
        shown = {entry.pk: entry.is_exempt for entry in reader_items(user, meeting) if not entry.withheld}
        listed = {
            int(match[1]): exempt
            for url, exempt in offline.offline_urls(user, meeting)
            if (match := item_page.fullmatch(url))
        }
        assert listed == shown
        assert True in shown.values() and False in shown.values()


def test_it_answers_the_same_exempt_addresses_when_checking_as_when_listing(client, demo, published):
    meeting, _, _ = published
    client.force_login(demo.member)
    listed = set(exempt_urls(client.get(offline_json(meeting)).json()))
    assert listed
    assert offline.exempt_urls_readable(demo.member, [meeting.pk]) == listed


def test_it_leaves_out_an_exempt_paper_the_member_may_not_see_and_drops_a_copy_of_it(client, demo, published):
    meeting, _, exempt = published
    item = meeting.items.get(report=exempt)
    client.force_login(demo.member)
    kept_exempt = exempt_urls(client.get(offline_json(meeting)).json())
    assert f"/reader/meetings/{meeting.pk}/items/{item.pk}/" in kept_exempt
    # The report goes to another board: its members may see it, this board's member may not (the
    # agenda still names the item).
    Report.objects.filter(pk=exempt.pk).update(board=other_board_member()[0])
    assert [entry.withheld for entry in reader_items(demo.member, meeting) if entry.pk == item.pk] == [True]
    listing = client.get(offline_json(meeting)).json()
    assert listing["exempt"] is False
    assert not [entry["url"] for entry in listing["urls"] if f"/items/{item.pk}/" in entry["url"]]
    answer = check(client, (meeting, kept_exempt)).json()
    assert answer["drop"] == [meeting.pk]
    assert answer["reasons"][str(meeting.pk)] == (
        "Some of the exempt papers kept on this device are no longer yours to read."
    )


def test_it_refuses_the_list_to_anyone_who_may_not_read_the_meeting(client, demo, published):
    meeting, _, _ = published
    response = client.get(offline_json(meeting))
    assert response.status_code == 403
    assert "sign in again" in response.json()["error"]
    for user in (demo.outsider, demo.officer, other_board_member()[1]):
        client.force_login(user)
        response = client.get(offline_json(meeting))
        assert response.status_code == 404, user
        assert b"/reader/meetings/" not in response.content
    client.force_login(demo.member)
    assert client.get(f"/reader/meetings/{meeting.pk + 1000}/offline.json").status_code == 404
    assert client.post(offline_json(meeting)).status_code == 405


def test_it_lists_nothing_once_the_membership_has_ended(client, demo, published):
    meeting, _, _ = published
    Membership.objects.filter(user=demo.member, board=demo.board).update(
        ends_on=timezone.localdate() - timezone.timedelta(days=1)
    )
    client.force_login(demo.member)
    assert client.get(offline_json(meeting)).status_code == 404


def test_it_keeps_nothing_of_a_meeting_whose_minutes_are_approved(client, demo):
    assert demo.meeting.status == Meeting.Status.MINUTES_APPROVED  # 14 September 2022, as the demo loads it
    client.force_login(demo.member)
    response = client.get(offline_json(demo.meeting))
    assert response.status_code == 409
    assert response.json()["error"] == offline.MINUTES_APPROVED


def test_it_lists_a_meeting_in_a_fixed_number_of_queries(client, demo, published):
    meeting, _, _ = published
    client.force_login(demo.member)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(offline_json(meeting)).status_code == 200
        return len(captured)

    few = queries()
    for n in range(27):
        AgendaItem.objects.create(meeting=meeting, position=100 + n, title=f"Item {n}")
    assert len(client.get(offline_json(meeting)).json()["urls"]) >= 30
    assert queries() == few


# The offline check: which kept meetings a device drops


def test_it_tells_a_member_to_drop_nothing_while_they_may_read_the_meeting(client, demo, published):
    meeting, _, _ = published
    client.force_login(demo.member)
    kept_exempt = exempt_urls(client.get(offline_json(meeting)).json())
    response = check(client, (meeting, kept_exempt))
    assert response.status_code == 200
    assert response.json() == {"drop": [], "reasons": {}}
    assert client.get(CHECK, {"meeting": meeting.pk}).json() == {"drop": [], "reasons": {}}


def test_it_tells_a_device_to_drop_a_meeting_once_the_membership_has_ended(client, demo, published):
    meeting, _, _ = published
    client.force_login(demo.member)
    kept_exempt = exempt_urls(client.get(offline_json(meeting)).json())
    Membership.objects.filter(user=demo.member, board=demo.board).update(
        ends_on=timezone.localdate() - timezone.timedelta(days=1)
    )
    answer = check(client, (meeting, kept_exempt)).json()
    assert answer["drop"] == [meeting.pk]
    assert answer["reasons"][str(meeting.pk)] == "You can no longer read this meeting's papers."
    assert client.get(CHECK, {"meeting": meeting.pk}).json()["drop"] == [meeting.pk]


def test_it_tells_a_device_to_drop_a_meeting_once_its_minutes_are_approved(client, demo, published):
    meeting, _, _ = published
    client.force_login(demo.member)
    kept_exempt = exempt_urls(client.get(offline_json(meeting)).json())
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.MINUTES_APPROVED)
    answer = check(client, (meeting, kept_exempt), (demo.meeting, [])).json()
    assert sorted(answer["drop"]) == sorted([meeting.pk, demo.meeting.pk])
    assert answer["reasons"][str(meeting.pk)] == offline.MINUTES_APPROVED


def test_it_tells_a_device_to_drop_a_meeting_holding_an_exempt_paper_no_longer_listed_for_the_member(
    client, demo, published
):
    meeting, _, exempt = published
    client.force_login(demo.member)
    kept_exempt = exempt_urls(client.get(offline_json(meeting)).json())
    item = meeting.items.get(report=exempt)
    assert check(client, (meeting, kept_exempt)).json()["drop"] == []
    # The exempt item taken off the agenda (a deferral, say): its copy on the device is no longer theirs.
    AgendaItem.objects.filter(pk=item.pk).update(meeting=demo.meeting)
    assert check(client, (meeting, kept_exempt)).json()["drop"] == [meeting.pk]
    assert check(client, (meeting, ["/reader/meetings/1/items/1/"])).json()["drop"] == [meeting.pk]


def test_it_tells_an_outsider_to_drop_whatever_they_name(client, demo, published):
    meeting, _, _ = published
    for user in (demo.outsider, other_board_member()[1]):
        client.force_login(user)
        assert check(client, (meeting, [])).json()["drop"] == [meeting.pk]


def test_it_refuses_the_check_to_a_device_whose_session_ended(client, demo, published):
    meeting, _, _ = published
    response = check(client, (meeting, []))
    assert response.status_code == 403
    assert "sign in again" in response.json()["error"]
    assert client.get(CHECK, {"meeting": meeting.pk}).status_code == 403


@pytest.mark.parametrize(
    "body, message",
    [
        ("not json", "The check is not JSON."),
        ("[1, 2]", '"meetings": a list'),
        ('{"meetings": 5}', '"meetings": a list'),
        ('{"meetings": [5]}', "Each kept meeting"),
        ('{"meetings": [{"meeting": "five"}]}', "named by its number"),
        ('{"meetings": [{"meeting": 1, "exempt": "all"}]}', '"exempt" is a list'),
        ('{"meetings": [{"meeting": 1, "exempt": [1]}]}', '"exempt" is a list'),
        (json.dumps({"meetings": [{"meeting": n} for n in range(101)]}), "At most 100"),
        (json.dumps({"meetings": [{"meeting": 1, "exempt": ["/x"] * 501}]}), '"exempt" is a list'),
    ],
)
def test_it_refuses_a_check_it_cannot_read_with_a_message(client, demo, body, message):
    client.force_login(demo.member)
    response = client.post(CHECK, body, content_type="application/json")
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_it_refuses_a_check_sent_as_a_form(client, demo, published):
    meeting, _, _ = published
    client.force_login(demo.member)
    for data in ({"meetings": str(meeting.pk)}, {}):
        response = client.post(CHECK, data)  # multipart, as a form would send it
        assert response.status_code == 400
        assert response.json()["error"] == "The check is sent as JSON (Content-Type: application/json)."


def test_it_refuses_a_check_naming_a_meeting_that_is_not_a_number_by_get(client, demo):
    client.force_login(demo.member)
    response = client.get(CHECK, {"meeting": "x"})
    assert response.status_code == 400
    assert client.put(CHECK).status_code == 405


def test_it_checks_kept_meetings_in_a_fixed_number_of_queries(client, demo, published):
    meeting, _, _ = published
    client.force_login(demo.member)
    kept_exempt = exempt_urls(client.get(offline_json(meeting)).json())
    others = [
        Meeting.objects.create(
            board=demo.board,
            starts_at=timezone.now() + timezone.timedelta(days=60 + n),
            agenda_published_at=timezone.now(),
            status=Meeting.Status.AGENDA_PUBLISHED,
        )
        for n in range(29)
    ]

    def queries(meetings):
        with CaptureQueriesContext(connection) as captured:
            answer = check(client, *[(m, kept_exempt if m == meeting else ["/reader/x/"]) for m in meetings])
        assert answer.status_code == 200
        return len(captured)

    assert queries([meeting, *others[:2]]) == queries([meeting, *others])
