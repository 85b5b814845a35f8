from django.urls import path

from wordio import views

app_name = "wordio"

urlpatterns = [
    path("new/word/", views.report_import, name="import"),
    path("<int:pk>/report.docx", views.report_export, name="export"),
    path("<int:pk>/word-import/", views.import_report, name="import_report"),
]
