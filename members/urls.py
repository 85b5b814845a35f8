from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("councillors/", views.councillor_list, name="councillors"),
    path("councillors/me/apologies/", views.my_apologies, name="my_apologies"),
    path("councillors/<int:pk>/", views.councillor_detail, name="councillor"),
    path("councillors/<int:pk>/photo/", views.councillor_photo, name="councillor_photo"),
    path("meetings/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("meetings/<int:pk>/apologies/", views.apologies_send, name="apologies_send"),
    path("meetings/<int:pk>/apologies/withdraw/", views.apologies_withdraw, name="apologies_withdraw"),
]
