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
from django.conf import settings as django_settings
from django.core.cache import cache
from django.utils import timezone

from boards import services
from boards.models import AgendaItem, Board, Meeting
from decisions import services as decisions
from decisions.models import Notice
from officer_decisions.models import OfficerDecision
from reports.models import Report
from tests.test_notices import cabinet, publish  # noqa: F401 (a fixture)
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
# Our own types (documented at /open-data/#<name>): every property must be one of these, no prefix.
OWN = {
    "OfficerDecision": ({"body", "name", "date", "decisionMaker", "post", "published", "public", "web"}, {
        "body": "url", "name": str, "date": "date", "decisionMaker": str, "post": str, "published": "date-time",
        "public": bool, "exemptParagraph": int, "exemptReason": str, "decision": str, "delegatedPower": str,
        "reasons": str, "alternativesRejected": str, "conflictOfInterest": str, "dispensation": str,
        "ward": [str], "backgroundPaper": [str]}),
    "DecisionNotice": ({"body", "name", "reference", "organization", "meeting", "date", "published", "version",
                        "state", "urgent", "public", "web"}, {
        "body": "url", "name": str, "reference": str, "organization": "url", "meeting": "url", "agendaItem": "url",
        "date": "date", "published": "date-time", "version": int, "state": str, "urgent": bool,
        "callInCloses": "date-time", "effectiveFrom": "date", "public": bool, "calledIn": "date-time",
        "scrutinyMeeting": "url", "outcome": str, "outcomeRecorded": "date-time", "exemptReason": str,
        "decision": str, "reasons": str, "alternativesRejected": str, "conflicts": str, "urgencyReason": str,
        "outcomeNote": str, "paper": "url", "correction": [dict]}),
}  # fmt: skip


def own_type(type_url):
    """The name of one of our own types from its `type` (its description on /open-data/), or None."""
    base = f"{django_settings.SITE_URL}/open-data/#"
    name = type_url.removeprefix(base)
    return name if type_url.startswith(base) and name in OWN else None


def path(url):
    return url.removeprefix("http://testserver")


class Crawler:
    """Follows every link of the API from the System object, checking each object and list it meets."""

    def __init__(self, client):
        self.client = client
        self.seen = {}  # id -> the object as fetched at its URL
        self.embedded = []  # (object, where it was printed)
        self.listed = []  # (object, the list that printed it)
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
        for obj, where in self.embedded + self.listed:
            fetched = self.seen.get(obj["id"])
            if fetched is None:
                data = self.fetch(obj["id"])
                fetched = self.seen[obj["id"]] = data
            if fetched != obj:
                self.fail(where, f"{obj['id']} as printed there differs from the object at its URL")
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
            self.listed.append((obj, url))
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
        name = own_type(type_url)
        if name is None and (not type_url.startswith(OPARL) or type_url.removeprefix(OPARL) not in SCHEMA):
            return self.fail(where, f"unknown type {type_url}")
        name = name or type_url.removeprefix(OPARL)
        if expected and name != expected:
            self.fail(where, f"a {name} where the schema wants a {expected}")
        if not obj["id"].startswith(ROOT):
            self.fail(where, "an id outside the API")
        if not top:
            self.embedded.append((obj, where))
        remains = {"id", "type", "created", "modified", "deleted"}
        if obj.get("deleted") and set(obj) != remains:
            self.fail(where, f"a deleted object keeps {sorted(set(obj) - remains)}")
        required, properties = SCHEMA[name] if name in SCHEMA else OWN[name]
        for prop in ({"id", "type", "created", "modified"} | (set() if obj.get("deleted") else required)) - set(obj):
            self.fail(where, f"{name} without its {prop}")
        for prop, value in obj.items():
            kind = properties.get(prop, COMMON.get(prop))
            if kind is None:
                if name in OWN:
                    self.fail(where, f"{prop} is not a property of our {name}")
                elif not prop.startswith(VENDOR):
                    self.fail(where, f"{prop} is not in OParl's {name} and has no vendor prefix")
                elif isinstance(value, str) and value.startswith("http"):
                    self.follow(value, f"{where}.{prop}")  # a link of our own: to the API or the site
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


EXEMPT_NOTICE = "Zephyr-bid-valuation-9921"  # only ever in an exempt decision's notice


def decision_notices(demo, cabinet, capture):  # noqa: F811 (the fixture's value)
    """The Cabinet's decisions: a notice corrected and called in (on the scrutiny committee's coming
    agenda), and the notice of a decision taken in private."""
    notice = publish(demo, cabinet["item"])
    decisions.notice_correct(
        notice=notice, user=demo.clerk, decision=notice.decision, reasons="The centres need urgent repair.",
        alternatives=notice.alternatives, conflicts="", correction="The reasons were incomplete.",
    )  # fmt: skip
    users = cabinet["users"]
    with capture(execute=True):
        decisions.call_in_request(notice=notice, user=users["cllr.kenyon"], reasons="Not costed.")
        decisions.call_in_sign(notice=notice, user=users["cllr.garside"])
    private = AgendaItem.objects.create(
        meeting=cabinet["meeting"], position=2, title="Disposal of the Crosby depot", own_is_exempt=True,
        own_exempt_paragraph=3, decision=f"RESOLVED: sold at {EXEMPT_NOTICE}.",
    )  # fmt: skip
    exempt = publish(demo, private, decision=private.decision, reasons=EXEMPT_NOTICE, alternatives=EXEMPT_NOTICE)
    return Notice.objects.get(pk=notice.pk), exempt


@pytest.fixture
def every_state(demo, cabinet, django_capture_on_commit_callbacks):  # noqa: F811 (the fixture)
    """The demo, plus: a meeting cancelled after its agenda (a public and an exempt report) was
    published, those reports deferred and published again at a later meeting, a meeting only
    scheduled, an inactive board with a past meeting, and the Cabinet's decision notices (one
    corrected and called in, one exempt); the demo's officer decisions include an exempt one."""
    capture = django_capture_on_commit_callbacks
    notice, exempt_notice = decision_notices(demo, cabinet, capture)
    build_packs(cabinet["meeting"])  # its agenda is published: its PDFs open
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
    return {
        "cancelled": cancelled, "again": again, "public": public, "exempt": exempt, "retired": retired,
        "notice": notice, "exempt_notice": exempt_notice,
    }  # fmt: skip


def test_a_crawl_from_the_system_object_finds_every_object_valid(client, every_state):
    crawler = Crawler(client).run()
    assert crawler.problems == []
    types = {obj["type"].removeprefix(OPARL) for obj in crawler.seen.values() if obj}
    assert types >= {"System", "Body", "Organization", "Meeting", "AgendaItem", "Paper", "File", "Location",
                     "Consultation", "Person", "Membership"}  # fmt: skip
    own = {own_type(obj["type"]) for obj in crawler.seen.values() if obj}
    assert own >= {"OfficerDecision", "DecisionNotice"}
    # Every published officer decision and every notice is found from the Body's links.
    for decision in OfficerDecision.objects.published():
        assert f"{ROOT}officer-decisions/{decision.pk}/" in crawler.seen
    for notice in (every_state["notice"], every_state["exempt_notice"]):
        assert f"{ROOT}decision-notices/{notice.pk}/" in crawler.seen
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
    # Nor an exempt decision's: the notice's text, the officer decision's record.
    assert EXEMPT_NOTICE not in text
    for decision in OfficerDecision.objects.published().filter(exempt_paragraph__isnull=False):
        for private in (decision.decision, decision.reasons, decision.delegated_power, *decision.background_papers):
            assert private not in text


def test_an_exempt_officer_decision_prints_only_what_its_page_shows(client, demo):
    exempt = OfficerDecision.objects.published().get(exempt_paragraph__isnull=False)
    data = client.get(f"/api/v1/officer-decisions/{exempt.pk}/").json()
    assert set(data) == {"id", "type", "created", "modified", "body", "name", "date", "decisionMaker", "post",
                         "published", "public", "exemptParagraph", "exemptReason", "web"}  # fmt: skip
    assert data["public"] is False and data["exemptParagraph"] == 3
    assert data["exemptReason"].startswith("Not for publication: paragraph 3 of Part 1 of Schedule 12A")
    page = client.get(f"/officer-decisions/{exempt.pk}/").content.decode()
    for shown in (data["name"], data["decisionMaker"], data["post"]):
        assert shown.replace("&", "&amp;") in page.replace("&#x27;", "'")
    public = OfficerDecision.objects.published().filter(exempt_paragraph__isnull=True).first()
    open_data = client.get(f"/api/v1/officer-decisions/{public.pk}/").json()
    assert open_data["decision"] == public.decision and open_data["public"] is True
    assert open_data.get("ward", []) == sorted(w.name for w in public.wards.all())


def test_a_called_in_notice_names_its_scrutiny_meeting_and_its_correction(
    client,
    demo,
    cabinet,  # noqa: F811 (the fixture)
    django_capture_on_commit_callbacks,
):
    notice, exempt = decision_notices(demo, cabinet, django_capture_on_commit_callbacks)
    data = client.get(f"/api/v1/decision-notices/{notice.pk}/").json()
    assert data["state"] == "Called in: implementation suspended" and "effectiveFrom" not in data
    assert data["scrutinyMeeting"] == f"{ROOT}meetings/{cabinet['coming'].pk}/"
    assert data["version"] == 2 and data["correction"][0]["note"] == "The reasons were incomplete."
    assert data["reasons"] == "The centres need urgent repair."
    private = client.get(f"/api/v1/decision-notices/{exempt.pk}/").json()
    assert private["public"] is False and private["exemptReason"].startswith("Not for publication by virtue of")
    assert not {"decision", "reasons", "alternativesRejected", "conflicts", "correction"} & set(private)
    listed = client.get("/api/v1/decision-notices/").json()
    assert [n["id"] for n in listed["data"]] == [private["id"], data["id"]]  # newest first
    body = client.get("/api/v1/bodies/1/").json()
    assert body["committee:decisionNotices"] == f"{ROOT}decision-notices/"
    assert body["committee:officerDecisions"] == f"{ROOT}officer-decisions/"


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
    for kind in ("organizations", "meetings", "agenda-items", "papers", "persons", "memberships",
                 "officer-decisions", "decision-notices"):  # fmt: skip
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
        assert name in response.json()["message"] and response.json()["type"] == OPARL + "Error"


def test_the_date_filters_select_by_created_and_modified(client, demo):
    everything = client.get("/api/v1/meetings/").json()["pagination"]["totalElements"]
    assert client.get("/api/v1/meetings/?modified_since=2999-01-01T00:00:00%2B00:00").json()["data"] == []
    assert client.get("/api/v1/meetings/?created_until=2000-01-01T00:00:00Z").json()["data"] == []
    since = client.get("/api/v1/meetings/?created_since=2000-01-01T00:00:00+00:00").json()  # "+" unencoded
    assert since["pagination"]["totalElements"] == everything
    assert since["links"]["first"].endswith("created_since=2000-01-01T00%3A00%3A00%2B00%3A00")
    assert client.get("/api/v1/bodies/?modified_since=2999-01-01T00:00:00Z").json()["data"] == []


def test_one_boards_meetings_changed_since_a_date_are_that_boards_only(client, demo):
    other = Board.objects.create(name="Planning Committee", slug="planning-committee")
    Meeting.objects.create(board=other, starts_at=timezone.now() + dt.timedelta(days=9), venue="Bootle Town Hall")
    since = "modified_since=2000-01-01T00%3A00%3A00Z"
    everything = client.get(f"/api/v1/meetings/?{since}").json()["pagination"]["totalElements"]
    for board in (demo.board, other):
        listed = client.get(f"/api/v1/meetings/?organization={board.pk}&{since}").json()
        assert listed["pagination"]["totalElements"] == len(listed["data"]) == board.meetings.count() < everything
        assert {m["organization"][0] for m in listed["data"]} == {f"{ROOT}organizations/{board.pk}/"}
        assert f"organization={board.pk}" in listed["links"]["self"] and since in listed["links"]["self"]


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
        assert response.status_code == 404 and response.json()["type"] == OPARL + "Error", url
    exempt = Report.objects.get(subject=EXEMPT_SUBJECT)
    assert client.get(f"/api/v1/files/paper-{exempt.pk}/").status_code == 404


def test_an_officer_decision_corrected_moves_its_modified_and_one_taken_off_the_register_is_deleted(client, demo):
    first, second = OfficerDecision.objects.published().filter(exempt_paragraph__isnull=True)[:2]
    before = client.get(f"/api/v1/officer-decisions/{first.pk}/").json()
    harvested_at = timezone.now().replace(microsecond=0) + dt.timedelta(seconds=1)
    assert _harvest(client, harvested_at) == {}
    with pytest.MonkeyPatch.context() as patch:  # both come after the harvest
        patch.setattr(timezone, "now", lambda: harvested_at + dt.timedelta(seconds=5))
        first.reasons = "Corrected: the reasons as the officer gave them."
        first.save()
        OfficerDecision.objects.filter(pk=second.pk).update(status=OfficerDecision.Status.RETURNED)
        changed = _harvest(client, harvested_at)
    corrected = changed[f"{ROOT}officer-decisions/{first.pk}/"]
    assert corrected["reasons"] == "Corrected: the reasons as the officer gave them."
    assert corrected["created"] == before["created"] and corrected["modified"] > before["modified"]
    gone = changed[f"{ROOT}officer-decisions/{second.pk}/"]
    assert gone["deleted"] is True and set(gone) == {"id", "type", "created", "modified", "deleted"}
    assert gone["type"].endswith("/open-data/#OfficerDecision")
    assert client.get(f"/api/v1/officer-decisions/{second.pk}/").json() == gone
    assert len(changed) == 2  # nothing else changed


def test_a_notice_corrected_reaches_an_incremental_harvest(client, demo, cabinet):  # noqa: F811
    notice = publish(demo, cabinet["item"])
    before = client.get(f"/api/v1/decision-notices/{notice.pk}/").json()
    harvested_at = timezone.now().replace(microsecond=0) + dt.timedelta(seconds=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: harvested_at + dt.timedelta(seconds=5))
        decisions.notice_correct(
            notice=notice, user=demo.clerk, decision=notice.decision, reasons="Corrected reasons.",
            alternatives=notice.alternatives, conflicts="", correction="A typing error.",
        )  # fmt: skip
        changed = _harvest(client, harvested_at)
    after = changed[f"{ROOT}decision-notices/{notice.pk}/"]
    assert after["version"] == 2 and after["modified"] > before["modified"]
