"""The stored search document (reports.searchindex): current after every kind of change, read by
search on both databases, bounded on any input, with a query count that does not grow with the matches."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boards import services as board_services
from reports import services
from reports.models import Report
from reports.pdfcheck import disarm_pdf
from reports.searchindex import reindex_report, write_document
from tests.editor import editor_data
from tests.test_packs import text_pdf
from tests.test_public import PUBLIC_SUBJECT, publish_upcoming
from tests.test_search import titles

pytestmark = pytest.mark.django_db

SEED = ["Cities Inequalities Project"]


def found(client, query):
    return titles(client.get("/search/", {"q": query}))


def save(client, report, *, subject=None, recommendations=None, sections=None):
    """Post the editor's form for `report` as it stands, with the changes given."""
    report = Report.objects.get(pk=report.pk)
    if recommendations is None:
        recommendations = [(r.pk, r.text) for r in report.recommendations.all()]
    if sections is None:
        sections = [(s.pk, s.heading, s.body) for s in report.sections.all()]
    data = editor_data(
        version=report.version,
        subject=report.subject if subject is None else subject,
        summary=report.summary,
        recommendations=recommendations,
        sections=sections,
    )
    assert client.post(f"/reports/{report.pk}/edit/", data).status_code == 302


def test_it_keeps_the_search_document_current_after_each_kind_of_change(login, demo):
    client = login(demo.officer)
    draft = demo.draft
    subject = draft.subject

    save(client, draft, subject="Quillwort meadows")
    assert found(client, "quillwort") == ["Quillwort meadows"]
    save(client, draft, subject=subject)
    assert found(client, "quillwort") == []

    kept = [(r.pk, r.text) for r in draft.recommendations.all()]
    save(client, draft, recommendations=[*kept, "Fund the xylograph archive"])
    assert found(client, "xylograph") == [subject]
    save(client, draft, recommendations=kept)
    assert found(client, "xylograph") == []

    kept = [(s.pk, s.heading, s.body) for s in draft.sections.all()]
    save(client, draft, sections=[*kept, ("Background", "<p>The <strong>marram</strong> dunes</p>")])
    assert found(client, "marram") == [subject]
    save(client, draft, sections=kept)
    assert found(client, "marram") == []

    pdf = disarm_pdf(io.BytesIO(text_pdf("A survey")))
    appendix = services.appendix_add(
        report=draft, title="Vetchling survey", pdf=pdf, filename="s.pdf", user=demo.officer
    )
    assert found(client, "vetchling") == [subject]
    services.appendix_remove(appendix=appendix, user=demo.officer)
    assert found(client, "vetchling") == []


def test_a_report_withdrawn_from_publication_is_not_found_publicly_any_more(
    client, demo, django_capture_on_commit_callbacks
):
    meeting, public, _ = publish_upcoming(demo, django_capture_on_commit_callbacks)
    assert found(client, "Better Care Fund") == [PUBLIC_SUBJECT]
    board_services.meeting_cancel(meeting=meeting, user=demo.clerk)
    assert found(client, "Better Care Fund") == []


def test_it_stems_and_understands_the_syntax_on_any_database(client, demo):
    assert found(client, "inequality") == SEED  # "inequalities" in the subject: stemmed on SQLite too
    assert found(client, '"Liverpool City Region"') == SEED
    assert found(client, '"Region City Liverpool"') == []  # a phrase, not three words
    assert found(client, "inequalities -liverpool") == []
    assert found(client, "inequalities or nonsenseword") == SEED
    assert found(client, "nonsenseword") == []


@pytest.mark.parametrize(
    "query",
    [
        "the of and a",  # only stop words
        '"liverpool city',  # an unbalanced quote
        'inequalities "',
        "-",
        "- -- ---",
        "a & | !b",
        ":*",
        "inequalities:*",
        "NOT OR AND NEAR(a b)",
        "inégalités Liverpoöl café",
        "Ливерпуль 利物浦 ليفربول",
        " ".join(["health"] * 28),  # 195 characters, 28 terms
        "x" * 200,
    ],
)
def test_it_answers_any_query_with_results_or_a_clear_message(client, demo, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "found" in html and ("No reports match" in html or response.context["page"].object_list)


def test_it_finds_a_phrase_with_an_unbalanced_quote(client, demo):
    assert found(client, '"liverpool city') == SEED


def test_a_query_too_long_is_refused_with_a_clear_message(client, demo):
    response = client.get("/search/", {"q": "health " * 286})  # 2,000 characters
    assert response.status_code == 400
    assert "Search for at most 200 characters" in response.content.decode()


def test_a_page_past_the_end_shows_the_last_page(client, demo):
    response = client.get("/search/", {"q": "inequalities", "page": "99"})
    assert titles(response) == SEED


def make_matches(author, board, count, start=0):
    for n in range(start, start + count):
        report = Report.objects.create(author=author, board=board, subject=f"Kelpie survey {n}", summary="Kelpies.")
        reindex_report(report)


def test_the_query_count_does_not_grow_with_the_matches(login, demo):
    client = login(demo.officer)
    make_matches(demo.officer, demo.board, 3)
    with CaptureQueriesContext(connection) as three:
        assert len(found(client, "kelpie")) == 3
    make_matches(demo.officer, demo.board, 27, start=3)
    with CaptureQueriesContext(connection) as thirty:
        response = client.get("/search/", {"q": "kelpie"})
        assert response.context["page"].paginator.count == 30 and len(titles(response)) == 20
    assert len(three.captured_queries) == len(thirty.captured_queries)


def test_it_never_computes_a_document_at_query_time(client, demo):
    with CaptureQueriesContext(connection) as queries:
        found(client, "inequalities")
    sql = " ".join(q["sql"] for q in queries.captured_queries).lower()
    assert "to_tsvector" not in sql and "like" not in sql and "regexp_replace" not in sql


def test_a_search_document_is_kept_in_its_row_on_postgresql(demo):
    """Ranking reads every match's vector: kept in the row, not fetched from the TOAST table
    (reports.searchindex.keep_in_row)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: column storage")
    report = Report.objects.filter(subject=PUBLIC_SUBJECT).get()
    body = " ".join(f"word{n} place{n}" for n in range(120))  # a vector of 3 kB: moved out by default
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = 'reports_searchdocument'::regclass "
            "AND attname IN ('document', 'text')"
        )
        assert dict(cursor.fetchall()) == {"document": "m", "text": "m"}
        # Rows written to the TOAST table in this transaction, before and after the document is stored.
        moved_out = "SELECT pg_stat_get_xact_tuples_inserted(reltoastrelid) FROM pg_class WHERE relname = 'reports_searchdocument'"
        cursor.execute(moved_out)
        before = cursor.fetchone()[0]
        write_document(report.pk, report.subject, report.summary, body, using=connection)
        cursor.execute("SELECT pg_column_size(document) FROM reports_searchdocument WHERE report_id = %s", [report.pk])
        assert cursor.fetchone()[0] > 2500
        cursor.execute(moved_out)
        assert cursor.fetchone()[0] == before  # nothing was moved out


def form_data(form):
    """A bound form's POST data from its current values, as the browser would send it."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if isinstance(value, (list, tuple)):
            data[form.add_prefix(name)] = [str(getattr(v, "pk", v)) for v in value]
        else:
            data[form.add_prefix(name)] = "on" if value is True else str(getattr(value, "pk", value))
    return data


def test_an_edit_in_the_admin_reaches_the_search_document(login, demo):
    client = login(demo.admin)
    url = f"/admin/reports/report/{demo.draft.pk}/change/"
    page = client.get(url)
    data = form_data(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(form_data(formset.management_form))
        for form in formset.forms:
            data.update(form_data(form))
    data["subject"] = "Samphire beds"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert found(login(demo.officer), "samphire") == ["Samphire beds"]
