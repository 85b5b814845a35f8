from django.urls import path

from decisions import views

app_name = "decisions"

urlpatterns = [
    path("decisions/", views.register, name="register"),
    path("decisions/<int:pk>/", views.notice, name="notice"),
    path("decisions/<int:pk>/correct/", views.correct, name="correct"),
    path("decisions/<int:pk>/call-in/", views.call_in, name="call_in"),
    path("decisions/<int:pk>/call-in/sign/", views.sign, name="sign"),
    path("decisions/<int:pk>/outcome/", views.outcome, name="outcome"),
    path("decisions/<int:pk>/special-meeting/", views.convene, name="convene"),
    path("meetings/<int:pk>/notices/", views.meeting_notices, name="meeting_notices"),
    path("meetings/<int:pk>/items/<int:item_pk>/notice/", views.publish, name="publish"),
]
