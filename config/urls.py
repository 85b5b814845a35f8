from django.contrib import admin
from django.urls import include, path

from config import views
from public.urls import api_patterns
from reports import views as report_views

admin.site.site_header = "Committee reports: administration"
admin.site.site_title = "Committee reports"

urlpatterns = [
    path("", report_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("reports/", include("reports.urls")),
    path("", include("boards.urls")),
    path("", include("public.urls")),
    path("api/v1/", include((api_patterns, "api"))),
]
