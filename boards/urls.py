from django.urls import path

from boards import views

app_name = "boards"

urlpatterns = [
    path("boards/", views.board_list, name="list"),
    path("boards/new/", views.board_new, name="new"),
    path("boards/<slug:slug>/", views.board_detail, name="detail"),
    path("boards/<slug:slug>/settings/", views.board_settings, name="settings"),
    path("boards/<slug:slug>/retire/", views.board_retire, name="retire"),
    path("boards/<slug:slug>/members/", views.board_members, name="members"),
    path("boards/<slug:slug>/members/<int:pk>/", views.membership_detail, name="membership"),
    path("boards/<slug:slug>/members/<int:pk>/role/", views.membership_role, name="membership_role"),
    path("boards/<slug:slug>/members/<int:pk>/end/", views.membership_end, name="membership_end"),
    path("boards/<slug:slug>/programme/", views.programme, name="programme"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/move/", views.meeting_move, name="meeting_move"),
    path("meetings/<int:pk>/status/", views.meeting_status, name="meeting_status"),
    path("meetings/<int:pk>/decisions/", views.meeting_decisions, name="meeting_decisions"),
    path("meetings/<int:pk>/agenda/reports/", views.agenda_add_report, name="agenda_add_report"),
    path("meetings/<int:pk>/agenda/items/", views.agenda_add_item, name="agenda_add_item"),
    path("meetings/<int:pk>/agenda/items/<int:item_pk>/remove/", views.agenda_remove_item, name="agenda_remove_item"),
    path("meetings/<int:pk>/agenda/order/", views.agenda_reorder, name="agenda_reorder"),
    path("meetings/<int:pk>/agenda/publish/", views.agenda_publish, name="agenda_publish"),
    path("meetings/<int:pk>/packs/", views.pack_status, name="pack_status"),
    path("meetings/<int:pk>/packs/build-again/", views.pack_build_again, name="pack_build_again"),
    path("meetings/<int:pk>/agenda.pdf", views.agenda_pdf, name="agenda_pdf"),
    path("meetings/<int:pk>/pack.pdf", views.public_pack_pdf, name="public_pack"),
    path("meetings/<int:pk>/members-pack.pdf", views.members_pack_pdf, name="members_pack"),
    path("meetings/<int:pk>/supplements/publish/", views.supplement_publish, name="supplement_publish"),
    path(
        "meetings/<int:pk>/supplements/<int:number>/pack.pdf",
        views.supplement_public_pack_pdf,
        name="supplement_public_pack",
    ),
    path(
        "meetings/<int:pk>/supplements/<int:number>/members-pack.pdf",
        views.supplement_members_pack_pdf,
        name="supplement_members_pack",
    ),
]
