from django.urls import path

from boards import views

app_name = "boards"

urlpatterns = [
    path("boards/", views.board_list, name="list"),
    path("boards/<slug:slug>/", views.board_detail, name="detail"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
]
