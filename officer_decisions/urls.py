from django.urls import path
from django.views.decorators.http import require_safe

from officer_decisions import feeds, views

app_name = "officer_decisions"

urlpatterns = [
    path("officer-decisions/", views.register, name="register"),
    path("officer-decisions/<int:pk>/", views.detail, name="detail"),
    path("officer-decisions/new/", views.new, name="new"),
    path("officer-decisions/mine/", views.mine, name="mine"),
    path("officer-decisions/<int:pk>/edit/", views.edit, name="edit"),
    path("officer-decisions/<int:pk>/submit/", views.submit, name="submit"),
    path("officer-decisions/review/", views.review, name="review"),
    path("officer-decisions/<int:pk>/publish/", views.publish, name="publish"),
    path("officer-decisions/<int:pk>/return/", views.return_to_officer, name="return"),
    path("feeds/officer-decisions.rss", require_safe(feeds.OfficerDecisionFeed()), name="rss"),
    path("feeds/officer-decisions.atom", require_safe(feeds.AtomOfficerDecisionFeed()), name="atom"),
]
