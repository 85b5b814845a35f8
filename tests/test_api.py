"""The open data API (after OParl 1.1): boards, meetings, agenda items, public reports, councillors and the meeting record."""

import pytest
from django.core.cache import cache
from django.test import Client

from boards.models import AgendaItem, Board, Membership
from minutes import demo as minutes_demo
from minutes.models import Minutes
from tests.test_public import EXEMPT_SUBJECT, PUBLIC_SUBJECT, publish_upcoming
from votes.models import Method, Motion, Outcome

pytestmark = pytest.mark.django_db
OPARL = "https://schema.oparl.org/1.1/"


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.content[:300])
    assert response["Content-Type"] == "application/json"
    return response.json()


def path(url):
    return url.removeprefix("http://testserver")


def test_it_leads_from_the_system_to_the_seed_report_and_its_pdf(client, demo):
    system = get(client, "/api/v1/")
    assert system["type"] == OPARL + "System" and system["id"] == "http://testserver/api/v1/"
    body = get(client, path(system["body"]))["data"][0]
    assert body["type"] == OPARL + "Body" and body["name"] == "Sefton Council"
    assert get(client, path(body["id"])) == body

    boards = get(client, path(body["organization"]))["data"]
    assert [b["name"] for b in boards] == ["Health and Wellbeing Board"]
    meetings = get(client, path(boards[0]["meeting"]))["data"]
    past = next(m for m in meetings if m["start"].startswith("2022-09-14"))
    assert past["type"] == OPARL + "Meeting" and past["start"] == "2022-09-14T14:00:00+01:00"
    assert past["committee:agendaPublished"] == "2022-09-06T16:00:00+01:00"
    assert path(past["invitation"]["accessUrl"]) == f"/meetings/{demo.meeting.pk}/agenda.pdf"
    assert path(past["auxiliaryFile"][0]["accessUrl"]) == f"/meetings/{demo.meeting.pk}/pack.pdf"
    item = past["agendaItem"][3]
    assert (item["number"], item["name"], item["public"]) == ("4", "Cities Inequalities Project", True)
    assert get(client, path(item["id"])) == item

    consultation = get(client, path(item["consultation"]))
    assert consultation["type"] == OPARL + "Consultation" and consultation["agendaItem"] == item["id"]
    paper = get(client, path(consultation["paper"]))
    assert paper["type"] == OPARL + "Paper" and paper["name"] == "Cities Inequalities Project"
    assert paper["date"] == "2022-09-14"
    assert path(paper["web"]) == f"/papers/{demo.seed.pk}/"
    pdf = client.get(path(paper["mainFile"]["downloadUrl"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert path(paper["consultation"][0]["meeting"]) == f"/api/v1/meetings/{demo.meeting.pk}/"
    assert get(client, "/api/v1/papers/")["data"] == [paper]


def test_it_gives_no_agenda_before_publication_and_exempt_items_by_title_only(
    client, demo, django_capture_on_commit_callbacks
):
    upcoming = demo.board.meetings.exclude(pk=demo.meeting.pk).get()
    before = get(client, f"/api/v1/meetings/{upcoming.pk}/")
    assert {"agendaItem", "committee:agendaPublished", "invitation"}.isdisjoint(before)  # nothing, not empty

    meeting, public, exempt = publish_upcoming(demo, django_capture_on_commit_callbacks)
    after = get(client, f"/api/v1/meetings/{meeting.pk}/")
    items = {i["name"]: i for i in after["agendaItem"]}
    assert items[PUBLIC_SUBJECT]["public"] is True
    consultation = get(client, path(items[PUBLIC_SUBJECT]["consultation"]))
    assert path(consultation["paper"]) == f"/api/v1/papers/{public.pk}/"
    secret = items[EXEMPT_SUBJECT]
    assert secret["public"] is False and secret["committee:exemptParagraph"] == 3
    assert set(secret) == {"id", "type", "created", "modified", "meeting", "number", "order", "name", "public"} | {
        "committee:exemptParagraph",
        "committee:exemptReason",
    }
    get(client, f"/api/v1/papers/{exempt.pk}/", status=404)
    names = [p["name"] for p in get(client, "/api/v1/papers/")["data"]]
    assert PUBLIC_SUBJECT in names and EXEMPT_SUBJECT not in names
    text = client.get("/api/v1/agenda-items/").content.decode()
    assert exempt.summary not in text


def test_it_pages_lists_as_oparl_does(client, demo):
    Board.objects.bulk_create(Board(name=f"Committee {n:02d}", slug=f"committee-{n:02d}") for n in range(55))
    first = get(client, "/api/v1/organizations/")
    assert len(first["data"]) == 50
    assert first["pagination"] == {"totalElements": 56, "elementsPerPage": 50, "currentPage": 1, "totalPages": 2}
    assert "prev" not in first["links"]
    second = get(client, path(first["links"]["next"]))
    assert len(second["data"]) == 6 and "next" not in second["links"]
    assert path(second["links"]["prev"]) == "/api/v1/organizations/?page=1"
    past_the_end = get(client, "/api/v1/organizations/?page=3", status=404)
    assert past_the_end == {
        "type": OPARL + "Error", "message": "There is no page 3; the last page is 2.", "debug": "HTTP 404 Not Found"
    }  # fmt: skip
    for bad in ["abc", "0", "-1", "1.5", "²", "%00", "9" * 30]:
        error = get(client, f"/api/v1/organizations/?page={bad}", status=400)
        assert error["type"] == OPARL + "Error" and error["debug"] == "HTTP 400 Bad Request"


def test_it_answers_unknown_objects_and_other_methods_with_json(client, demo):
    for url in ["/api/v1/meetings/999999/", "/api/v1/papers/999999/", "/api/v1/organizations/999999/",
                "/api/v1/agenda-items/999999/", "/api/v1/bodies/2/", "/api/v1/papers/99999999999999999999999/"]:  # fmt: skip
        assert get(client, url, status=404)["message"] == "There is no such object."
    assert get(client, f"/api/v1/papers/{demo.draft.pk}/", status=404)
    assert client.post("/api/v1/meetings/").status_code == 405
    assert client.get("/api/v1/meetings/")["Access-Control-Allow-Origin"] == "*"


def test_it_answers_any_address_and_method_with_oparls_error_object(demo):
    """As a client outside the site asks: a POST carries no CSRF token (and no cookie), an address
    may be mistyped. Each answer is OParl's error object with its status, never the site's HTML page."""
    client = Client(enforce_csrf_checks=True)
    for method in ("post", "put", "patch", "delete"):
        for url in ["/api/v1/", "/api/v1/meetings/", f"/api/v1/meetings/{demo.meeting.pk}/", "/api/v1/nothing/"]:
            response = getattr(client, method)(url)
            assert response.status_code == 405, (method, url)
            assert response["Content-Type"] == "application/json" and response["Allow"] == "GET, HEAD"
            assert response.json()["type"] == OPARL + "Error", (method, url)
            assert response["Access-Control-Allow-Origin"] == "*"
    for url in ["/api/v1/nothing/", "/api/v1/meetings/abc/", "/api/v1/meetings/1/agenda/", "/api/v1/files/"]:
        error = get(client, url, status=404)
        assert error == {"type": OPARL + "Error", "message": "There is no such object.", "debug": "HTTP 404 Not Found"}
        assert client.head(url).status_code == 404
    # An address without its closing slash is still sent to it first.
    assert client.get("/api/v1/meetings")["Location"] == "/api/v1/meetings/"
    assert client.get("/api/v1/nothing")["Location"] == "/api/v1/nothing/"


def test_it_filters_meetings_by_board(client, demo):
    other = Board.objects.create(name="Planning Committee", slug="planning-committee")
    assert get(client, f"/api/v1/meetings/?organization={other.pk}")["data"] == []
    data = get(client, f"/api/v1/meetings/?organization={demo.board.pk}")
    assert len(data["data"]) == 2 and data["links"]["first"].endswith(f"?page=1&organization={demo.board.pk}")
    get(client, "/api/v1/meetings/?organization=abc", status=400)


def test_it_is_documented_on_the_site(client, demo):
    html = client.get("/open-data/").content.decode()
    for words in ["OParl", "/api/v1/meetings/", "pagination", "/feeds/meetings.ics", "agendas.rss"] + [
        "/api/v1/persons/", "/api/v1/memberships/", "committee:party", "participant", "resultsProtocol", "votingRight",
    ]:  # fmt: skip
        assert words in html


def _councillor(demo, username):
    return demo.users[username]


def test_it_lists_councillors_as_persons_with_their_memberships(client, demo):
    body = get(client, "/api/v1/bodies/1/")
    persons = get(client, path(body["person"]))
    assert persons["pagination"]["totalElements"] == 6
    moncur = _councillor(demo, "member")
    person = next(p for p in persons["data"] if p["familyName"] == "Moncur")
    assert person == get(client, f"/api/v1/persons/{moncur.pk}/")
    assert person["type"] == OPARL + "Person" and path(person["id"]) == f"/api/v1/persons/{moncur.pk}/"
    assert (person["name"], person["givenName"], person["formOfAddress"]) == (
        "Councillor Ian Moncur",
        "Ian",
        "Councillor",
    )
    assert person["committee:party"] == "Labour"
    assert path(person["web"]) == f"/councillors/{moncur.pk}/"
    assert client.get(path(person["web"])).status_code == 200
    assert person["email"] == [moncur.councillor.email] and moncur.councillor.email

    [seat] = person["membership"]  # printed inside the Person, as OParl asks
    seat_url = seat["id"]
    assert seat == get(client, path(seat_url))
    assert seat["type"] == OPARL + "Membership" and seat["person"] == person["id"]
    assert path(seat["organization"]) == f"/api/v1/organizations/{demo.board.pk}/"
    assert (seat["role"], seat["votingRight"], seat["startDate"]) == ("Member", True, "2022-05-01")
    board = get(client, path(seat["organization"]))
    assert seat_url in board["membership"] and len(board["membership"]) == 6
    roles = {get(client, path(u))["role"]: get(client, path(u)) for u in board["membership"]}
    assert set(roles) == {"Chair", "Vice-Chair", "Member", "Substitute"}
    assert roles["Substitute"]["votingRight"] is False
    assert get(client, "/api/v1/memberships/")["pagination"]["totalElements"] == 6


def test_it_publishes_contact_details_only_when_the_council_does(client, demo):
    ellison = _councillor(demo, "cllr.ellison")
    ellison.councillor.email, ellison.councillor.phone = "ruth.ellison@example.org", "0151 934 2000"
    ellison.councillor.save()
    person = get(client, f"/api/v1/persons/{ellison.pk}/")
    assert person["email"] == ["ruth.ellison@example.org"] and person["phone"] == ["0151 934 2000"]
    ellison.councillor.email, ellison.councillor.phone = "", ""
    ellison.councillor.save()
    cache.clear()
    person = get(client, f"/api/v1/persons/{ellison.pk}/")
    assert "email" not in person and "phone" not in person  # nothing the council does not publish


def test_only_councillors_are_persons(client, demo):
    for user in [demo.officer, demo.clerk]:
        assert get(client, f"/api/v1/persons/{user.pk}/", status=404)["message"] == "There is no such object."
    officer_seat = Membership.objects.create(board=demo.board, user=demo.officer)
    get(client, f"/api/v1/memberships/{officer_seat.pk}/", status=404)
    assert officer_seat.pk not in [
        int(u.rstrip("/").rsplit("/", 1)[1])
        for u in get(client, f"/api/v1/organizations/{demo.board.pk}/")["membership"]
    ]
    for url in ["/api/v1/persons/999999/", "/api/v1/memberships/999999/", "/api/v1/persons/?page=x"]:
        assert client.get(url).status_code in (400, 404)


def test_the_meeting_names_who_attended_its_results_and_its_minutes(client, demo):
    minutes_demo.load(demo.users, demo.meeting)  # load_demo leaves them out (they lock the record)
    meeting = get(client, f"/api/v1/meetings/{demo.meeting.pk}/")
    present = ["member", "cllr.ellison", "cllr.rahman", "cllr.kenyon", "cllr.whitfield"]  # Whitfield substituted
    assert sorted(path(u) for u in meeting["participant"]) == sorted(
        f"/api/v1/persons/{demo.users[name].pk}/" for name in present
    )
    assert f"/api/v1/persons/{demo.users['cllr.garside'].pk}/" not in [path(u) for u in meeting["participant"]]
    item = meeting["agendaItem"][3]
    assert item["result"] == "Carried"
    assert item == get(client, path(item["id"]))
    protocol = meeting["resultsProtocol"]
    assert protocol["type"] == OPARL + "File" and protocol["name"].startswith("Minutes (Approved")
    assert path(protocol["accessUrl"]) == f"/meetings/{demo.meeting.pk}/minutes.pdf"
    pdf = client.get(path(protocol["accessUrl"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"

    Minutes.objects.filter(meeting=demo.meeting).update(status=Minutes.Status.DRAFT)
    cache.clear()
    assert "resultsProtocol" not in get(client, f"/api/v1/meetings/{demo.meeting.pk}/")
    upcoming = get(client, "/api/v1/meetings/")["data"][0]
    assert "participant" not in upcoming and "resultsProtocol" not in upcoming  # nothing recorded yet


def test_an_item_carries_its_resolution_text(client, demo):
    item = demo.meeting.items.get(report=demo.seed)
    AgendaItem.objects.filter(pk=item.pk).update(decision="RESOLVED: that the report be noted.")
    data = get(client, f"/api/v1/agenda-items/{item.pk}/")
    assert data["resolutionText"] == "RESOLVED: that the report be noted." and data["result"] == "Carried"


def test_an_exempt_item_carries_no_motion_result_or_decision(client, demo, django_capture_on_commit_callbacks):
    meeting, public, exempt = publish_upcoming(demo, django_capture_on_commit_callbacks)
    item = exempt.agenda_item
    AgendaItem.objects.filter(pk=item.pk).update(decision="SECRET-DECISION-MARKER")
    Motion.objects.create(
        item=item, text="SECRET-MOTION-MARKER", mover=demo.users["member"], seconder=demo.users["cllr.rahman"],
        method=Method.SHOW_OF_HANDS, votes_for=3, outcome=Outcome.CARRIED, recorded_by=demo.clerk,
    )  # fmt: skip
    cache.clear()
    data = get(client, f"/api/v1/agenda-items/{item.pk}/")
    assert set(data) == {
        "id",
        "type",
        "created",
        "modified",
        "meeting",
        "number",
        "order",
        "name",
        "public",
        "committee:exemptParagraph",
        "committee:exemptReason",
    }
    for url in [f"/api/v1/meetings/{meeting.pk}/", "/api/v1/agenda-items/", "/api/v1/meetings/"]:
        text = client.get(url).content.decode()
        assert "SECRET-" not in text


def test_a_changed_vote_or_name_reaches_the_api_without_waiting_for_the_cache(client, demo):
    item = demo.meeting.items.get(report=demo.seed)
    assert get(client, f"/api/v1/agenda-items/{item.pk}/")["result"] == "Carried"
    motion = item.motion
    motion.votes_for, motion.votes_against, motion.outcome = 1, 3, Outcome.LOST
    motion.save()
    assert get(client, f"/api/v1/agenda-items/{item.pk}/")["result"] == "Lost"
    moncur = demo.users["member"]
    assert get(client, f"/api/v1/persons/{moncur.pk}/")["familyName"] == "Moncur"
    moncur.last_name = "Moncur-Smith"
    moncur.save()
    demo.board.save()  # any public save: the keys known are checked again at once
    assert get(client, f"/api/v1/persons/{moncur.pk}/")["familyName"] == "Moncur-Smith"
