from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_new, name="new"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/edit/", views.report_edit, name="edit"),
    path("<int:pk>/pdf/", views.report_pdf, name="pdf"),
    path("<int:pk>/appendices/", views.appendix_upload, name="appendix_upload"),
    path("<int:pk>/appendices/<int:appendix_pk>/", views.appendix_download, name="appendix"),
    path("<int:pk>/appendices/<int:appendix_pk>/delete/", views.appendix_delete, name="appendix_delete"),
]
