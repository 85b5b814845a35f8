from django.urls import path

from votes import views

app_name = "votes"

urlpatterns = [
    path("meetings/<int:pk>/items/<int:item_pk>/vote/", views.record, name="record"),
]
