from django.urls import path
from django.views.decorators.http import require_safe

from boards.public_cache import cached_public_page
from public import api, feeds, views

app_name = "public"


def news_feed(feed):
    """An RSS or Atom feed as a view: GET and HEAD only, served from the public page cache."""
    return require_safe(cached_public_page()(feed))


urlpatterns = [
    path("public/", views.home, name="home"),
    path("calendar/", views.meeting_calendar, name="calendar"),
    path("papers/<int:pk>/", views.paper_detail, name="paper"),
    path("papers/<int:pk>/pdf/", views.paper_pdf, name="paper_pdf"),
    path("papers/<int:pk>/appendices/<int:appendix_pk>/", views.paper_appendix, name="paper_appendix"),
    path("forward-plan/", views.forward_plan, name="forward_plan"),
    path("issues/<int:pk>/", views.issue, name="issue"),
    path("forward-plan.pdf", views.forward_plan_pdf, name="forward_plan_pdf"),
    path("search/", views.search, name="search"),
    path("open-data/", views.open_data, name="open_data"),
    path("feeds/agendas.rss", news_feed(feeds.AgendaFeed()), name="agendas_rss"),
    path("feeds/agendas.atom", news_feed(feeds.AtomAgendaFeed()), name="agendas_atom"),
    path("feeds/boards/<slug:slug>/agendas.rss", news_feed(feeds.AgendaFeed()), name="board_agendas_rss"),
    path("feeds/boards/<slug:slug>/agendas.atom", news_feed(feeds.AtomAgendaFeed()), name="board_agendas_atom"),
    path("feeds/minutes.rss", news_feed(feeds.MinutesFeed()), name="minutes_rss"),
    path("feeds/minutes.atom", news_feed(feeds.AtomMinutesFeed()), name="minutes_atom"),
    path("feeds/boards/<slug:slug>/minutes.rss", news_feed(feeds.MinutesFeed()), name="board_minutes_rss"),
    path(
        "feeds/boards/<slug:slug>/minutes.atom",
        news_feed(feeds.AtomMinutesFeed()),
        name="board_minutes_atom",
    ),
    path("feeds/decisions.rss", news_feed(feeds.DecisionsFeed()), name="decisions_rss"),
    path("feeds/decisions.atom", news_feed(feeds.AtomDecisionsFeed()), name="decisions_atom"),
    path("feeds/meetings.ics", feeds.meetings_ical, name="meetings_ical"),
    path("feeds/boards/<slug:slug>/meetings.ics", feeds.board_meetings_ical, name="board_meetings_ical"),
]

api_patterns = [
    path("", api.system, name="system"),
    path("bodies/", api.bodies, name="bodies"),
    path("bodies/<int:pk>/", api.body, name="body"),
    path("organizations/", api.organizations, name="organizations"),
    path("organizations/<int:pk>/", api.organization, name="organization"),
    path("meetings/", api.meetings, name="meetings"),
    path("meetings/<int:pk>/", api.meeting, name="meeting"),
    path("agenda-items/", api.agenda_items, name="agenda_items"),
    path("agenda-items/<int:pk>/", api.agenda_item, name="agenda_item"),
    path("papers/", api.papers, name="papers"),
    path("papers/<int:pk>/", api.paper, name="paper"),
    path("persons/", api.persons, name="persons"),
    path("persons/<int:pk>/", api.person, name="person"),
    path("memberships/", api.memberships, name="memberships"),
    path("memberships/<int:pk>/", api.membership, name="membership"),
    path("officer-decisions/", api.officer_decisions, name="officer_decisions"),
    path("officer-decisions/<int:pk>/", api.officer_decision, name="officer_decision"),
    path("decision-notices/", api.decision_notices, name="decision_notices"),
    path("decision-notices/<int:pk>/", api.decision_notice, name="decision_notice"),
    path("files/<slug:key>/", api.file, name="file"),
    path("locations/<slug:key>/", api.location, name="location"),
    path("consultations/<int:pk>/", api.consultation, name="consultation"),
    # Last: any other address under the API is OParl's error object (404), not the site's HTML page.
    # Only with a closing slash, so that one without it is still sent to its slash first.
    path("<path:rest>/", api.not_found, name="not_found"),
]
