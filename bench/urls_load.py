"""The project's URLs plus one trivial view, for bench/load.py's ceiling (bench/settings_load.py)."""

from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_GET


@require_GET
def minimal(request):
    """The least a Django view can do: a short response through the full middleware stack."""
    return HttpResponse(b"ok\n", content_type="text/plain")


urlpatterns = [
    path("bench/minimal/", minimal, name="bench_minimal"),
    path("", include("config.urls")),
]
