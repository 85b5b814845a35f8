from django.urls import path

from reader import offline

# The offline parts of the reader (reader/offline.py); included last by reader/urls.py.
urlpatterns = [
    path("sw.js", offline.service_worker, name="sw"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("meetings/<int:meeting_pk>/offline.json", offline.offline_list, name="offline"),
    path("api/offline-check/", offline.offline_check, name="offline_check"),
]
