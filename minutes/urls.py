from django.urls import path

from minutes import views

app_name = "minutes"

urlpatterns = [
    path("meetings/<int:pk>/minutes/", views.minutes_page, name="minutes"),
    path("meetings/<int:pk>/minutes/publish/", views.minutes_publish, name="publish"),
    path("meetings/<int:pk>/minutes.pdf", views.minutes_pdf, name="pdf"),
]
