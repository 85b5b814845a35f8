"""Saving a draft never loses what was typed: a save that fails for any reason (a locked or failing
database, an error) shows the form again with everything typed and says it was not saved; a save
without the version it was based on is refused the same way; and every field of the editor's form
is saved when it is the only one changed."""

import datetime as dt
import sqlite3

import pytest
from django import forms
from django.db import DatabaseError, OperationalError, connection

from boards.models import Meeting
from reports import services
from reports.forms import ReportForm
from reports.models import Report, Ward
from tests.editor import complete_report_data

pytestmark = pytest.mark.django_db

TYPED = "Typed while the database was locked: the pooled budget grows by four per cent."


def a_draft(client, demo, **overrides):
    """A complete draft made through the editor, exempt and with two wards, so that every field can
    change alone (the Schedule 12A paragraphs only count for an exempt report, wards without All Wards)."""
    data = complete_report_data(demo.board, demo.meeting, is_exempt="True", exempt_paragraphs=["3"])
    data.update(overrides)
    assert client.post("/reports/new/", data).status_code == 302
    return Report.objects.get(subject=data["subject"])


def posted_as_shown(report):
    """The editor's form as the browser posts it back untouched: each field's value as the page shows it."""
    form = ReportForm(instance=report)
    data = {"version": str(report.version)}
    for name, field in form.fields.items():
        if name == "version":
            continue
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, dt.date):
            data[name] = value.isoformat()
        else:
            data[name] = "" if value is None else str(value)
    data["recommendation-id"] = [str(r.pk) for r in report.recommendations.all()]
    data["recommendation-text"] = [r.text for r in report.recommendations.all()]
    data["section-id"] = [str(s.pk) for s in report.sections.all()]
    data["section-heading"] = [s.heading for s in report.sections.all()]
    data["section-body"] = [s.body for s in report.sections.all()]
    return data


def other_values(report, name, field, current):
    """Values the field could take instead of `current`, most likely to be accepted first."""
    if isinstance(field, forms.ModelMultipleChoiceField):
        chosen = [str(v) for v in current]
        others = [str(pk) for pk in field.queryset.values_list("pk", flat=True) if str(pk) not in chosen]
        return [chosen + others[:1], chosen[:-1]]
    if isinstance(field, forms.ModelChoiceField):
        return [str(pk) for pk in field.queryset.values_list("pk", flat=True) if str(pk) != current] + [""]
    if isinstance(field, forms.MultipleChoiceField):
        choices = [str(value) for value, _ in field.choices]
        return [sorted(set(current) | {c}) for c in choices if c not in current] + [[]]
    if isinstance(field, forms.ChoiceField):
        return [str(value) for value, _ in field.choices if str(value) != current]
    if isinstance(field, forms.BooleanField):
        return ["" if current == "on" else "on"]
    if isinstance(field, forms.DateField):
        day = dt.date.fromisoformat(current) if current else dt.date(2022, 7, 1)
        return [(day + dt.timedelta(days=3)).isoformat()]
    if isinstance(field, forms.EmailField):
        return ["someone.else@sefton.gov.uk"]
    return [f"{current} Changed on its own.".strip(), "0151 934 4000"]


def test_it_saves_each_field_of_the_form_when_it_is_the_only_change(login, demo):
    client = login(demo.officer)
    report = a_draft(client, demo, meeting="")  # with a meeting, the board is the meeting's and cannot change alone
    names = [
        name for name in ReportForm(instance=report).fields if name not in {"version", "revision"}
    ]  # the lock, not content
    assert "forward_plan_date" in names and len(names) > 30  # every implication type and core purpose too
    base = posted_as_shown(report)
    not_saved = []
    for name in names:
        # Each field changes from the same starting point (All Wards or exempt changed earlier would
        # keep the wards or the paragraphs from changing alone).
        report = Report.objects.get(pk=report.pk)
        client.post(f"/reports/{report.pk}/edit/", {**base, "version": str(report.version)})
        report = Report.objects.get(pk=report.pk)
        data = posted_as_shown(report)
        assert data == {**base, "version": str(report.version)}
        field = ReportForm(instance=report).fields[name]
        shown = ReportForm(instance=report)[name].initial
        for value in other_values(report, name, field, data.get(name, "")):
            candidate = {**data, name: value}
            form = ReportForm(candidate, instance=report)
            if form.is_valid() and field.has_changed(shown, field.prepare_value(form.cleaned_data[name])):
                break
        else:
            pytest.fail(f"no other value of {name} is accepted")
        response = client.post(f"/reports/{report.pk}/edit/", candidate, follow=True)
        saved = Report.objects.get(pk=report.pk)
        stored = ReportForm(instance=saved)[name].value()
        if "Draft saved." not in response.content.decode() or field.has_changed(stored, value):
            not_saved.append(name)
        assert saved.version == report.version + (name not in not_saved)
    assert not not_saved, f"changed alone, these fields were not saved: {not_saved}"


def test_it_refuses_a_save_without_the_version_it_was_based_on_and_keeps_the_text(login, demo):
    client = login(demo.officer)
    report = demo.draft
    data = posted_as_shown(report)
    Report.objects.filter(pk=report.pk).update(version=report.version + 1)  # someone else saved meanwhile
    data["version"] = ""
    data["summary"] = TYPED
    response = client.post(f"/reports/{report.pk}/edit/", data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Your changes have not been saved: the save did not say which version" in html
    assert TYPED in html
    assert Report.objects.get(pk=report.pk).summary != TYPED

    del data["version"]
    response = client.post(f"/reports/{report.pk}/edit/", {**data, "_autosave": "1"})
    assert response.status_code == 409
    assert "did not say which version" in response.json()["error"]
    assert Report.objects.get(pk=report.pk).summary != TYPED


def test_it_refuses_a_save_without_a_version_in_the_service_too(demo):
    form = ReportForm(posted_as_shown(demo.draft) | {"summary": TYPED}, instance=demo.draft)
    assert form.is_valid()
    with pytest.raises(services.BaseVersionMissing):
        services.report_save_draft(
            report=demo.draft,
            **form.draft(),
            recommendations=None,
            sections=None,
            user=demo.officer,
            expected_version=None,
        )


@pytest.mark.parametrize("error", [OperationalError("database is locked"), DatabaseError("server closed"), KeyError])
def test_it_shows_the_form_again_with_the_text_when_a_save_fails_for_any_reason(login, demo, monkeypatch, error):
    def fail(**kwargs):
        raise error

    monkeypatch.setattr(services, "report_save_draft", fail)
    client = login(demo.officer)
    data = posted_as_shown(demo.draft) | {"summary": TYPED, "recommendation-text": ["Recommendation typed too."]}
    response = client.post(f"/reports/{demo.draft.pk}/edit/", data)
    assert response.status_code == 503
    html = response.content.decode()
    assert "Your changes have not been saved" in html
    assert TYPED in html and "Recommendation typed too." in html
    assert f'name="version" value="{demo.draft.version}"' in html  # still checked against others' saves
    assert "Everything else was saved" not in html

    response = client.post(f"/reports/{demo.draft.pk}/edit/", {**data, "_autosave": "1"})
    assert response.status_code == 503
    assert "not been saved" in response.json()["error"]


def test_it_keeps_a_new_reports_text_when_its_first_save_fails(login, demo, monkeypatch):
    monkeypatch.setattr(Report, "save", lambda *args, **kwargs: (_ for _ in ()).throw(OperationalError("locked")))
    client = login(demo.officer)
    data = complete_report_data(demo.board, demo.meeting, summary=TYPED)
    response = client.post("/reports/new/", data)
    assert response.status_code == 503
    html = response.content.decode()
    assert TYPED in html and "Your changes have not been saved" in html
    assert 'action="/reports/new/"' in html
    assert not Report.objects.filter(summary=TYPED).exists()


def test_it_shows_what_was_typed_on_a_plain_page_when_even_the_editor_cannot_be_shown(login, demo, monkeypatch):
    def fail(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "report_save_draft", fail)
    monkeypatch.setattr(Report, "missing_items", lambda self: (_ for _ in ()).throw(OperationalError("locked")))
    client = login(demo.officer)
    data = posted_as_shown(demo.draft) | {"summary": TYPED}
    response = client.post(f"/reports/{demo.draft.pk}/edit/", data)
    assert response.status_code == 503
    html = response.content.decode()
    assert "Your changes have not been saved" in html
    assert "Try saving again" in html
    assert f'<input type="hidden" name="summary" value="{TYPED}">' in html
    assert f"<dt>Summary</dt>\n  <dd>{TYPED}</dd>" in html
    assert f'action="/reports/{demo.draft.pk}/edit/"' in html


def hold_sqlite_write_lock():
    """A second connection to the test database holding its write lock, as another process would.

    The test database is shared in memory, where a writer also stops others reading the tables it
    wrote; it writes to the history table only, so the rest reads as a file database in WAL mode
    would (the app's), while no one else can write."""
    other = sqlite3.connect(connection.settings_dict["NAME"], uri=True, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE reports_historicalreport SET version = version WHERE 0")
    return other


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_text_when_the_database_is_locked_during_a_save(login, demo):
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL form of this test is test_it_keeps_the_text_when_the_row_is_locked_on_postgresql")
    client = login(demo.officer)
    data = posted_as_shown(demo.draft) | {"summary": TYPED}
    other = hold_sqlite_write_lock()
    try:
        response = client.post(f"/reports/{demo.draft.pk}/edit/", data)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert response.status_code == 503
    html = response.content.decode()
    assert "Your changes have not been saved" in html and TYPED in html
    # Once the lock is gone, saving again from the page that came back works.
    response = client.post(f"/reports/{demo.draft.pk}/edit/", data)
    assert response.status_code == 302
    assert Report.objects.get(pk=demo.draft.pk).summary == TYPED


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_text_when_the_row_is_locked_on_postgresql(login, demo):
    import psycopg2

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    client = login(demo.officer)
    data = posted_as_shown(demo.draft) | {"summary": TYPED}
    settings = connection.settings_dict
    other = psycopg2.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"], port=settings["PORT"] or 5432
    )
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '1s'")  # production's is DATABASE_LOCK_TIMEOUT
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT 1 FROM reports_report WHERE id = %s FOR UPDATE", [demo.draft.pk])
            response = client.post(f"/reports/{demo.draft.pk}/edit/", data)
    finally:
        other.rollback()
        other.close()
    assert response.status_code == 503
    html = response.content.decode()
    assert "Your changes have not been saved" in html and TYPED in html
    assert "Sefton" in html and 'name="summary"' in html  # the editor itself, read while the row was locked
    response = client.post(f"/reports/{demo.draft.pk}/edit/", data)
    assert response.status_code == 302
    assert Report.objects.get(pk=demo.draft.pk).summary == TYPED


def test_it_still_saves_an_unchanged_form_as_no_change(login, demo):
    client = login(demo.officer)
    version = demo.draft.version
    response = client.post(f"/reports/{demo.draft.pk}/edit/", posted_as_shown(demo.draft), follow=True)
    assert "No changes to save." in response.content.decode()
    assert Report.objects.get(pk=demo.draft.pk).version == version


def test_it_compares_the_meeting_and_wards_by_what_is_stored(login, demo):
    # The form's own fields include relations: a ward added alone, or the meeting moved alone, is a change.
    client = login(demo.officer)
    report = a_draft(client, demo)
    other_meeting = Meeting.objects.filter(board=demo.board).exclude(pk=report.meeting_id).first()
    data = posted_as_shown(report) | {"meeting": str(other_meeting.pk)}
    client.post(f"/reports/{report.pk}/edit/", data)
    report.refresh_from_db()
    assert report.meeting == other_meeting
    data = posted_as_shown(report)
    data["wards"] = data["wards"] + [str(Ward.objects.get(name="Ainsdale").pk)]
    client.post(f"/reports/{report.pk}/edit/", data)
    assert "Ainsdale" in {w.name for w in report.wards.all()}
