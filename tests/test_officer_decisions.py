"""Officer decisions (Openness of Local Government Bodies Regulations 2014, reg. 7): record, publish, the register."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from officer_decisions import services
from officer_decisions.models import OfficerDecision, OfficerDecisionEvent, keep_until
from officer_decisions.services import OfficerDecisionRefused
from reports.models import Ward

pytestmark = pytest.mark.django_db

SECRET = "Zanzibar-price-schedule-4471"  # only ever in an exempt decision's private fields


def fields(**changes):
    return {
        "title": "Purchase of a mobile health unit",
        "decision": "To buy a mobile health unit for £80,000.",
        "decided_on": timezone.localdate() - dt.timedelta(days=3),
        "officer_title": "Consultant in Public Health",
        "delegated_power": "Scheme of Delegation, paragraph 4.5.",
        "reasons": "To reach people who do not visit a surgery.",
        "alternatives": "Leasing one: rejected as dearer over five years.",
        "conflict_of_interest": "",
        "dispensation": "",
        "background_papers": ["Options appraisal"],
        "exempt_paragraph": None,
        **changes,
    }


def form(**changes):
    data = fields(**changes)
    data["decided_on"] = (
        data["decided_on"].isoformat() if hasattr(data["decided_on"], "isoformat") else data["decided_on"]
    )
    data["background_papers"] = "\n".join(data["background_papers"])
    data["exempt_paragraph"] = data["exempt_paragraph"] or ""
    return data


def recorded(user, **changes):
    return services.officer_decision_record(user=user, fields=fields(**changes))


def published(demo, user=None, **changes):
    decision = recorded(user or demo.officer, **changes)
    services.officer_decision_submit(decision=decision, user=decision.officer)
    return services.officer_decision_publish(decision=decision, user=demo.clerk)


def refused(message, call, **kwargs):
    with pytest.raises(OfficerDecisionRefused) as caught:
        call(**kwargs)
    assert caught.value.message == message, caught.value.message
    return caught.value


# The demo ---------------------------------------------------------------------------------------------


def test_it_loads_four_demo_decisions_three_published_one_exempt(demo):
    decisions = list(OfficerDecision.objects.all())
    assert len(decisions) == 4
    public = [d for d in decisions if d.status == OfficerDecision.Status.PUBLISHED]
    assert len(public) == 3 and sum(d.is_exempt for d in public) == 1
    assert OfficerDecision.objects.get(status=OfficerDecision.Status.SUBMITTED).officer == demo.officer
    call_command("load_demo", "--force", stdout=StringIO())
    assert OfficerDecision.objects.count() == 4  # idempotent


# The services ------------------------------------------------------------------------------------------


def test_it_records_a_draft_kept_for_six_years(demo):
    decision = recorded(demo.officer, decided_on=dt.date(2024, 3, 5), background_papers=[" Appraisal ", " "])
    decision.refresh_from_db()
    assert decision.status == OfficerDecision.Status.DRAFT and decision.officer == demo.officer
    assert decision.keep_until == dt.date(2030, 3, 5)
    assert decision.background_papers == ["Appraisal"]
    assert list(decision.events.values_list("action", flat=True)) == ["recorded"]


def test_it_keeps_a_leap_day_decision_until_28_february():
    assert keep_until(dt.date(2024, 2, 29)) == dt.date(2030, 2, 28)


@pytest.mark.parametrize("who", ["member", "finance", "legal"])
def test_it_refuses_to_let_councillors_and_non_authors_record(demo, who):
    refused(services.NOT_AN_OFFICER, services.officer_decision_record, user=demo.users[who], fields=fields())
    assert not OfficerDecision.objects.filter(title=fields()["title"]).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reasons": "  "}, "reasons", "Give the reasons for the decision."),
        ({"title": ""}, "title", "Give the decision a title."),
        ({"delegated_power": ""}, "delegated_power", "Name the delegated power the decision was made under."),
        (
            {"decided_on": timezone.localdate() + dt.timedelta(days=1)},
            "decided_on",
            "The date of the decision cannot be in the future.",
        ),
        (
            {"dispensation": "Granted by the monitoring officer"},
            "conflict_of_interest",
            "A dispensation is granted for a declared conflict of interest: say what the conflict was.",
        ),
        ({"exempt_paragraph": 9}, "exempt_paragraph", "Choose a paragraph of Schedule 12A, or say it is not exempt."),
    ],
)
def test_it_refuses_an_incomplete_or_wrong_record_beside_its_field(demo, changes, field, message):
    before = OfficerDecision.objects.count()
    exc = refused(message, services.officer_decision_record, user=demo.officer, fields=fields(**changes))
    assert exc.field == field
    assert OfficerDecision.objects.count() == before


def test_only_the_officer_who_recorded_it_may_edit_or_submit_it(demo):
    decision = recorded(demo.officer)
    refused(services.NOT_YOURS, services.officer_decision_edit, decision=decision, user=demo.outsider, fields=fields())
    refused(services.NOT_YOURS, services.officer_decision_submit, decision=decision, user=demo.outsider)
    refused(services.NOT_YOURS, services.officer_decision_submit, decision=decision, user=demo.clerk)
    assert OfficerDecision.objects.get(pk=decision.pk).status == OfficerDecision.Status.DRAFT


def test_it_refuses_changes_once_submitted_and_a_second_submission(demo):
    decision = recorded(demo.officer)
    services.officer_decision_submit(decision=decision, user=demo.officer)
    message = "This decision is waiting for democratic services: it can no longer be changed."
    refused(message, services.officer_decision_edit, decision=decision, user=demo.officer, fields=fields(title="New"))
    refused(message, services.officer_decision_submit, decision=decision, user=demo.officer)
    assert OfficerDecision.objects.get(pk=decision.pk).title == fields()["title"]


def test_only_democratic_services_publish_and_only_what_was_submitted(demo):
    decision = recorded(demo.officer)
    refused(
        "This decision is draft, not waiting for democratic services.",
        services.officer_decision_publish,
        decision=decision,
        user=demo.clerk,
    )
    services.officer_decision_submit(decision=decision, user=demo.officer)
    for who in ("officer", "director", "member"):
        refused(
            services.NOT_DEMOCRATIC_SERVICES, services.officer_decision_publish, decision=decision, user=demo.users[who]
        )
    services.officer_decision_publish(decision=decision, user=demo.clerk)
    decision.refresh_from_db()
    assert decision.status == OfficerDecision.Status.PUBLISHED and decision.published_by == demo.clerk
    assert decision.published_at is not None
    refused(
        "This decision is published, not waiting for democratic services.",
        services.officer_decision_publish,
        decision=decision,
        user=demo.clerk,
    )
    assert [e.action for e in decision.events.all()] == ["recorded", "submitted", "published"]


def test_a_return_needs_a_comment_and_the_officer_may_then_correct_and_resubmit(demo):
    decision = recorded(demo.officer)
    services.officer_decision_submit(decision=decision, user=demo.officer)
    exc = refused(
        "Say why the decision is returned, so the officer can put it right.",
        services.officer_decision_return,
        decision=decision,
        user=demo.clerk,
        comment="  ",
    )
    assert exc.field == "comment"
    refused(services.NOT_DEMOCRATIC_SERVICES, services.officer_decision_return, decision=decision,
            user=demo.officer, comment="x")  # fmt: skip
    services.officer_decision_return(decision=decision, user=demo.clerk, comment="Name the budget.")
    decision.refresh_from_db()
    assert decision.status == OfficerDecision.Status.RETURNED and decision.return_comment == "Name the budget."
    services.officer_decision_edit(decision=decision, user=demo.officer, fields=fields(reasons="From the PH grant."))
    services.officer_decision_submit(decision=decision, user=demo.officer)
    decision.refresh_from_db()
    assert decision.status == OfficerDecision.Status.SUBMITTED and decision.reasons == "From the PH grant."


# The retention command --------------------------------------------------------------------------------


def test_the_retention_command_deletes_decisions_past_six_years_and_keeps_the_rest(demo):
    today = timezone.localdate()
    old = published(demo, decided_on=today - dt.timedelta(days=10))
    last_day = published(demo, decided_on=today - dt.timedelta(days=10))
    OfficerDecision.objects.filter(pk=old.pk).update(keep_until=today - dt.timedelta(days=1))
    OfficerDecision.objects.filter(pk=last_day.pk).update(keep_until=today)
    before = OfficerDecision.objects.count()
    out = StringIO()
    call_command("delete_expired_officer_decisions", stdout=out)
    assert "Deleted 1 officer decision past their six years." in out.getvalue()
    assert not OfficerDecision.objects.filter(pk=old.pk).exists()
    assert not OfficerDecisionEvent.objects.filter(decision_id=old.pk).exists()
    assert OfficerDecision.objects.filter(pk=last_day.pk).exists()
    assert OfficerDecision.objects.count() == before - 1


# The pages --------------------------------------------------------------------------------------------


def test_an_officer_records_checks_and_submits_a_decision_and_the_clerk_publishes_it(demo, client):
    client.force_login(demo.officer)
    ward = Ward.objects.get(name="Linacre")
    response = client.post("/officer-decisions/new/", form(wards=None) | {"wards": [ward.pk]})
    decision = OfficerDecision.objects.get(title=fields()["title"])
    assert response.status_code == 302 and response["Location"] == f"/officer-decisions/{decision.pk}/submit/"
    assert list(decision.wards.all()) == [ward]
    assert client.get(f"/officer-decisions/{decision.pk}/").status_code == 404  # not published yet
    page = client.get(f"/officer-decisions/{decision.pk}/submit/")
    assert b"To buy a mobile health unit" in page.content
    assert client.post(f"/officer-decisions/{decision.pk}/submit/").status_code == 302
    client.force_login(demo.clerk)
    assert fields()["decision"].encode() in client.get("/officer-decisions/review/").content
    assert client.post(f"/officer-decisions/{decision.pk}/publish/").status_code == 302
    client.logout()
    page = client.get(f"/officer-decisions/{decision.pk}/")
    assert page.status_code == 200 and b"To buy a mobile health unit" in page.content and b"Linacre" in page.content
    assert fields()["title"].encode() in client.get("/officer-decisions/").content


def test_bad_input_is_shown_beside_its_field_with_what_was_typed_kept(demo, client):
    client.force_login(demo.officer)
    future = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = client.post("/officer-decisions/new/", form(decided_on=future, reasons="Because the vans are cheap"))
    assert response.status_code == 400
    assert b"The date of the decision cannot be in the future." in response.content
    assert b"Because the vans are cheap" in response.content and future.encode() in response.content
    response = client.post("/officer-decisions/new/", form(decided_on="31/02/2024", exempt_paragraph="12"))
    assert response.status_code == 400
    assert b"Give a date, like 2024-03-31." in response.content
    assert b"Choose a paragraph of Schedule 12A, or say it is not exempt." in response.content
    assert b"31/02/2024" in response.content
    response = client.post("/officer-decisions/new/", {"wards": ["nonsense"], "title": "Kept title"})
    assert response.status_code == 400 and b"Kept title" in response.content
    assert not OfficerDecision.objects.filter(title__in=[fields()["title"], "Kept title"]).exists()


def test_a_return_without_a_comment_shows_the_queue_again_with_the_message(demo, client):
    decision = OfficerDecision.objects.get(status=OfficerDecision.Status.SUBMITTED)
    client.force_login(demo.clerk)
    response = client.post(f"/officer-decisions/{decision.pk}/return/", {"comment": "   "})
    assert response.status_code == 400
    assert b"Say why the decision is returned" in response.content
    assert OfficerDecision.objects.get(pk=decision.pk).status == OfficerDecision.Status.SUBMITTED
    response = client.post(f"/officer-decisions/{decision.pk}/return/", {"comment": "Add the grant letter's date."})
    assert response.status_code == 302
    client.force_login(demo.officer)
    assert b"Add the grant letter&#x27;s date." in client.get(f"/officer-decisions/{decision.pk}/edit/").content


def test_the_register_filters_by_title_and_dates_and_refuses_bad_dates_keeping_them(demo, client):
    today = timezone.localdate()
    published(demo, title="Mobile health unit", decided_on=today - dt.timedelta(days=100))
    everything = client.get("/officer-decisions/").content.decode()
    assert "Mobile health unit" in everything and "Purchase of naloxone kits" in everything
    found = client.get("/officer-decisions/", {"q": "mobile UNIT"}).content.decode()
    assert "Mobile health unit" in found and "naloxone" not in found
    since = (today - dt.timedelta(days=50)).isoformat()
    recent = client.get("/officer-decisions/", {"date_from": since}).content.decode()
    assert "Mobile health unit" not in recent and "naloxone" in recent
    bad = client.get("/officer-decisions/", {"date_from": "yesterday", "q": "kept words"})
    assert bad.status_code == 400 and b"Give a date, like 2024-03-31." in bad.content
    assert b"yesterday" in bad.content and b"kept words" in bad.content
    backwards = client.get("/officer-decisions/", {"date_from": "2025-05-01", "date_to": "2025-04-01"})
    assert backwards.status_code == 400 and b"The end of the range must be on or after its start." in backwards.content
    assert client.get("/officer-decisions/", {"page": "999"}).status_code == 200


def test_staff_pages_refuse_the_anonymous_and_outsiders(demo, client):
    decision = recorded(demo.officer)
    for url in ["/officer-decisions/new/", "/officer-decisions/mine/", "/officer-decisions/review/",
                f"/officer-decisions/{decision.pk}/edit/", f"/officer-decisions/{decision.pk}/submit/"]:  # fmt: skip
        assert client.get(url)["Location"].startswith("/accounts/login/"), url
    client.force_login(demo.outsider)  # an author, but not this decision's
    for url in [f"/officer-decisions/{decision.pk}/edit/", f"/officer-decisions/{decision.pk}/submit/",
                "/officer-decisions/review/"]:  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert client.post(f"/officer-decisions/{decision.pk}/submit/").status_code == 404
    assert client.post(f"/officer-decisions/{decision.pk}/publish/").status_code == 404
    client.force_login(demo.member)  # a councillor
    assert client.get("/officer-decisions/new/").status_code == 404
    assert client.post("/officer-decisions/new/", form()).status_code == 404
    assert OfficerDecision.objects.get(pk=decision.pk).status == OfficerDecision.Status.DRAFT


# Nothing private in public ----------------------------------------------------------------------------


def test_an_unpublished_decision_is_not_found_in_public(demo, client):
    draft = recorded(demo.officer, title="Draft only " + SECRET)
    submitted = OfficerDecision.objects.get(status=OfficerDecision.Status.SUBMITTED)
    for decision in (draft, submitted):
        assert client.get(f"/officer-decisions/{decision.pk}/").status_code == 404
    client.force_login(demo.clerk)
    assert client.get(f"/officer-decisions/{draft.pk}/").status_code == 404
    client.logout()
    for url in ["/officer-decisions/", "/feeds/officer-decisions.rss", "/feeds/officer-decisions.atom"]:
        body = client.get(url).content.decode()
        assert SECRET not in body and submitted.title not in body, url


def test_an_exempt_decisions_text_never_reaches_the_register_its_page_or_the_feeds(demo, client):
    secret = {name: f"{name} {SECRET}" for name in ["decision", "delegated_power", "reasons", "alternatives",
                                                     "conflict_of_interest", "dispensation"]}  # fmt: skip
    decision = published(
        demo, title="Contract extension", exempt_paragraph=3, background_papers=[f"Paper {SECRET}"], **secret
    )
    decision.wards.set(Ward.objects.filter(name="Sudell"))
    pages = {
        "register": client.get("/officer-decisions/"),
        "page": client.get(f"/officer-decisions/{decision.pk}/"),
        "rss": client.get("/feeds/officer-decisions.rss"),
        "atom": client.get("/feeds/officer-decisions.atom"),
    }
    client.force_login(demo.member)  # signed in changes nothing: the public record is the same for all
    pages["page as member"] = client.get(f"/officer-decisions/{decision.pk}/")
    for name, response in pages.items():
        body = response.content.decode()
        assert response.status_code == 200, name
        assert SECRET not in body and "Sudell" not in body, name
        assert "Contract extension" in body and "Not for publication: paragraph 3" in body, name
    assert "Eleanor Moulton, Consultant in Public Health" in pages["page"].content.decode()


def test_the_feeds_list_published_decisions_with_their_text(demo, client):
    rss = client.get("/feeds/officer-decisions.rss")
    assert rss.status_code == 200 and rss["Content-Type"].startswith("application/rss+xml")
    body = rss.content.decode()
    assert "Purchase of naloxone kits for community pharmacies" in body and "600 intranasal naloxone kits" in body
    assert "Acceptance of a grant for the stop smoking service" not in body  # submitted, not published
    atom = client.get("/feeds/officer-decisions.atom")
    assert atom.status_code == 200 and "<feed" in atom.content.decode()
    assert client.post("/feeds/officer-decisions.rss").status_code == 405


def test_the_register_is_linked_from_the_public_home_and_open_data(demo, client):
    assert b'href="/officer-decisions/"' in client.get("/public/").content
    open_data = client.get("/open-data/").content
    assert b'href="/feeds/officer-decisions.rss"' in open_data and b'href="/feeds/officer-decisions.atom"' in open_data


def test_a_hostile_title_is_printed_as_text(demo, client):
    published(demo, title='<script>alert("od")</script>')
    for url in ["/officer-decisions/", "/feeds/officer-decisions.rss", "/feeds/officer-decisions.atom"]:
        body = client.get(url).content.decode()
        assert '<script>alert("od")' not in body, url
        assert "&lt;script&gt;" in body, url


# Under real concurrency (PostgreSQL) ------------------------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_publish_and_a_return_at_once_leave_one_of_them_done(demo):
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: row locks under real concurrency")
    for _ in range(10):
        decision = recorded(demo.officer)
        services.officer_decision_submit(decision=decision, user=demo.officer)
        barrier, results = threading.Barrier(2), {}

        def worker(name, call, decision=decision, barrier=barrier, results=results):
            try:
                connection.ensure_connection()
                barrier.wait(timeout=30)
                call(decision=decision, user=demo.clerk, **({"comment": "Fix it."} if name == "return" else {}))
                results[name] = "ok"
            except OfficerDecisionRefused:
                results[name] = "refused"
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=worker, args=("publish", services.officer_decision_publish)),
            threading.Thread(target=worker, args=("return", services.officer_decision_return)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(results.values()) == ["ok", "refused"], results
        decision.refresh_from_db()
        winner = "publish" if results["publish"] == "ok" else "return"
        expected = OfficerDecision.Status.PUBLISHED if winner == "publish" else OfficerDecision.Status.RETURNED
        assert decision.status == expected
        assert decision.events.filter(action__in=["published", "returned"]).count() == 1
