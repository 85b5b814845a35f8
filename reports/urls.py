from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_new, name="new"),
    path("exempt/", views.exempt_papers, name="exempt_papers"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/edit/", views.report_edit, name="edit"),
    path("<int:pk>/pdf/", views.report_pdf, name="pdf"),
    path("<int:pk>/print/", views.report_print_preview, name="print_preview"),
    path("<int:pk>/submit/", views.report_submit, name="submit"),
    path("<int:pk>/consult/", views.report_consult, name="consult"),
    path("<int:pk>/sign-off/", views.report_sign_off, name="sign_off"),
    path("<int:pk>/return/", views.report_return, name="return"),
    path("<int:pk>/approve/", views.report_approve, name="approve"),
    path("<int:pk>/withdraw-approval/", views.report_withdraw_approval, name="withdraw_approval"),
    path("<int:pk>/forward-plan/accept/", views.forward_plan_accept, name="forward_plan_accept"),
    path("<int:pk>/release/", views.report_release, name="release"),
    path("<int:pk>/release/terms/", views.report_release_terms, name="release_terms"),
    path("<int:pk>/correction/", views.correction_open, name="correction_open"),
    path("<int:pk>/correction/republish/", views.correction_republish, name="correction_republish"),
    path("<int:pk>/correction/abandon/", views.correction_abandon, name="correction_abandon"),
    path("<int:pk>/history/", views.report_history, name="history"),
    path("<int:pk>/history/<int:version>/", views.report_version, name="version"),
    path("<int:pk>/compare/", views.report_compare, name="compare"),
    path("<int:pk>/appendices/", views.appendix_upload, name="appendix_upload"),
    path("<int:pk>/appendices/<int:appendix_pk>/", views.appendix_download, name="appendix"),
    path("<int:pk>/appendices/<int:appendix_pk>/delete/", views.appendix_delete, name="appendix_delete"),
    path("<int:pk>/appendices/<int:appendix_pk>/original/", views.appendix_original, name="appendix_original"),
    path("<int:pk>/appendices/<int:appendix_pk>/thumbnail.png", views.appendix_thumbnail, name="appendix_thumbnail"),
    path("<int:pk>/appendices/status/", views.appendix_status, name="appendix_status"),
    path("<int:pk>/figures/", views.figure_upload, name="figure_upload"),
    path("<int:pk>/figures/<int:figure_pk>/", views.figure_image, name="figure"),
]
