from django.urls import path

from interests import views

app_name = "interests"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("councillors/<int:pk>/register/", views.member_register, name="member_register"),
    path("my/interests/", views.my_interests, name="mine"),
    path("my/interests/add/", views.my_interest_add, name="add"),
    path("my/interests/reviewed/", views.my_interests_reviewed, name="reviewed"),
    path("my/interests/<int:pk>/edit/", views.my_interest_edit, name="edit"),
    path("my/interests/<int:pk>/remove/", views.my_interest_remove, name="remove"),
    path("interests/changes/", views.changes, name="changes"),
    path("interests/changes/<int:pk>/accept/", views.change_accept, name="accept"),
    path("interests/changes/<int:pk>/return/", views.change_return, name="return"),
    path("meetings/<int:pk>/declarations/", views.meeting_declarations, name="declarations"),
    path(
        "meetings/<int:pk>/declarations/<int:declaration_pk>/remove/",
        views.declaration_remove,
        name="declaration_remove",
    ),
    path("meetings/<int:pk>/declare/", views.meeting_declare, name="declare"),
]
