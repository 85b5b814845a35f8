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
from datetime import datetime
from html import escape

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, F, Window
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.safestring import mark_safe

from boards import clock
from public.queries import readable_reports_marked
from reports.models import Report, SearchDocument
from reports.searchindex import FTS_TABLE

# Highlight markers: control characters no report text holds, turned into <mark> only after the
# whole extract has been escaped.
START, STOP = "\x02", "\x03"
# What a result prints (Found): its reports are read as these values alone.
PRINTED = ("pk", "subject", "status", "is_exempt", "internal", "board__name", "meeting__starts_at")
MAX_TERMS = 10  # words or phrases of a query searched; the rest are ignored, so every search is bounded


@dataclass(frozen=True, slots=True)
class Found:
    """What a result prints of its report (public.templatetags.public_tags.search_results), read as
    values: a page's twenty reports are not built as models with their board and meeting, which was a
    good part of what a search's time grew by with its results (issue 21)."""

    pk: int
    subject: str
    status: str
    is_exempt: bool
    internal: bool  # opened inside (/reports/<id>/), not as a public paper
    board: str | None  # the board's name
    starts_at: datetime | None  # the meeting's

    @property
    def title(self):
        return self.subject or "Untitled report"

    def get_status_display(self):
        return Report.Status(self.status).label

    @property
    def date_display(self):
        return clock.in_words(timezone.localtime(self.starts_at).date()) if self.starts_at else ""


@dataclass
class Result:
    report: Found
    snippet: str
    rank: float = 0.0


def search_reports(user, query, *, board=None, date_from=None, date_to=None):
    """Reports `user` may open that match `query`, best first, as a queryset-like list of `Result`s.

    Each result says whether `user` opens the report inside (`internal`: /reports/<id>/) or as a
    public paper, found in the same query as the page.
    """
    # The gate, and whether each report is opened inside or as a public paper, in one subquery.
    reports = readable_reports_marked(user)
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
    """Results a Paginator can count and slice, cutting extracts only for the page shown.

    `fetch(start, stop)` reads a page before the Paginator asks: on PostgreSQL the page's rows and
    the number of all matches come in one query (a window count), so the gate that decides what this
    visitor may open is run once, not once to count and again for the page.
    """

    def __init__(self, reports):
        self.reports = reports  # the matching reports, unordered: what is counted
        self.matches = reports  # the same, best first
        self._fetched = None  # (start, stop, rows, total) of the page read ahead

    def fetch(self, start, stop):
        rows = list(self.matches.annotate(total=Window(Count("pk"))).values_list(*PRINTED, "rank", "total")[start:stop])
        self._fetched = (start, stop, [row[:-1] for row in rows], rows[0][-1] if rows else None)

    def count(self):
        if self._fetched and self._fetched[3] is not None:
            return self._fetched[3]
        return self.reports.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self.page(index.start or 0, index.stop)
        return self.page(index, index + 1)[0]

    def page(self, start, stop):
        if self._fetched and self._fetched[0] <= start and stop <= self._fetched[1]:
            first = self._fetched[0]  # the Paginator cuts the last page short of the page read ahead
            rows = self._fetched[2][start - first : stop - first]
        else:
            rows = list(self.matches.values_list(*PRINTED, "rank")[start:stop])
        extracts = self.extracts([row[0] for row in rows]) if rows else {}
        return [Result(Found(*row[:-1]), _marked(extracts.get(row[0], "")), row[-1]) for row in rows]


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
    # ts_headline parses all the text it is given, and a report's text runs to thousands of words: it is
    # given a window of 320 characters from just before the first place the query's first word's stem
    # occurs (or from the text's start), room for one fragment of up to 30 words, so an extract costs the
    # same whatever the report's length. A page shows twenty, and their extracts are most of what a
    # search's time grows by with its matches (issue 21): 0.07 ms an extract at 10,000 reports, where two
    # fragments from a window of 1,500 characters, and the whole text lower-cased to find the stem, cost
    # 0.2 ms. The stem is looked for as it is written, and only where it is not, in the lower-cased text;
    # it is a scalar subquery, worked out once for the query, not once a row.
    STEM = "(SELECT btrim(split_part(querytree(plainto_tsquery('english', %s)), ' ', 1), chr(39)))"
    WINDOW = (
        f"substr(text, greatest(1, coalesce(nullif(strpos(text, {STEM}), 0), strpos(lower(text), {STEM})) - 80), 320)"
    )

    def __init__(self, reports, query):
        self.search_query = SearchQuery(query, search_type="websearch", config="english")
        groups, _ = parse_query(query)
        self.first_word = groups[0][0][0] if groups else ""
        super().__init__(reports.filter(search_document__document=self.search_query))
        self.matches = self.reports.annotate(
            rank=SearchRank(F("search_document__document"), self.search_query)
        ).order_by("-rank", F("meeting__starts_at").desc(nulls_last=True), "-pk")

    def extracts(self, pks):
        rows = SearchDocument.objects.filter(report__in=pks).annotate(
            headline=SearchHeadline(
                RawSQL(self.WINDOW, [self.first_word] * 2),  # noqa: S611 - the word is a parameter
                self.search_query,
                config="english",
                start_sel=START,
                stop_sel=STOP,
                max_words=30,
                min_words=15,
                max_fragments=1,
            )
        )
        return dict(rows.values_list("report_id", "headline"))


class SqliteSearch(_LazyResults):
    """FTS5 ranks every match in one pass (bm25, the subject weighted most), joined in the same query to
    the permission gate, so a search costs a few microseconds per match; the reports themselves are read
    for the page shown."""

    # bm25 weights of the subject, the summary and recommendations, the bodies: the subject counts most.
    # The gate's SQL is joined in (ranked()): SQLite then walks the matches and looks each up in the gate,
    # where the gate asked apart, with the matches as `pk IN (...)`, was run over every report: 1.6 ms a
    # visitor's search at 10,000 reports and 4.9 ms a signed-in one's, against 0.35 and 0.5 ms joined.
    RANKED = f"SELECT found.rowid, bm25({FTS_TABLE}, 10.0, 4.0, 1.0) AS score, gate.internal FROM {FTS_TABLE} found JOIN ({{gate}}) gate ON gate.pk = found.rowid WHERE {FTS_TABLE} MATCH %s ORDER BY score, found.rowid DESC"  # noqa: S608 - constants, and the gate's SQL as Django makes it (its values are parameters)

    def __init__(self, reports, query):
        # `reports` is the gate alone: the matches are found, ranked and counted by ranked().
        super().__init__(reports)
        self.fts_query = fts_query(query)
        self._ranked = None

    def ranked(self):
        """(pk, bm25) of every match this visitor may open, best first (bm25 is lower for a better match)."""
        if self._ranked is None:
            self._ranked, self._internal = [], {}
            if self.fts_query is not None:
                gate, params = self.reports.order_by().values_list("pk", "internal").query.sql_with_params()
                with connection.cursor() as cursor:
                    cursor.execute(self.RANKED.replace("{gate}", gate), [*params, self.fts_query])
                    rows = cursor.fetchall()
                self._ranked = [(pk, score) for pk, score, _ in rows]
                self._internal = {pk: bool(internal) for pk, _, internal in rows}
        return self._ranked

    def fetch(self, start, stop):
        """Nothing to read ahead: the ranking is one pass over the index, kept for count and page."""

    def count(self):
        return len(self.ranked())

    def page(self, start, stop):
        chosen = self.ranked()[start:stop]
        if not chosen:
            return []
        # Already through the gate (ranked()): the page's reports are read by their ids alone.
        rows = Report.objects.filter(pk__in=[pk for pk, _ in chosen]).values_list(*PRINTED[:4], *PRINTED[5:])
        reports = {row[0]: Found(*row[:4], self._internal[row[0]], *row[4:]) for row in rows}
        extracts = self.extracts(list(reports))
        return [Result(reports[pk], _marked(extracts.get(pk, "")), score) for pk, score in chosen if pk in reports]

    def extracts(self, pks):
        # highlight() marks every match in a column, reading its words once; snippet() reads them twice (for
        # the sentences, then to mark them), and the bodies' snippets were most of what a search's time grew
        # by with its results here (issue 21): 42 µs a result at 10,000 reports, against 21 µs. The extract
        # is then cut around the first mark (around_first_mark). The page's ids are tested as `+rowid`, a
        # plain filter on the matches: as `rowid IN (...)` FTS5 would be asked the query again for each id
        # (0.3 ms for twenty, against 0.03).
        placeholders = ", ".join(["%s"] * len(pks))
        marked = ", ".join(f"highlight({FTS_TABLE}, {column}, %s, %s)" for column in (1, 2))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, {marked} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND +rowid IN ({placeholders})",  # noqa: S608 - placeholders only
                [START, STOP, START, STOP, self.fts_query, *pks],
            )
            # The extract with a match in it: the summary's, else the bodies'; else the summary's start.
            return {
                pk: around_first_mark(summary if START in summary or START not in body else body)
                for pk, summary, body in cursor
            }


EXTRACT_WORDS, WORDS_BEFORE = 30, 10


def around_first_mark(text):
    """The EXTRACT_WORDS words of `text` from WORDS_BEFORE before its first marked word (or from its
    start), with "…" where it was cut."""
    at = max(text.find(START), 0)
    head = text[:at].rsplit(maxsplit=WORDS_BEFORE)
    cut_before = len(head) > WORDS_BEFORE  # the first piece is all that comes before the words kept
    head = head[1:] if cut_before else head
    tail = text[at:].split(maxsplit=EXTRACT_WORDS - len(head))
    cut_after = len(tail) > EXTRACT_WORDS - len(head)
    tail = tail[: EXTRACT_WORDS - len(head)]
    if head and tail and at and not text[at - 1].isspace():  # the mark is inside a word: "(geothermal)"
        tail[0] = head.pop() + tail[0]
    return ("… " if cut_before else "") + " ".join(head + tail) + (" …" if cut_after else "")


def _marked(text):
    """Escape an extract, then turn the highlight markers into <mark>."""
    text = " ".join((text or "").split())
    text = escape(text.replace(START + STOP, "")).replace(START, "<mark>").replace(STOP, "</mark>")
    # A marker cut off by the extract's end must not leave an element open.
    if text.count("<mark>") > text.count("</mark>"):
        text += "</mark>"
    return mark_safe(text)  # noqa: S308 - escaped above; only <mark> is added
