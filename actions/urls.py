from django.urls import path

from actions import views

app_name = "actions"

urlpatterns = [
    path("actions/", views.tracker, name="tracker"),
    path("actions/mine/", views.mine, name="mine"),
    path("actions/<int:pk>/", views.detail, name="detail"),
    path("actions/<int:pk>/update/", views.update, name="update"),
    path("meetings/<int:pk>/items/<int:item_pk>/actions/new/", views.new, name="new"),
]
