from django.urls import path

from deadlines import views

app_name = "deadlines"

urlpatterns = [
    path("meetings/<int:pk>/reports-due/", views.reports_due, name="reports_due"),
]
