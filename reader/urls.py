from django.urls import include, path

from reader import views

app_name = "reader"

# The members' reader (issue 20). The offline parts (service worker, manifest, offline.json, the
# offline check) are in reader/offline_urls.py, owned by the offline work; keep this include last.
urlpatterns = [
    path("", views.index, name="index"),
    path("meetings/<int:meeting_pk>/", views.meeting, name="meeting"),
    path("meetings/<int:meeting_pk>/items/<int:item_pk>/", views.item, name="item"),
    path("meetings/<int:meeting_pk>/search/", views.search, name="search"),
    path("meetings/<int:meeting_pk>/items/<int:item_pk>/report.pdf", views.report_pdf, name="report_pdf"),
    path(
        "meetings/<int:meeting_pk>/items/<int:item_pk>/appendices/<int:appendix_pk>.pdf",
        views.appendix_pdf,
        name="appendix_pdf",
    ),
    path("meetings/<int:meeting_pk>/notes.txt", views.notes_txt, name="notes_txt"),
    path("meetings/<int:meeting_pk>/notes.pdf", views.notes_pdf, name="notes_pdf"),
    path("meetings/<int:meeting_pk>/notes/delete/", views.notes_delete, name="notes_delete"),
    path("api/notes/", views.api_notes, name="api_notes"),
    path("api/notes/sync/", views.api_sync, name="api_sync"),
    path("", include("reader.offline_urls")),
]
