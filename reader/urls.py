from django.urls import include, path

app_name = "reader"

# The members' reader (issue 20). The offline parts (service worker, manifest, offline.json, the
# offline check) are in reader/offline_urls.py, owned by the offline work; keep this include last.
urlpatterns = [
    path("", include("reader.offline_urls")),
]
