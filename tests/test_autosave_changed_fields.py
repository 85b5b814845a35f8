"""The editor's script autosaves only the fields changed since its last save (`_changed` names them):
the server checks and writes those alone, everything else keeps its stored value, a conflict is still
refused, and the queries do not grow with the report's rows. A post without `_changed` is the whole form."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import Appendix, ImplicationType, Recommendation, Report, Section, Ward
from tests.test_workflow import complete_draft, form_data

pytestmark = pytest.mark.django_db

PAGE_A, PAGE_B = "a" * 32, "b" * 32


def autosave_changed(client, report, fields, *, page=PAGE_A, version=None, revision=None, **lists):
    """Post as the editor's script does: `fields` (name: value or list of values) and, for a list,
    its rows: recommendations=[(id, text)], sections=[(id, heading, body)]."""
    report.refresh_from_db()
    data = {
        "_autosave": "1",
        "editor_page": page,
        "version": str(report.version if version is None else version),
        "revision": str(report.revision if revision is None else revision),
        "_changed": ",".join([*fields, *lists]),
        **fields,
    }
    if "recommendations" in lists:
        data["recommendation-id"] = [str(pk) for pk, _ in lists["recommendations"]]
        data["recommendation-text"] = [text for _, text in lists["recommendations"]]
    if "sections" in lists:
        data["section-id"] = [str(pk) for pk, _, _ in lists["sections"]]
        data["section-heading"] = [heading for _, heading, _ in lists["sections"]]
        data["section-body"] = [body for _, _, body in lists["sections"]]
    return client.post(reverse("reports:edit", args=[report.pk]), data, HTTP_ACCEPT="application/json")


def stored(report):
    """Everything the editor saves of `report`, to compare before and after."""
    report = Report.objects.get(pk=report.pk)
    own = {f.name: f.value_from_object(report) for f in Report._meta.concrete_fields if f.editable}
    del own["version"]  # an autosave that changes something makes a version
    return {
        **own,
        "wards": sorted(report.wards.values_list("pk", flat=True)),
        "recommendations": list(report.recommendations.values_list("pk", "text")),
        "sections": list(report.sections.values_list("pk", "heading", "body")),
        "implications": sorted(report.implications.values_list("type_id", "text")),
        "core_purposes": sorted(report.core_purposes.values_list("purpose_id", "text")),
    }


@pytest.fixture
def draft(demo, client):
    report = complete_draft(demo)
    report.wards.set(Ward.objects.order_by("pk")[:3])
    client.force_login(demo.officer)
    return report


def test_an_autosave_of_one_field_keeps_every_other(client, draft):
    before = stored(draft)
    response = autosave_changed(client, draft, {"summary": "Only the summary changed."})
    assert response.status_code == 200
    result = json.loads(response.content)
    assert result["saved"] is True and result["errors"] == {} and result["list_errors"] == []
    assert result["recommendation_ids"] is None and result["section_ids"] is None  # not posted: left alone
    after = stored(draft)
    assert after.pop("summary") == "Only the summary changed."
    before.pop("summary")
    assert after == before


def test_an_autosave_of_a_list_saves_the_list_alone(client, draft):
    before = stored(draft)
    first, second = draft.recommendations.all()[:2]
    rows = [(second.pk, second.text), ("", "A new recommendation."), (first.pk, first.text + " Amended.")]
    result = json.loads(autosave_changed(client, draft, {}, recommendations=rows).content)
    new = Recommendation.objects.get(report=draft, text="A new recommendation.")
    assert result["recommendation_ids"] == [second.pk, new.pk, first.pk] and result["section_ids"] is None
    after = stored(draft)
    assert [text for _, text in after.pop("recommendations")] == [
        second.text,
        "A new recommendation.",
        first.text + " Amended.",
    ]
    before.pop("recommendations")
    assert after == before


def test_an_autosave_of_one_implication_keeps_the_others(client, draft):
    kinds = list(ImplicationType.objects.filter(is_active=True).order_by("position", "pk"))
    before = dict(stored(draft)["implications"])
    autosave_changed(client, draft, {f"implication_{kinds[1].pk}": "Legal words, changed."})
    after = dict(stored(draft)["implications"])
    assert after[kinds[1].pk] == "Legal words, changed."
    assert {k: v for k, v in after.items() if k != kinds[1].pk} == {k: v for k, v in before.items() if k != kinds[1].pk}


def test_a_field_that_depends_on_another_follows_it(client, draft, demo):
    Report.objects.filter(pk=draft.pk).update(
        is_exempt=True, exempt_paragraphs=[3], release_condition="After the award."
    )
    autosave_changed(client, draft, {"is_exempt": "False"})
    draft.refresh_from_db()
    assert (draft.is_exempt, draft.exempt_paragraphs, draft.release_condition) == (False, [], "")
    autosave_changed(client, draft, {"all_wards": "on"})
    draft.refresh_from_db()
    assert draft.all_wards is True and not draft.wards.exists()
    # Unticking every ward posts the name with no value: no wards.
    autosave_changed(client, draft, {"all_wards": ""})
    autosave_changed(client, draft, {"wards": [str(w.pk) for w in Ward.objects.order_by("pk")[:2]]})
    assert draft.wards.count() == 2
    autosave_changed(client, draft, {"wards": []})
    assert not draft.wards.exists()
    # A meeting of another board than the one stored is refused by the meeting, the rest saved.
    from boards.models import Board, Meeting

    other = Meeting.objects.create(
        board=Board.objects.create(name="Cabinet", slug="cabinet"), starts_at=demo.meeting.starts_at
    )
    result = json.loads(autosave_changed(client, draft, {"meeting": str(other.pk), "summary": "Saved anyway."}).content)
    assert "That meeting is of the Cabinet" in result["errors"]["meeting"][0]
    draft.refresh_from_db()
    assert draft.summary == "Saved anyway." and draft.meeting_id != other.pk


def test_a_refused_field_is_said_and_the_rest_saved(client, draft):
    subject = draft.subject
    result = json.loads(autosave_changed(client, draft, {"subject": "S" * 251, "contact_email": "a@b.gov.uk"}).content)
    assert list(result["errors"]) == ["subject"]
    draft.refresh_from_db()
    assert draft.subject == subject and draft.contact_email == "a@b.gov.uk"


def test_a_conflict_is_still_refused(client, draft):
    autosave_changed(client, draft, {"summary": "A's summary."}, page=PAGE_A)
    draft.refresh_from_db()
    seen = (draft.version, draft.revision)
    autosave_changed(client, draft, {"summary": "A's summary, longer."}, page=PAGE_A)
    # Page B saw the revision before A's last autosave: its change to another field is refused too.
    refused = autosave_changed(
        client, draft, {"reasons": "B's reasons."}, page=PAGE_B, version=seen[0], revision=seen[1]
    )
    assert refused.status_code == 409 and json.loads(refused.content)["stale"] is True
    draft.refresh_from_db()
    assert draft.summary == "A's summary, longer." and draft.reasons != "B's reasons."


def test_autosaves_of_changed_fields_fold_into_one_version(client, draft):
    for n in range(5):
        assert json.loads(autosave_changed(client, draft, {"summary": f"Typed {n}."}).content)["saved"]
    draft.refresh_from_db()
    assert (draft.version, draft.revision, draft.summary) == (2, 4, "Typed 4.")


def test_nothing_changed_writes_nothing(client, draft):
    result = json.loads(autosave_changed(client, draft, {"summary": draft.summary}).content)
    assert result["saved"] is False
    draft.refresh_from_db()
    assert draft.version == 1


def test_changed_is_ignored_on_a_save_by_hand(client, draft):
    """Save draft posts the whole form: a `_changed` in it does not make the other fields optional."""
    data = form_data(draft, summary="By hand.", reasons="", _changed="summary", version=str(draft.version))
    assert client.post(reverse("reports:edit", args=[draft.pk]), data).status_code == 302
    draft.refresh_from_db()
    assert (draft.summary, draft.reasons) == ("By hand.", "")


def test_an_autosave_costs_the_same_queries_with_3_rows_or_30(client, draft):
    def add_rows(n):
        for i in range(n):
            Recommendation.objects.create(report=draft, position=100 + i, text=f"Recommendation {i}.")
            Section.objects.create(report=draft, position=100 + i, heading=f"Section {i}", body="<p>Kelpies.</p>")
            Appendix.objects.create(report=draft, position=100 + i, title=f"Appendix {i}", file=f"a-{i}.pdf")

    def queries(summary):
        # The first autosave of the page makes its version; the next ones, counted, fold into it.
        with CaptureQueriesContext(connection) as context:
            assert autosave_changed(client, draft, {"summary": summary}).status_code == 200
        return len(context.captured_queries)

    add_rows(3)
    autosave_changed(client, draft, {"summary": "Start."})
    few = queries("With a few rows.")
    add_rows(27)
    many = queries("With many rows.")
    assert few == many


def test_the_page_says_whether_it_shows_the_report_as_stored(client, draft):
    """The script posts only what changed from the page as shown when it shows the report as stored;
    a refused save shown again holds text that is stored nowhere, so from there it posts the whole form."""
    url = reverse("reports:edit", args=[draft.pk])
    assert "data-shows-stored" in client.get(url).content.decode()
    refused = client.post(url, form_data(draft, subject="S" * 251, reasons="Typed, not saved yet."))
    assert refused.status_code == 200 and "There is a problem" in refused.content.decode()
    assert "data-shows-stored" not in refused.content.decode()
    assert "data-shows-stored" not in client.get(reverse("reports:new")).content.decode()


def test_an_autosave_of_the_summary_runs_a_few_statements(client, draft):
    """The session, the user, the report, the report locked, its UPDATE, its history row and its wards'
    rows, the search document's parts and the document (two statements on SQLite): nine or ten (issue 21;
    thirteen before), besides the savepoint the service's transaction is inside a test."""
    autosave_changed(client, draft, {"summary": "Start."})
    with CaptureQueriesContext(connection) as context:
        assert autosave_changed(client, draft, {"summary": "Typed on."}).status_code == 200
    statements = [q["sql"] for q in context.captured_queries if "SAVEPOINT" not in q["sql"]]
    statements = statements[1:]  # autosave_changed's own refresh_from_db, before the request
    assert len(statements) <= (9 if connection.vendor == "postgresql" else 10), "\n".join(statements)
