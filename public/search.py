"""Search over report subjects, summaries, recommendations and bodies.

On PostgreSQL: full-text search (English stemming, the websearch syntax people type into search
boxes, ranking with the subject weighted highest, highlighted extracts). Elsewhere (SQLite, the
first-run default): every word must appear somewhere, case-insensitively.

The set searched is always `readable_reports(user)`, so nobody finds a report they may not open.
"""

import html
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Func, OuterRef, Q, Subquery, TextField, Value
from django.db.models.functions import Coalesce, Concat
from django.utils.html import escape
from django.utils.safestring import mark_safe

from public.queries import readable_reports
from reports.html import html_to_text
from reports.models import Recommendation, Report, Section

# Highlight markers for PostgreSQL's headline: control characters no report text holds, turned into
# <mark> only after the whole extract has been escaped.
START, STOP = "\x02", "\x03"
SNIPPET_CHARS = 240


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
    return SimpleSearch(reports, query)


class _LazyResults:
    """Results a Paginator can count and slice, building snippets only for the page shown."""

    def __init__(self, reports, query):
        self.reports = reports
        self.query = query

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self.page(index.start or 0, index.stop)
        return self.page(index, index + 1)[0]


def _html_text(expression):
    """SQL that drops the tags from stored rich text (PostgreSQL)."""
    return Func(
        expression, Value("<[^>]*>"), Value(" "), Value("g"), function="REGEXP_REPLACE", output_field=TextField()
    )


def _joined(model, expression):
    """One text of a report's rows (its recommendations, or its sections), for PostgreSQL."""
    from django.contrib.postgres.aggregates import StringAgg

    rows = (
        model.objects.filter(report=OuterRef("pk"))
        .order_by()
        .values("report")
        .annotate(text=StringAgg(expression, delimiter=" \n ", order_by=("position", "pk")))
        .values("text")
    )
    return Coalesce(Subquery(rows, output_field=TextField()), Value(""), output_field=TextField())


class PostgresSearch(_LazyResults):
    def __init__(self, reports, query):
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        super().__init__(reports, query)
        recommendations = _joined(Recommendation, "text")
        bodies = _joined(Section, Concat(F("heading"), Value(" \n "), _html_text(F("body")), output_field=TextField()))
        vector = (
            SearchVector("subject", weight="A", config="english")
            + SearchVector("summary", weight="B", config="english")
            + SearchVector(recommendations, weight="B", config="english")
            + SearchVector(bodies, weight="C", config="english")
        )
        self.search_query = SearchQuery(query, search_type="websearch", config="english")
        self.document = Concat(
            F("summary"), Value(" \n "), recommendations, Value(" \n "), bodies, output_field=TextField()
        )
        self.matches = (
            reports.annotate(search=vector, rank=SearchRank(vector, self.search_query))
            .filter(search=self.search_query)
            .order_by("-rank", F("meeting__starts_at").desc(nulls_last=True), "-pk")
        )

    def count(self):
        return self.matches.count()

    def page(self, start, stop):
        from django.contrib.postgres.search import SearchHeadline

        rows = self.matches.annotate(
            headline=SearchHeadline(
                self.document,
                self.search_query,
                config="english",
                start_sel=START,
                stop_sel=STOP,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )[start:stop]
        return [Result(row, _marked(html.unescape(row.headline or "")), row.rank) for row in rows]


def _marked(text):
    """Escape an extract, then turn the highlight markers into <mark>."""
    text = escape(text.replace(START + STOP, "")).replace(START, "<mark>").replace(STOP, "</mark>")
    # A marker cut off by the extract's end must not leave an element open.
    if text.count("<mark>") > text.count("</mark>"):
        text += "</mark>"
    return mark_safe(text)  # noqa: S308 - escaped above; only <mark> is added


class SimpleSearch(_LazyResults):
    MAX_WORDS = 10

    def __init__(self, reports, query):
        super().__init__(reports, query)
        self.words = [w for w in dict.fromkeys(query.lower().split()) if w][: self.MAX_WORDS]
        for word in self.words:
            # Each word may be in a different part of the report (subject, a recommendation, a section).
            reports = reports.filter(
                Q(subject__icontains=word)
                | Q(summary__icontains=word)
                | Q(pk__in=Recommendation.objects.filter(text__icontains=word).values("report"))
                | Q(
                    pk__in=Section.objects.filter(Q(heading__icontains=word) | Q(body__icontains=word)).values("report")
                )
            )
        self.matches = reports.order_by(F("meeting__starts_at").desc(nulls_last=True), "-pk")

    def count(self):
        return self.matches.count()

    def page(self, start, stop):
        rows = list(self.matches.prefetch_related("recommendations", "sections")[start:stop])
        # Reports whose subject matches come first within the page.
        rows.sort(key=lambda r: not any(w in r.subject.lower() for w in self.words))
        return [Result(row, self.snippet(row)) for row in rows]

    def snippet(self, report):
        texts = [report.summary]
        texts += [r.text for r in report.recommendations.all()]
        texts += [f"{s.heading}. {html_to_text(s.body)}" for s in report.sections.all()]
        text = " … ".join(" ".join(t.split()) for t in texts if t.strip())
        lowered = text.lower()
        found = [lowered.find(w) for w in self.words if w in lowered]
        start = max(0, min(found) - SNIPPET_CHARS // 3) if found else 0
        extract = text[start : start + SNIPPET_CHARS]
        extract = ("… " if start else "") + extract + (" …" if start + SNIPPET_CHARS < len(text) else "")
        return _highlight(extract, self.words)


def _highlight(text, words):
    """Escape `text`, wrapping each occurrence of the words (any case) in <mark>."""
    if not words:
        return escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text):
        out += [escape(text[last : match.start()]), "<mark>", escape(match.group(0)), "</mark>"]
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece of text is escaped; only <mark> is added
