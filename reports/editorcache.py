"""The editor page's content, kept in the cache while nothing it prints has changed (issue 21).

An officer opens the editor on their draft many times a day, and each time the page rendered the
whole form: about forty fields, the lists of boards, meetings, posts, portfolios, wards,
implication types and core purposes, every recommendation and section, the appendices and
sign-offs, from eighteen queries. What it prints is kept here under a key made of everything it
prints, read in one statement (`editor_key`):

- the report's row, every column of it, as just read to check who may edit it (no query);
- the last historical row of the report (any save, any change of its wards) and of its
  recommendations, sections, implications and core purpose texts (every save or removal of one
  writes such a row: django-simple-history, and nothing updates them behind its back);
- its appendices and sign-offs, every column (an office file's conversion, a rebuilt PDF and a
  voided sign-off change their rows without a historical row), its last event, the names of whoever
  returned it last (the page says who), and what the last Word import of it left unplaced;
- the reference lists it offers, every column (boards, posts, portfolios, wards, implication types,
  core purposes) and, of meetings, what their choices print;
- the person (their id and what they may do): one person's page is never served to another.

So any change, by anyone, through any path that writes rows (an autosave from another tab, a
colleague's edit, a sign-off, a return, an appendix converting, a reference list edit) gives a new
key: there is nothing to invalidate, and a stale page cannot be served. Only the editor as stored
is kept (not a form shown again with what was posted, nor the completeness check). The CSRF token
is left out of what is kept and put in at each request. Entries expire after FRAGMENT_SECONDS.
"""

import functools
import hashlib

from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import get_token

from reports.models import (
    Appendix,
    CorePurpose,
    CorePurposeContribution,
    Implication,
    ImplicationType,
    Portfolio,
    Post,
    Recommendation,
    Report,
    Section,
    SignOff,
    Ward,
)

FRAGMENT_SECONDS = 600
# Stands for the CSRF token in what is kept (written by {% csrf_token %}, so nothing in it is escaped).
# Only the token's own attribute is replaced: text typed into a report that says the same is left alone.
CSRF_PLACEHOLDER = "csrf-token-of-this-request"  # noqa: S105 - a placeholder, not a secret
CSRF_ATTRIBUTE = f'name="csrfmiddlewaretoken" value="{CSRF_PLACEHOLDER}"'


def _text(column):
    return f"COALESCE(CAST({column} AS TEXT), '')"


def _rows_as_text(table, columns, where="1 = 1"):
    """A subquery giving the rows of `table` (those `where`) as one text: every column in `columns`."""
    joined = " || '|' || ".join(_text(connection.ops.quote_name(c)) for c in columns)
    aggregate = "string_agg(x, ';')" if connection.vendor == "postgresql" else "group_concat(x, ';')"
    return f"(SELECT {aggregate} FROM (SELECT {joined} AS x FROM {table} WHERE {where} ORDER BY id) rows_)"  # noqa: S608 - names from the models


def _last_history(model):
    table = model.history.model._meta.db_table
    return f"(SELECT MAX(history_id) FROM {table} WHERE report_id = %s)"  # noqa: S608


@functools.cache
def _key_statement(vendor):
    """The statement reading the key's parts, and how many times it takes the report's id."""
    del vendor  # the statement is written for the connection's database, once per kind of database
    from boards.models import Board, Meeting  # reports reads boards through its selectors at module level

    columns = {model: [f.column for f in model._meta.concrete_fields] for model in (Appendix, SignOff)}
    parts = [
        f"(SELECT MAX(history_id) FROM {Report.history.model._meta.db_table} WHERE id = %s)",  # noqa: S608
        *(_last_history(model) for model in (Recommendation, Section, Implication, CorePurposeContribution)),
        _rows_as_text(Appendix._meta.db_table, columns[Appendix], "report_id = %s"),
        _rows_as_text(SignOff._meta.db_table, columns[SignOff], "report_id = %s"),
        "(SELECT MAX(id) FROM reports_reportevent WHERE report_id = %s)",
        # Who returned it last, as the page names them.
        "(SELECT " + " || '|' || ".join(_text(c) for c in (  # noqa: S608 - constants
            "e.id", "a.first_name", "a.last_name", "a.username", "b.first_name", "b.last_name", "b.username",
        )) + " FROM reports_reportevent e LEFT JOIN accounts_user a ON a.id = e.actor_id "
        "LEFT JOIN accounts_user b ON b.id = e.on_behalf_of_id "
        "WHERE e.report_id = %s AND e.action = 'returned' ORDER BY e.at DESC, e.id DESC LIMIT 1)",
        "(SELECT " + _text("unplaced") + " FROM wordio_wordimport WHERE report_id = %s "  # noqa: S608
        "ORDER BY imported_at DESC, id DESC LIMIT 1)",
        *(
            _rows_as_text(model._meta.db_table, [f.column for f in model._meta.concrete_fields])
            for model in (Board, Post, Portfolio, Ward, ImplicationType, CorePurpose)
        ),
        _rows_as_text(Meeting._meta.db_table, ["id", "board_id", "starts_at", "status"]),
    ]  # fmt: skip
    statement = "SELECT " + ", ".join(parts)
    return statement, statement.count("%s")


def editor_key(report, user):
    """The cache key of the editor's content for `user` on `report` (read with report_row: every
    column), from everything the content prints; one statement."""
    statement, times = _key_statement(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(statement, [report.pk] * times)
        stamps = cursor.fetchone()
    row = [getattr(report, field.attname) for field in Report._meta.concrete_fields]
    who = (user.pk, user.sees_everything, user.is_author)
    digest = hashlib.blake2b(repr([row, stamps, who]).encode(), digest_size=20).hexdigest()
    return f"report-editor:{report.pk}:{user.pk}:{digest}"


def kept_content(key):
    """The content kept under `key`, or None."""
    return cache.get(key)


def keep_content(key, content):
    cache.set(key, content, FRAGMENT_SECONDS)


def with_csrf_token(request, content):
    """The kept content with this request's CSRF token where the placeholder stands."""
    return content.replace(CSRF_ATTRIBUTE, f'name="csrfmiddlewaretoken" value="{get_token(request)}"')
