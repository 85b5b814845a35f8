from django.urls import path

from follow import views

app_name = "follow"

urlpatterns = [
    path("follow/", views.follow, name="follow"),
    path("follow/confirm/<str:token>/", views.confirm, name="confirm"),
    path("follow/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
