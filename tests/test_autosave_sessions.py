"""Autosaves of one editing session fold into one version; explicit saves, steps and pauses make new ones."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from reports import services
from reports.models import Report
from reports.versions import report_versions
from tests.test_workflow import complete_draft, form_data

pytestmark = pytest.mark.django_db

PAGE_A, PAGE_B = "a" * 32, "b" * 32


def autosave(client, report, page=PAGE_A, *, version=None, revision=None, **changes):
    """Post the editor's form as its autosave does, from editor `page`; returns the response."""
    report.refresh_from_db()
    data = form_data(report, **changes)
    data |= {"_autosave": "1", "editor_page": page}
    if version is not None:
        data["version"] = str(version)
    if revision is not None:
        data["revision"] = str(revision)
    return client.post(reverse("reports:edit", args=[report.pk]), data, HTTP_ACCEPT="application/json")


def save(client, report, page=PAGE_A, **changes):
    """Save draft, by hand."""
    report.refresh_from_db()
    data = form_data(report, **changes) | {"editor_page": page}
    return client.post(reverse("reports:edit", args=[report.pk]), data)


def version_numbers(report):
    return [v.number for v in report_versions(report)]


@pytest.fixture
def draft(demo, client):
    report = complete_draft(demo)
    client.force_login(demo.officer)
    return report


def test_it_folds_a_sessions_autosaves_into_one_version(client, draft):
    before = version_numbers(draft)
    version, revision = draft.version, draft.revision
    for n in range(22):
        response = autosave(client, draft, version=version, revision=revision, summary=f"Typed {n}.")
        assert response.status_code == 200
        result = json.loads(response.content)
        assert result["saved"] is True
        version, revision = result["version"], result["revision"]
    draft.refresh_from_db()
    assert draft.summary == "Typed 21." and (draft.version, draft.revision) == (2, 21)
    assert version_numbers(draft) == [2, *before]
    # The version reads as the session left it, and compares with the one before as one change.
    page = client.get(reverse("reports:version", args=[draft.pk, 2])).content.decode()
    assert "Typed 21." in page
    compared = client.get(reverse("reports:compare", args=[draft.pk]), {"from": 1, "to": 2}).content.decode()
    assert "1 block changed" in compared and '<ins class="diff-ins bg-success-subtle">Typed 21</ins>.' in compared
    history = client.get(reverse("reports:history", args=[draft.pk])).content.decode()
    assert "Version 2</strong>" in history and "Version 3</strong>" not in history


def test_a_new_version_after_ten_minutes_without_typing(client, draft):
    autosave(client, draft, summary="Before the break.")
    draft.refresh_from_db()
    assert draft.version == 2
    Report.objects.filter(pk=draft.pk).update(autosaved_at=draft.autosaved_at - dt.timedelta(minutes=10, seconds=1))
    autosave(client, draft, summary="After the break.")
    draft.refresh_from_db()
    assert (draft.version, draft.revision) == (3, 0)
    assert version_numbers(draft) == [3, 2, 1]


def test_an_explicit_save_makes_a_new_version_and_ends_the_session(client, draft):
    autosave(client, draft, summary="Autosaved.")
    assert save(client, draft, summary="Saved by hand.").status_code == 302
    draft.refresh_from_db()
    assert (draft.version, draft.revision) == (3, 0)
    autosave(client, draft, summary="Typing again.")
    draft.refresh_from_db()
    assert draft.version == 4  # the hand-saved version stays as it was saved
    # Save draft on what the autosave already stored changes nothing, but the next typing is a new version.
    assert save(client, draft).status_code == 302
    draft.refresh_from_db()
    assert draft.version == 4 and draft.autosaved_at is None
    autosave(client, draft, summary="And again.")
    draft.refresh_from_db()
    assert draft.version == 5
    assert client.get(reverse("reports:version", args=[draft.pk, 4])).content.decode().count("Typing again.") == 1


def test_submitting_ends_the_session(demo, client, draft):
    autosave(client, draft, summary="Ready to go.")
    draft.refresh_from_db()
    services.report_submit(report=draft, user=demo.officer)
    services.report_return(report=draft, user=demo.finance, comment="Say more.")
    draft.refresh_from_db()
    assert draft.status == Report.Status.DRAFT
    autosave(client, draft, summary="Said more.")
    draft.refresh_from_db()
    assert (draft.version, draft.revision) == (3, 0)
    assert "Ready to go." in client.get(reverse("reports:version", args=[draft.pk, 2])).content.decode()


def test_another_page_or_person_makes_its_own_version(demo, client, draft):
    autosave(client, draft, PAGE_A, summary="Mine.")
    draft.refresh_from_db()
    autosave(client, draft, PAGE_B, summary="My other tab.")
    draft.refresh_from_db()
    assert (draft.version, draft.revision) == (3, 0)
    # The same page id from another person (a sign-in in between) starts its own version too.
    client.force_login(demo.clerk)
    autosave(client, draft, PAGE_B, summary="The clerk's.")
    draft.refresh_from_db()
    assert (draft.version, draft.revision) == (4, 0)


def test_a_page_that_saw_an_earlier_revision_is_refused_and_keeps_both_changes(client, draft):
    autosave(client, draft, PAGE_A, summary="A's summary.")
    draft.refresh_from_db()
    seen = (draft.version, draft.revision)  # page B loads the report now
    b_data = form_data(draft, reasons="B's reasons.") | {"editor_page": PAGE_B}
    autosave(client, draft, PAGE_A, summary="A's summary, longer.")  # folded in: same version
    draft.refresh_from_db()
    assert draft.version == seen[0] and draft.revision == seen[1] + 1
    refused = client.post(reverse("reports:edit", args=[draft.pk]), b_data | {"_autosave": "1"})
    assert refused.status_code == 409 and json.loads(refused.content)["stale"] is True
    refused = client.post(reverse("reports:edit", args=[draft.pk]), b_data)
    assert refused.status_code == 409
    form = refused.context["form"]
    assert form["summary"].value() == "A's summary, longer."  # A's newer text, which B never touched
    assert form["reasons"].value() == "B's reasons."  # B's own
    assert (form["version"].value(), form["revision"].value()) == (str(draft.version), str(draft.revision))
    # Saving the merged form again now succeeds, as a new version.
    again = {name: form[name].value() for name in form.fields} | {"editor_page": PAGE_B}
    again = form_data(draft) | {k: v for k, v in again.items() if v is not None}
    assert client.post(reverse("reports:edit", args=[draft.pk]), again).status_code == 302
    draft.refresh_from_db()
    assert (draft.summary, draft.reasons) == ("A's summary, longer.", "B's reasons.")
    assert draft.version == seen[0] + 1


def test_a_page_that_saw_the_latest_revision_saves(client, draft):
    autosave(client, draft, PAGE_A, summary="A's.")
    autosave(client, draft, PAGE_A, summary="A's, more.")
    draft.refresh_from_db()
    response = autosave(client, draft, PAGE_B, reasons="B's reasons.")  # form_data carries the latest revision
    assert response.status_code == 200
    draft.refresh_from_db()
    assert (draft.summary, draft.reasons) == ("A's, more.", "B's reasons.") and draft.version == 3


def test_explicit_saves_keep_the_history_they_had(client, draft):
    """Each Save draft is a version, numbered, dated and compared as before autosaves were folded."""
    for n in range(3):
        save(client, draft, summary=f"Saved {n}.")
    draft.refresh_from_db()
    assert version_numbers(draft) == [4, 3, 2, 1] and draft.revision == 0
    history = client.get(reverse("reports:history", args=[draft.pk])).content.decode()
    assert all(f"Version {n}</strong>" in history for n in range(1, 5))
    url = reverse("reports:compare", args=[draft.pk])
    compared = client.get(url, {"from": 3, "to": 4}).content.decode()
    assert '<del class="diff-del bg-danger-subtle">1</del>' in compared
    assert '<ins class="diff-ins bg-success-subtle">2</ins>' in compared
    assert "Saved 0." in client.get(reverse("reports:version", args=[draft.pk, 2])).content.decode()


def test_a_step_from_a_page_that_saw_an_earlier_revision_is_refused(demo, client, draft):
    autosave(client, draft, PAGE_A, summary="The first text.")
    draft.refresh_from_db()
    detail = client.get(reverse("reports:detail", args=[draft.pk])).content.decode()
    assert f'name="expected_revision" value="{draft.revision}"' in detail
    shown = {"expected_status": draft.status, "expected_version": draft.version, "expected_revision": draft.revision}
    autosave(client, draft, PAGE_A, summary="The text as it will be submitted.")  # folded in after the page was shown
    with pytest.raises(services.TransitionRefused, match="saved again since"):
        services.report_submit(report=draft, user=demo.officer, **shown)
    draft.refresh_from_db()
    assert draft.status == Report.Status.DRAFT
    response = client.post(reverse("reports:submit", args=[draft.pk]), {k: str(v) for k, v in shown.items()})
    draft.refresh_from_db()
    assert draft.status == Report.Status.DRAFT and response.status_code in {302, 409}
    shown["expected_revision"] = draft.revision
    services.report_submit(report=draft, user=demo.officer, **shown)
    draft.refresh_from_db()
    assert draft.status == Report.Status.CONSULTATION
