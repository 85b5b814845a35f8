"""The open data API against OParl 1.1, as an outside client would check it.

A crawler starts at the System object and follows every link to the API, on a database with every
kind of object in every state: a scheduled meeting, a published agenda with an exempt item, a
meeting cancelled after its agenda was published (its report deferred), minutes, attendance, an
inactive board. It checks every object it meets, embedded or not, against the rules of the
specification's schema (each type's required properties, the types and formats of the properties it
defines, a vendor prefix on any other), and its MUST rules: an `id` that answers with the same object,
no nulls or empty lists, `created` and `modified` on everything, lists with `next` on every page but
the last. Then the incremental harvest: a cancellation seen through `modified_since` and `deleted`.
"""

import datetime as dt
import re
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.cache import cache
from django.utils import timezone

from boards import services
from boards.models import Board, Meeting
from reports.models import Report
from tests.test_public import EXEMPT_SUBJECT, build_packs, publish_upcoming

pytestmark = pytest.mark.django_db
OPARL = "https://schema.oparl.org/1.1/"
ROOT = "http://testserver/api/v1/"
VENDOR = "committee:"
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# The schema of OParl 1.1 (the specification's schema folder), type by type: the required properties,
# then each property's kind: "url", "date-time", "date", str, bool, int, ["url"] (a list of URLs),
# [str], an object type's name ("File") or a list of them (["File"]).
COMMON = {"id": "url", "type": str, "created": "date-time", "modified": "date-time", "deleted": bool,
          "keyword": [str], "web": "url", "license": "url"}  # fmt: skip
SCHEMA = {
    "System": ({"oparlVersion", "body"}, {
        "oparlVersion": "url", "otherOparlVersions": ["url"], "body": "url", "name": str, "contactEmail": str,
        "contactName": str, "website": "url", "vendor": "url", "product": "url"}),
    "Body": ({"name", "organization", "person", "meeting", "paper", "legislativeTerm"}, {
        "system": "url", "shortName": str, "name": str, "website": "url", "licenseValidSince": "date-time",
        "oparlSince": "date-time", "ags": str, "rgs": str, "equivalent": ["url"], "contactEmail": str,
        "contactName": str, "organization": "url", "person": "url", "meeting": "url", "paper": "url",
        "legislativeTerm": ["LegislativeTerm"], "agendaItem": "url", "consultation": "url", "file": "url",
        "locationList": "url", "legislativeTermList": "url", "membership": "url", "classification": str,
        "location": "Location"}),
    "Organization": (set(), {
        "body": "url", "name": str, "membership": ["url"], "meeting": "url", "consultation": "url",
        "shortName": str, "post": [str], "subOrganizationOf": "url", "organizationType": str,
        "classification": str, "startDate": "date", "endDate": "date", "website": "url", "location": "Location",
        "externalBody": "url"}),
    "Person": (set(), {
        "body": "url", "name": str, "familyName": str, "givenName": str, "formOfAddress": str, "affix": str,
        "title": [str], "gender": str, "phone": [str], "email": [str], "location": "url",
        "locationObject": "Location", "status": [str], "membership": ["Membership"], "life": str,
        "lifeSource": str}),
    "Membership": (set(), {
        "person": "url", "organization": "url", "role": str, "votingRight": bool, "startDate": "date",
        "endDate": "date", "onBehalfOf": "url"}),
    "Meeting": (set(), {
        "name": str, "meetingState": str, "cancelled": bool, "start": "date-time", "end": "date-time",
        "location": "Location", "organization": ["url"], "participant": ["url"], "invitation": "File",
        "resultsProtocol": "File", "verbatimProtocol": "File", "auxiliaryFile": ["File"],
        "agendaItem": ["AgendaItem"]}),
    "AgendaItem": ({"order"}, {
        "meeting": "url", "number": str, "order": int, "name": str, "public": bool, "consultation": "url",
        "result": str, "resolutionText": str, "resolutionFile": "File", "auxiliaryFile": ["File"],
        "start": "date-time", "end": "date-time"}),
    "Paper": (set(), {
        "body": "url", "name": str, "reference": str, "date": "date", "paperType": str, "relatedPaper": ["url"],
        "superordinatedPaper": ["url"], "subordinatedPaper": ["url"], "mainFile": "File",
        "auxiliaryFile": ["File"], "location": ["Location"], "originatorPerson": ["url"],
        "underDirectionOf": ["url"], "originatorOrganization": ["url"], "consultation": ["Consultation"]}),
    "Consultation": (set(), {
        "paper": "url", "agendaItem": "url", "meeting": "url", "organization": ["url"], "authoritative": bool,
        "role": str}),
    "File": ({"accessUrl"}, {
        "name": str, "fileName": str, "mimeType": str, "date": "date", "size": int, "sha1Checksum": str,
        "text": str, "accessUrl": "url", "downloadUrl": "url", "externalServiceUrl": "url", "masterFile": "url",
        "derivativeFile": ["url"], "fileLicense": "url", "meeting": ["url"], "agendaItem": ["url"],
        "paper": ["url"]}),
    "Location": (set(), {
        "description": str, "geojson": dict, "streetAddress": str, "room": str, "postalCode": str,
        "subLocality": str, "locality": str, "bodies": ["url"], "organizations": ["url"], "persons": ["url"],
        "meetings": ["url"], "papers": ["url"]}),
    "LegislativeTerm": (set(), {"body": "url", "name": str, "startDate": "date", "endDate": "date"}),
}  # fmt: skip
REQUIRED_EVEN_EMPTY = {("Body", "legislativeTerm")}


def path(url):
    return url.removeprefix("http://testserver")


class Crawler:
    """Follows every link of the API from the System object, checking each object and list it meets."""

    def __init__(self, client):
        self.client = client
        self.seen = {}  # id -> the object as fetched at its URL
        self.embedded = []  # (object, where it was printed)
        self.queue = [ROOT]
        self.lists = set()
        self.problems = []
        self.web = set()
        self.files = []

    def fail(self, where, message):
        self.problems.append(f"{where}: {message}")

    def fetch(self, url):
        response = self.client.get(path(url))
        if response.status_code != 200 or response["Content-Type"] != "application/json":
            self.fail(url, f"answered {response.status_code} {response['Content-Type']}")
            return None
        return response.json()

    def run(self):
        while self.queue:
            url = self.queue.pop()
            if url in self.seen or url in self.lists:
                continue
            data = self.fetch(url)
            if data is None:
                continue
            if "data" in data and "pagination" in data:
                self.lists.add(url)
                self.check_list(url, data)
            else:
                self.seen[url] = data
                self.check_object(data, url, expected=None, top=True)
        for obj, where in self.embedded:
            fetched = self.seen.get(obj["id"])
            if fetched is None:
                data = self.fetch(obj["id"])
                fetched = self.seen[obj["id"]] = data
            if fetched != obj:
                self.fail(where, f"{obj['id']} printed inside differs from the object at its URL")
        return self

    def check_list(self, url, data):
        for name in ("data", "pagination", "links"):
            if name not in data:
                self.fail(url, f"a list without {name}")
        page = data["pagination"]
        if page.get("currentPage", 1) < page.get("totalPages", 1) and "next" not in data["links"]:
            self.fail(url, "a page before the last without links.next")
        for link in data["links"].values():
            self.follow(link, url)
        for obj in data["data"]:
            self.check_object(obj, url, expected=None, top=True)
            if obj["id"] not in self.seen:
                self.queue.append(obj["id"])

    def follow(self, url, where):
        if not isinstance(url, str) or not url.startswith("http"):
            self.fail(where, f"{url!r} is not a URL")
        elif where.endswith((".accessUrl", ".downloadUrl")):
            return  # a file: opened by its own test
        elif url.startswith(ROOT):
            self.queue.append(url)
        else:
            self.web.add(url)

    def check_object(self, obj, where, *, expected, top):
        where = f"{where} > {obj.get('id', '?')}"
        if not isinstance(obj, dict):
            return self.fail(where, "not an object")
        if "id" not in obj or "type" not in obj:
            return self.fail(where, "an object without id or type")
        type_url = obj["type"]
        if not type_url.startswith(OPARL) or type_url.removeprefix(OPARL) not in SCHEMA:
            return self.fail(where, f"unknown type {type_url}")
        name = type_url.removeprefix(OPARL)
        if expected and name != expected:
            self.fail(where, f"a {name} where the schema wants a {expected}")
        if not obj["id"].startswith(ROOT):
            self.fail(where, "an id outside the API")
        if not top:
            self.embedded.append((obj, where))
        remains = {"id", "type", "created", "modified", "deleted"}
        if obj.get("deleted") and set(obj) != remains:
            self.fail(where, f"a deleted object keeps {sorted(set(obj) - remains)}")
        required, properties = SCHEMA[name]
        for prop in ({"id", "type", "created", "modified"} | (set() if obj.get("deleted") else required)) - set(obj):
            self.fail(where, f"{name} without its {prop}")
        for prop, value in obj.items():
            kind = properties.get(prop, COMMON.get(prop))
            if kind is None:
                if not prop.startswith(VENDOR):
                    self.fail(where, f"{prop} is not in OParl's {name} and has no vendor prefix")
                continue
            if value is None or (value == [] and (name, prop) not in REQUIRED_EVEN_EMPTY):
                self.fail(where, f"{prop} is {value!r}: leave it out")
                continue
            self.check_value(value, kind, f"{where}.{prop}")
        if name == "File" and not obj.get("deleted"):
            self.files.append(obj)

    def check_value(self, value, kind, where):
        if isinstance(kind, list):
            if not isinstance(value, list):
                return self.fail(where, f"{value!r} is not a list")
            for one in value:
                self.check_value(one, kind[0], where)
        elif kind == "url":
            if where.endswith((".id", ".type")):
                return
            self.follow(value, where)
        elif kind == "date-time":
            if not (isinstance(value, str) and DATE_TIME.match(value)):
                self.fail(where, f"{value!r} is not a date-time as OParl writes them")
        elif kind == "date":
            if not (isinstance(value, str) and DATE.match(value)):
                self.fail(where, f"{value!r} is not a date")
        elif isinstance(kind, str):  # an object type
            self.check_object(value, where, expected=kind, top=False)
        elif kind is int:
            if not isinstance(value, int) or isinstance(value, bool):
                self.fail(where, f"{value!r} is not an integer")
        elif not isinstance(value, kind):
            self.fail(where, f"{value!r} is not a {kind.__name__}")


@pytest.fixture
def every_state(demo, django_capture_on_commit_callbacks):
    """The demo, plus: a meeting cancelled after its agenda (a public and an exempt report) was
    published, those reports deferred and published again at a later meeting, a meeting only
    scheduled, and an inactive board with a past meeting."""
    capture = django_capture_on_commit_callbacks
    cancelled, public, exempt = publish_upcoming(demo, capture)
    build_packs(cancelled)
    services.meeting_cancel(meeting=cancelled, user=demo.clerk)
    later = timezone.localtime(cancelled.starts_at) + dt.timedelta(days=28)
    again = services.meeting_schedule(board=demo.board, starts_at=later, venue="Bootle Town Hall", user=demo.clerk)
    for report in (public, exempt):
        report.refresh_from_db()
        services.agenda_add_report(meeting=again, report=report, user=demo.clerk)
    with capture(execute=True):
        services.agenda_publish(meeting=again, user=demo.clerk)
    build_packs(again)
    services.meeting_schedule(board=demo.board, starts_at=later + dt.timedelta(days=56), venue="", user=demo.clerk)
    retired = Board.objects.create(name="Shadow Health & Care Board (closed)", slug="shadow-board", is_active=False)
    Meeting.objects.create(board=retired, starts_at=timezone.now() - dt.timedelta(days=400), venue="Southport")
    return {"cancelled": cancelled, "again": again, "public": public, "exempt": exempt, "retired": retired}


def test_a_crawl_from_the_system_object_finds_every_object_valid(client, every_state):
    crawler = Crawler(client).run()
    assert crawler.problems == []
    types = {obj["type"].removeprefix(OPARL) for obj in crawler.seen.values() if obj}
    assert types >= {"System", "Body", "Organization", "Meeting", "AgendaItem", "Paper", "File", "Location",
                     "Consultation", "Person", "Membership"}  # fmt: skip
    # The inactive board answers, as its meeting names it.
    retired = crawler.seen.get(f"{ROOT}organizations/{every_state['retired'].pk}/")
    assert retired and retired["name"] == "Shadow Health & Care Board (closed)"
    # Every page of the site the API links to opens: each meeting's, scheduled and cancelled included.
    for url in sorted(crawler.web):
        if urlsplit(url).netloc == "testserver" and not url.endswith(".pdf") and "download=1" not in url:
            assert client.get(path(url)).status_code == 200, url
    # Nothing exempt anywhere: not the exempt report's summary, nor its paper.
    text = repr(list(crawler.seen.values()))
    assert every_state["exempt"].summary not in text
    assert f"{ROOT}papers/{every_state['exempt'].pk}/" not in crawler.seen


def test_files_open_at_their_access_url_and_save_at_their_download_url(client, every_state):
    crawler = Crawler(client).run()
    by_kind = {}
    for file in crawler.files:
        by_kind.setdefault(file["id"].rstrip("/").rsplit("/", 1)[-1].split("-")[0], file)
    assert set(by_kind) >= {"paper", "agenda", "pack", "minutes"}
    for kind, file in by_kind.items():
        opened = client.get(path(file["accessUrl"]))
        assert opened.status_code == 200, (kind, file["accessUrl"])
        assert not opened.get("Content-Disposition", "").startswith("attachment"), kind
        saved = client.get(path(file["downloadUrl"]))
        assert saved.status_code == 200
        assert saved["Content-Disposition"].startswith("attachment") and "filename=" in saved["Content-Disposition"]
        assert client.head(path(file["accessUrl"])).status_code == 200


def _harvest(client, since):
    """Every object listed as created or modified since `since`, by kind, following every page."""
    found = {}
    for kind in ("organizations", "meetings", "agenda-items", "papers", "persons", "memberships"):
        url = f"/api/v1/{kind}/?{urlencode({'modified_since': since.isoformat()})}"
        while url:
            page = client.get(url).json()
            for obj in page["data"]:
                found[obj["id"]] = obj
            url = path(page["links"]["next"]) if "next" in page["links"] else None
    return found


def test_a_cancellation_reaches_an_incremental_harvest_as_deleted_objects(
    client, demo, django_capture_on_commit_callbacks
):
    meeting, public, exempt = publish_upcoming(demo, django_capture_on_commit_callbacks)
    before = client.get(f"/api/v1/meetings/{meeting.pk}/").json()
    items = [item["id"] for item in before["agendaItem"]]
    paper_url = f"{ROOT}papers/{public.pk}/"
    assert client.get(path(paper_url)).status_code == 200
    assert paper_url in _harvest(client, timezone.now() - dt.timedelta(minutes=1))
    harvested_at = timezone.now().replace(microsecond=0) + dt.timedelta(seconds=1)
    assert _harvest(client, harvested_at) == {}

    with pytest.MonkeyPatch.context() as patch:  # the cancellation comes after the harvest
        patch.setattr(timezone, "now", lambda: harvested_at + dt.timedelta(seconds=5))
        services.meeting_cancel(meeting=meeting, user=demo.clerk)
        changed = _harvest(client, harvested_at)

    after = changed[f"{ROOT}meetings/{meeting.pk}/"]
    assert after["cancelled"] is True
    assert dt.datetime.fromisoformat(after["modified"]) > dt.datetime.fromisoformat(before["modified"])
    assert after["created"] == before["created"]
    gone = [changed[paper_url]] + [changed[item] for item in items]
    for obj in gone:
        assert obj["deleted"] is True and set(obj) == {"id", "type", "created", "modified", "deleted"}
        assert dt.datetime.fromisoformat(obj["modified"]) > harvested_at
    # Each stays at its URL, answering 200 with what is left of it.
    for obj in gone:
        response = client.get(path(obj["id"]))
        assert response.status_code == 200 and response.json() == obj
    assert exempt.summary not in repr(changed)


def test_modified_moves_when_anything_printed_inside_changes(client, demo, django_capture_on_commit_callbacks):
    meeting, public, _ = publish_upcoming(demo, django_capture_on_commit_callbacks)
    url = f"/api/v1/meetings/{meeting.pk}/"
    first = client.get(url).json()
    assert client.get(url).json() == first  # asked again, nothing changed: the same times
    with pytest.MonkeyPatch.context() as patch:
        later = timezone.now() + dt.timedelta(minutes=5)
        patch.setattr(timezone, "now", lambda: later)
        # A correction of its subject (which names its item's File): a new version, as a correction makes.
        Report.objects.filter(pk=public.pk).update(subject="A corrected subject", version=public.version + 1)
        second = client.get(url).json()
    assert second["modified"] > first["modified"]
    file_first = next(i for i in first["agendaItem"] if i.get("consultation"))["auxiliaryFile"][0]
    file_second = next(i for i in second["agendaItem"] if i.get("consultation"))["auxiliaryFile"][0]
    assert file_second["name"] == "A corrected subject" and file_second["modified"] > file_first["modified"]
    location_first, location_second = first["location"], second["location"]
    assert location_second["modified"] == location_first["modified"]  # the venue did not change


@pytest.mark.parametrize("value", ["yesterday", "2026-01-01", "2026-13-01T00:00:00+00:00", "", "now()"])
def test_a_bad_date_filter_is_a_json_400(client, demo, value):
    for name in ("created_since", "created_until", "modified_since", "modified_until"):
        response = client.get(f"/api/v1/meetings/?{name}={value}")
        assert response.status_code == 400 and response["Content-Type"] == "application/json"
        assert name in response.json()["error"]


def test_the_date_filters_select_by_created_and_modified(client, demo):
    everything = client.get("/api/v1/meetings/").json()["pagination"]["totalElements"]
    assert client.get("/api/v1/meetings/?modified_since=2999-01-01T00:00:00%2B00:00").json()["data"] == []
    assert client.get("/api/v1/meetings/?created_until=2000-01-01T00:00:00Z").json()["data"] == []
    since = client.get("/api/v1/meetings/?created_since=2000-01-01T00:00:00+00:00").json()  # "+" unencoded
    assert since["pagination"]["totalElements"] == everything
    assert since["links"]["first"].endswith("created_since=2000-01-01T00%3A00%3A00%2B00%3A00")
    assert client.get("/api/v1/bodies/?modified_since=2999-01-01T00:00:00Z").json()["data"] == []


def test_the_system_and_body_name_the_licence_and_the_product(client, demo, settings):
    system = client.get("/api/v1/").json()
    body = client.get("/api/v1/bodies/1/").json()
    licence = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
    assert system["license"] == body["license"] == licence
    assert system["product"].startswith("http")
    page = client.get("/open-data/").content.decode()
    assert "Open Government Licence v3.0" in page and licence in page
    settings.OPEN_DATA_LICENCE = "https://creativecommons.org/licenses/by/4.0/"
    cache.clear()  # a setting changes with a restart, which empties the page cache
    assert client.get("/api/v1/").json()["license"] == settings.OPEN_DATA_LICENCE


def test_an_address_that_never_held_an_object_is_still_a_404(client, demo):
    for url in ["/api/v1/files/paper-999999/", "/api/v1/files/nonsense/", "/api/v1/files/pack-x/",
                "/api/v1/locations/meeting-999999/", "/api/v1/consultations/999999/"]:  # fmt: skip
        response = client.get(url)
        assert response.status_code == 404 and response.json()["status"] == 404, url
    exempt = Report.objects.get(subject=EXEMPT_SUBJECT)
    assert client.get(f"/api/v1/files/paper-{exempt.pk}/").status_code == 404
