"""The project's URLs plus two trivial views, for the benchmarks' baselines (bench/settings_load.py)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import include, path
from django.views.decorators.http import require_GET


@require_GET
def minimal(request):
    """The least a Django view can do: a short response through the full middleware stack."""
    return HttpResponse(b"ok\n", content_type="text/plain")


@require_GET
def empty_page(request):
    """The site's base template with nothing in it: what any page costs before its own content
    (bench/pages.py prints it for reference beside the budgets, which count from `minimal`)."""
    return render(request, "base.html")


urlpatterns = [
    path("bench/minimal/", minimal, name="bench_minimal"),
    path("bench/empty-page/", empty_page, name="bench_empty_page"),
    path("", include("config.urls")),
]
