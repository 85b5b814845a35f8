"""The insight figures in the open data API (/api/v1/insight/): the public's figures only, as JSON.

OParl has no type for them, so they are an object of our own (`committee:Insight`), like the
decision notices. Same filters as the page: `date_from`, `date_to` (YYYY-MM-DD), `board` (a board's
slug), `directorate` (its id). Nothing exempt or unpublished is counted, whoever asks.
"""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from boards.public_cache import cached_public_page
from insight.forms import InsightForm
from insight.selectors import Scope, decisions_for, figures, plain_rows
from public.api import VENDOR, error_object


def _json(data, status=200):
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=60"
    return response


def insight_object(request, scope, counted, tables):
    return {
        "id": request.build_absolute_uri(),
        "type": VENDOR + "Insight",
        "dateFrom": scope.date_from.isoformat() if scope.date_from else None,
        "dateTo": scope.date_to.isoformat() if scope.date_to else None,
        "organization": scope.board.slug if scope.board else None,
        "directorate": scope.directorate.name if scope.directorate else None,
        "decisions": counted["total"],
        "tables": {
            key: {"title": table.title, "columns": rows[0], "rows": rows[1:]}
            for key, table in tables.items()
            for rows in [plain_rows(table)]
        },
    }


@csrf_exempt
@cached_public_page()
def figures_view(request):
    if request.method not in ("GET", "HEAD"):
        response = _json(error_object(405, "Only GET and HEAD are answered here."), 405)
        response["Allow"] = "GET, HEAD"
        return response
    form = InsightForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        errors = "; ".join(f"{field}: {' '.join(e)}" for field, e in form.errors.items())
        return _json(error_object(400, errors), 400)
    scope = form.scope() if form.is_bound else Scope()
    counted, tables = figures(scope.apply(decisions_for(None)))
    return _json(insight_object(request, scope, counted, tables))
