from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("people/", views.people_list, name="people"),
    path("people/new/", views.person_new, name="person_new"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/deactivate/", views.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", views.person_reactivate, name="person_reactivate"),
    path("people/<int:pk>/invitation/", views.person_invite_again, name="person_invite_again"),
    path("accounts/invitation/<str:uidb64>/<str:token>/", views.invitation, name="invitation"),
    path("my/account/", views.my_account, name="my_account"),
    path("my/account/stand-ins/", views.stand_in_new, name="stand_in_new"),
    path("my/account/stand-ins/<int:pk>/end/", views.stand_in_end, name="stand_in_end"),
]
