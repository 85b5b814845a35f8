from django.urls import path

from insight import api, views

app_name = "insight"

urlpatterns = [
    path("insight/", views.page, name="page"),
    path("insight/reports/", views.report_list, name="reports"),
    path("insight/scorecard.pdf", views.scorecard, name="scorecard"),
    path("insight/<slug:table>.<slug:fmt>", views.export, name="export"),
]

api_patterns = [path("insight/", api.figures_view, name="insight")]
