from django.urls import re_path

from reference import views
from reference.models import LISTS

app_name = "reference"

# The lists' words spelled out, so that an unknown list is not a URL at all.
KIND = "(?P<kind>" + "|".join(LISTS) + ")"

urlpatterns = [
    re_path(r"^manage/lists/$", views.index, name="index"),
    re_path(rf"^manage/lists/{KIND}/$", views.list_page, name="list"),
    re_path(rf"^manage/lists/{KIND}/(?P<pk>[0-9]{{1,9}})/$", views.entry_edit, name="edit"),
    re_path(rf"^manage/lists/{KIND}/(?P<pk>[0-9]{{1,9}})/retire/$", views.entry_retire, name="retire"),
    re_path(rf"^manage/lists/{KIND}/(?P<pk>[0-9]{{1,9}})/restore/$", views.entry_restore, name="restore"),
    re_path(rf"^manage/lists/{KIND}/(?P<pk>[0-9]{{1,9}})/move/$", views.entry_move, name="move"),
]
