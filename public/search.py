"""Search over report subjects, summaries, recommendations, bodies and appendices' titles.

It reads the stored search document (reports.searchindex). On PostgreSQL: the `tsvector` under
its GIN index, the websearch syntax people type into search boxes, ranking with the subject
weighted highest. On SQLite: the FTS5 table with porter stemming, the same syntax translated
(phrases in quotes, `-word` to exclude, `or`), ranked by bm25 with the same weights' order.
Highlighted extracts are cut only for the page shown; the count reads the index only.

The set searched is always `readable_reports(user)`, in the same query, so nobody finds a report
they may not open.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import F
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe

from public.queries import readable_reports
from reports.models import Report, SearchDocument
from reports.searchindex import FTS_TABLE

# Highlight markers: control characters no report text holds, turned into <mark> only after the
# whole extract has been escaped.
START, STOP = "\x02", "\x03"
MAX_TERMS = 10  # words or phrases of a query searched; the rest are ignored, so every search is bounded


@dataclass
class Result:
    report: Report
    snippet: str
    rank: float = 0.0


def search_reports(user, query, *, board=None, date_from=None, date_to=None):
    """Reports `user` may open that match `query`, best first, as a queryset-like list of `Result`s."""
    reports = readable_reports(user).select_related("board", "meeting", "meeting__board")
    if board is not None:
        reports = reports.filter(board=board)
    if date_from:
        reports = reports.filter(meeting__starts_at__date__gte=date_from)
    if date_to:
        reports = reports.filter(meeting__starts_at__date__lte=date_to)
    query = " ".join(query.split())
    if not query:
        return []
    if connection.vendor == "postgresql":
        return PostgresSearch(reports, query)
    return SqliteSearch(reports, query)


class _LazyResults:
    """Results a Paginator can count and slice, cutting extracts only for the page shown."""

    def __init__(self, reports):
        self.reports = reports  # the matching reports, unordered: what is counted
        self.matches = reports  # the same, best first

    def count(self):
        return self.reports.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self.page(index.start or 0, index.stop)
        return self.page(index, index + 1)[0]

    def page(self, start, stop):
        rows = list(self.matches[start:stop])
        extracts = self.extracts([row.pk for row in rows]) if rows else {}
        return [Result(row, _marked(extracts.get(row.pk, "")), row.rank) for row in rows]


def _words(text):
    return re.findall(r"\w+", text)


def parse_query(query):
    """The websearch syntax as (alternatives, excluded): alternatives is a list of OR-groups of terms,
    each term a tuple of words (a phrase if more than one); excluded a list of terms."""
    groups, excluded, join_next = [], [], False
    for match in re.finditer(r'(-?)"([^"]*)"?|(\S+)', query):
        negated, phrase, token = match.group(1), match.group(2), match.group(3)
        if token is not None:
            if token.lower() == "or":
                join_next = bool(groups)
                continue
            negated = token.startswith("-")
            phrase = token.lstrip("-")
        words = tuple(_words(phrase))
        if not words:
            continue
        if negated:
            excluded.append(words)
        elif join_next:
            groups[-1].append(words)
        else:
            groups.append([words])
        join_next = False
        if len(groups) + len(excluded) >= MAX_TERMS:
            break
    return groups, excluded


def fts_query(query):
    """The query in FTS5's syntax, every term quoted (so nothing typed is read as an operator); None if nothing to find."""
    groups, excluded = parse_query(query)
    if not groups:
        return None

    def quoted(words):
        return '"' + " ".join(words) + '"'

    expression = " AND ".join("(" + " OR ".join(quoted(t) for t in group) + ")" for group in groups)
    for words in excluded:
        expression = f"({expression}) NOT {quoted(words)}"
    return expression


class PostgresSearch(_LazyResults):
    def __init__(self, reports, query):
        self.search_query = SearchQuery(query, search_type="websearch", config="english")
        super().__init__(reports.filter(search_document__document=self.search_query))
        self.matches = self.reports.annotate(
            rank=SearchRank(F("search_document__document"), self.search_query)
        ).order_by("-rank", F("meeting__starts_at").desc(nulls_last=True), "-pk")

    def extracts(self, pks):
        rows = SearchDocument.objects.filter(report__in=pks).annotate(
            headline=SearchHeadline(
                "text",
                self.search_query,
                config="english",
                start_sel=START,
                stop_sel=STOP,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )
        return dict(rows.values_list("report_id", "headline"))


class SqliteSearch(_LazyResults):
    # bm25 weights of the subject, the summary and recommendations, the bodies: the subject counts most.
    RANK = f"SELECT bm25({FTS_TABLE}, 10.0, 4.0, 1.0) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid = {Report._meta.db_table}.id"  # noqa: S608 - constants
    MATCHING = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608 - constants

    def __init__(self, reports, query):
        self.fts_query = fts_query(query)
        if self.fts_query is None:
            reports = reports.none()
        else:
            reports = reports.filter(pk__in=RawSQL(self.MATCHING, [self.fts_query]))  # noqa: S611 - the query is a parameter
        super().__init__(reports)
        # bm25 is lower for a better match.
        rank = RawSQL(self.RANK, [self.fts_query])  # noqa: S611 - the query is a parameter
        self.matches = self.reports.annotate(rank=rank).order_by(
            "rank", F("meeting__starts_at").desc(nulls_last=True), "-pk"
        )

    def extracts(self, pks):
        placeholders = ", ".join(["%s"] * len(pks))
        snippets = ", ".join(f"snippet({FTS_TABLE}, {column}, %s, %s, ' … ', 30)" for column in (1, 2))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, {snippets} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid IN ({placeholders})",  # noqa: S608 - placeholders only
                [START, STOP, START, STOP, self.fts_query, *pks],
            )
            # The extract with a match in it: the summary's, else the bodies'; else the summary's start.
            return {pk: summary if START in summary or START not in body else body for pk, summary, body in cursor}


def _marked(text):
    """Escape an extract, then turn the highlight markers into <mark>."""
    text = " ".join((text or "").split())
    text = escape(text.replace(START + STOP, "")).replace(START, "<mark>").replace(STOP, "</mark>")
    # A marker cut off by the extract's end must not leave an element open.
    if text.count("<mark>") > text.count("</mark>"):
        text += "</mark>"
    return mark_safe(text)  # noqa: S308 - escaped above; only <mark> is added
