"""The insight page: what the council's decisions add up to, its drill-down, its exports and its scorecard.

Visitors see the public's figures (published, non-exempt reports only), from the public page cache;
signed-in people see the figures of every report they may read, or the public's with ?view=public.
"""

import csv
import datetime as dt
import io
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_safe

from boards.public_cache import cached_public_page
from insight import charts
from insight.forms import InsightForm
from insight.selectors import (
    Scope,
    decisions_for,
    figure_filter,
    figure_label,
    figures,
    financial_year,
    plain_rows,
    years_available,
)

PER_PAGE = 50
TABLES = ("climate", "training", "equality", "purposes", "quarters")


def _form(request):
    form = InsightForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    return form, valid


def _is_public(request, form):
    return not request.user.is_authenticated or (form.is_bound and form.cleaned_data.get("view") == "public")


def _scoped(request, form):
    """The decisions the form asks for, as the person asking may see them."""
    reports = decisions_for(None if _is_public(request, form) else request.user)
    scope = form.scope() if form.is_bound else Scope()
    return scope, scope.apply(reports)


def _query(request, **changes):
    """The page's query string with `changes` made (None removes a key), for links to the same figures."""
    params = {k: v for k, v in request.GET.items() if v and k not in ("page", "figure")}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return urlencode(params)


def _day(day):
    return f"{day.day} {day:%B %Y}"


def period_words(scope, counted=None):
    """The period as the summary says it: "in 2022/23", "from 1 May 2023 to 30 June 2023", "since ..."."""
    start, end = scope.date_from, scope.date_to
    if start and end and start.month == 4 and start.day == 1 and end == dt.date(start.year + 1, 3, 31):
        return f"in {start.year}/{str(start.year + 1)[2:]}"
    if start and end:
        return f"from {_day(start)} to {_day(end)}"
    if start:
        return f"since {_day(start)}"
    if end:
        return f"up to {_day(end)}"
    if counted and counted.get("first"):
        first, last = (timezone.localtime(counted[k]).date() for k in ("first", "last"))
        return f"from {_day(first)} to {_day(last)}"
    return ""


def _n(count, word="decision"):
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_sentences(counted, tables, scope, public):
    """A few plain sentences of the figures, the largest first: the top of the page and of the scorecard."""
    total = counted["total"]
    where = f" of the {scope.board}" if scope.board else ""
    where += f" in {scope.directorate}" if scope.directorate else ""
    period = period_words(scope, counted)
    if not total:
        return [f"There are no {'published ' if public else ''}decisions{where} {period} to count.".replace("  ", " ")]
    climate = {k: counted[f"climate_{k}"] for k in ("positive", "neutral", "negative", "none")}
    said = sorted(((n, k) for k, n in climate.items() if k != "none" and n), reverse=True)
    impacts = [f"{n} a {k} climate impact" for n, k in said]
    if impacts:
        impacts[0] = impacts[0].replace(" a ", " declared a ", 1)
    first = f"Of {_n(total)}{where} {period}, " + (
        ", ".join(impacts[:-1]) + " and " + impacts[-1] if len(impacts) > 1 else (impacts[0] if impacts else "")
    )
    if climate["none"]:
        first += ("; " if impacts else "") + f"{climate['none']} made no climate declaration"
    sentences = [first.rstrip(", ") + "."]
    trained = counted["training_yes"]
    sentences.append(
        f"The authors of {trained} ({round(100 * trained / total)}%) had undertaken the Climate Emergency training."
    )
    assessed, no_implications = counted["equality_assessed"], counted["equality_none"]
    sentences.append(
        f"{assessed} {'was' if assessed == 1 else 'were'} backed by an equality impact assessment; "
        f"{no_implications} said there were no equality implications."
    )
    purposes = sorted(tables["purposes"].rows, key=lambda row: -row[1])
    if purposes and purposes[0][1]:
        name, n, _ = purposes[0]
        sentences.append(f"The core purpose most reports contribute to is “{name}” ({_n(n, 'report')}).")
    if not public and counted["exempt"]:
        sentences.append(
            f"{_n(counted['exempt'], 'exempt report')} {'is' if counted['exempt'] == 1 else 'are'} counted here: "
            "the public page leaves them out."
        )
    return sentences


def _presets(request, years):
    """Links to whole financial years, newest first (at most six)."""
    return [
        (f"{y}/{str(y + 1)[2:]}", _query(request, date_from=f"{y}-04-01", date_to=f"{y + 1}-03-31")) for y in years[:6]
    ]


def _page_context(request, form):
    public = _is_public(request, form)
    scope, reports = _scoped(request, form)
    counted, tables = figures(reports)
    years = years_available(public)
    colours = {"climate": charts.CLIMATE_COLOURS}
    for key, table in tables.items():
        table.chart = charts.stacked_columns(table) if key == "quarters" else charts.bars(table, colours.get(key))
    return {
        "form": form,
        "public": public,
        "scope": scope,
        "counted": counted,
        "tables": [tables[k] for k in TABLES],
        "sentences": summary_sentences(counted, tables, scope, public),
        "presets": _presets(request, years),
        "query": _query(request),
        "all_dates": _query(request, date_from=None, date_to=None),
        "current_year": financial_year(timezone.localdate()),
        "climate_legend": [(label, charts.CLIMATE_COLOURS[key]) for key, label in charts.CLIMATE],
    }


@require_safe
@cached_public_page()
def page(request):
    """The insight page: the summary, a chart and a table per figure block, the trend by quarter."""
    form, valid = _form(request)
    if not valid:
        return render(request, "insight/page.html", {"form": form, "public": _is_public_anyway(request)}, status=400)
    return render(request, "insight/page.html", _page_context(request, form))


def _is_public_anyway(request):
    return not request.user.is_authenticated or request.GET.get("view") == "public"


@require_safe
@cached_public_page()
def report_list(request):
    """The reports behind one figure, newest first, each linked to its page."""
    form, valid = _form(request)
    if not valid:
        return render(request, "insight/reports.html", {"form": form}, status=400)
    figure = form.cleaned_data.get("figure", "") if form.is_bound else ""
    public = _is_public(request, form)
    scope, reports = _scoped(request, form)
    behind = figure_filter(reports, figure)
    if behind is None:
        form.add_error("figure", "There is no such figure: go back to the insight page and choose one.")
        return render(request, "insight/reports.html", {"form": form}, status=400)
    behind = behind.select_related("board", "agenda_item__meeting", "meeting").order_by("-decided_at", "-pk")
    page_obj = Paginator(behind, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "insight/reports.html",
        {
            "form": form,
            "page": page_obj,
            "public": public,
            "label": figure_label(figure),
            "period": period_words(scope),
            "scope": scope,
            "query": _query(request),
            "page_query": _query(request, figure=figure or None),
        },
    )


def csv_bytes(rows):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # with a byte order mark: Excel then reads it as UTF-8


def ods_bytes(title, rows):
    """An OpenDocument spreadsheet of `rows` (the first is the header), through odfpy."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    sheet = Table(name=title[:31])
    for row in rows:
        tr = TableRow()
        for value in row:
            if isinstance(value, int | float) and not isinstance(value, bool):
                cell = TableCell(valuetype="float", value=value)
            else:
                cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(value)))
            tr.addElement(cell)
        sheet.addElement(tr)
    document.spreadsheet.addElement(sheet)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "ods": "application/vnd.oasis.opendocument.spreadsheet"}


@require_safe
@cached_public_page()
def export(request, table, fmt):
    """One figure block as CSV or as an OpenDocument spreadsheet, for the period and board asked."""
    if table not in TABLES or fmt not in CONTENT_TYPES:
        raise Http404("No such table")
    form, valid = _form(request)
    if not valid:
        return render(request, "insight/page.html", {"form": form, "public": _is_public_anyway(request)}, status=400)
    _, reports = _scoped(request, form)
    chosen = figures(reports)[1][table]
    rows = plain_rows(chosen)
    data = csv_bytes(rows) if fmt == "csv" else ods_bytes(chosen.title, rows)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="insight-{table}.{fmt}"'
    return response


def scorecard_pdf_bytes(context):
    """(PDF bytes) of the one-page scorecard; rendered only when what it prints has changed."""
    from reports import pdf as report_pdf

    return report_pdf.stored_html_pdf(render_to_string("insight/pdf/scorecard.html", context), "insight/scorecards")[0]


@require_safe
def scorecard(request):
    """The printable one-page summary for a period: evidence for the Climate Action Scorecards."""
    form, valid = _form(request)
    if not valid:
        return render(request, "insight/page.html", {"form": form, "public": _is_public_anyway(request)}, status=400)
    context = _page_context(request, form)
    context.update(
        {
            "council": settings.COUNCIL_NAME,
            "today": timezone.localdate(),
            "period": period_words(context["scope"], context["counted"]),
        }
    )
    response = HttpResponse(scorecard_pdf_bytes(context), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="climate-and-equality-scorecard.pdf"'
    return response
