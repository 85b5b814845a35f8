"""The stored search document of each report: what public/search.py reads.

PostgreSQL: a row of `SearchDocument` holding a `tsvector` (subject weighted A, summary and
recommendations B, sections and appendices' titles C) under a GIN index, and the plain text the
highlighted extracts are cut from. SQLite: a row of the FTS5 table `reports_search_fts` (porter
stemming, accents folded), whose rowid is the report's id.

`reindex_report` is called by the services in the transaction that changes the text, so the
index is never behind the report. Whether a report may be found is not stored here: the
permission gate is applied when searching.
"""

from django.db import connection

from reports.html import html_to_text

FTS_TABLE = "reports_search_fts"


def document_parts(report, *, recommendations=None, sections=None):
    """The report's searchable text as (subject, summary and recommendations, bodies and appendices).

    `recommendations` and `sections`, in order, spare reading them again when the caller has just saved them.
    """
    if recommendations is None:
        recommendations = report.recommendations.order_by("position", "pk")
    if sections is None:
        sections = report.sections.order_by("position", "pk")
    recommendations = [r.text for r in recommendations]
    sections = [f"{s.heading}\n{html_to_text(s.body)}" for s in sections]
    appendices = [a.title for a in report.appendices.order_by("position", "pk")]
    return _joined(report, recommendations, sections, appendices)


def _joined(report, recommendations, sections, appendices):
    return (
        report.subject or "",
        "\n".join([report.summary or "", *recommendations]).strip(),
        "\n".join([*sections, *appendices]).strip(),
    )


def reindex_report(report, *, recommendations=None, sections=None):
    """Make the report's search document match its text as it stands (call inside the change's transaction).

    `recommendations` and `sections` are its rows in order, when the caller holds them as just saved.
    """
    if recommendations is None and sections is None:
        parts = _parts_read_at_once(report)
    else:
        parts = document_parts(report, recommendations=recommendations, sections=sections)
    write_document(report.pk, *parts, using=connection)


def _parts_read_at_once(report):
    """`document_parts(report)`, its recommendations, sections and appendices read in one plain
    statement: an autosave of the summary reindexes the report, and three querysets' compiling cost it
    more than the rest of the index (issue 21)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT 1, position, id, text, '' FROM reports_recommendation WHERE report_id = %s
            UNION ALL SELECT 2, position, id, heading, body FROM reports_section WHERE report_id = %s
            UNION ALL SELECT 3, position, id, title, '' FROM reports_appendix WHERE report_id = %s
            ORDER BY 1, 2, 3
            """,
            [report.pk] * 3,
        )
        rows = cursor.fetchall()
    recommendations = [text for kind, _, _, text, _ in rows if kind == 1]
    sections = [f"{heading}\n{html_to_text(body)}" for kind, _, _, heading, body in rows if kind == 2]
    appendices = [title for kind, _, _, title, _ in rows if kind == 3]
    return _joined(report, recommendations, sections, appendices)


def write_document(pk, subject, summary, body, *, using):
    """Store one report's search document (also used by the migration that indexes existing reports)."""
    with using.cursor() as cursor:
        if using.vendor == "postgresql":
            cursor.execute(
                """
                INSERT INTO reports_searchdocument (report_id, text, document)
                VALUES (%s, %s, setweight(to_tsvector('english', %s), 'A')
                             || setweight(to_tsvector('english', %s), 'B')
                             || setweight(to_tsvector('english', %s), 'C'))
                ON CONFLICT (report_id) DO UPDATE SET text = EXCLUDED.text, document = EXCLUDED.document
                """,
                [pk, f"{summary}\n{body}".strip(), subject, summary, body],
            )
        else:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [pk])  # noqa: S608 - a constant
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (rowid, subject, summary, body) VALUES (%s, %s, %s, %s)",  # noqa: S608
                [pk, subject, summary, body],
            )


def keep_in_row(schema_editor):
    """On PostgreSQL, keep each search document's vector and text in its row (STORAGE MAIN), and move the
    documents stored before there. A vector runs to 3.6 kB and hardly compresses, so by default it is moved
    out to the TOAST table, and ranking a match fetched it back from there, for every match a search has,
    not only the page's twenty (issue 21): ranking twenty documents took 0.50 ms kept out of the row and
    0.21 ms in it; the selective search's two queries at 10,000 reports (50 matches, twenty extracts) grew
    from 100 reports by 1.59 ms in the row against 1.82 ms out of it. PostgreSQL still moves a value out
    when the row cannot fit in a page otherwise."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE reports_searchdocument ALTER COLUMN document SET STORAGE MAIN, ALTER COLUMN text SET STORAGE MAIN"
    )
    # A value is stored anew only when it is written anew: an unchanged one keeps its place.
    schema_editor.execute("UPDATE reports_searchdocument SET document = document || ''::tsvector, text = text || ''")


def create_index(schema_editor):
    """The database's own part of the index: the GIN index, or the FTS5 table."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX reports_searchdocument_gin ON reports_searchdocument USING GIN (document)")
    else:
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
            "subject, summary, body, tokenize = 'porter unicode61 remove_diacritics 2')"
        )


def drop_index(schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS reports_searchdocument_gin")
    else:
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
