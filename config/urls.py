from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import sign_in as account_views
from config import views
from insight.urls import api_patterns as insight_api_patterns
from public.urls import api_patterns
from reader import views as reader_views
from reports import views as report_views

admin.site.site_header = "Committee reports: administration"
admin.site.site_title = "Committee reports"

urlpatterns = [
    path("", report_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Sign in, sign out and change password. No self-service password reset by email: accounts
    # belong to council staff and councillors, whose passwords the administrators reset.
    path("accounts/login/", account_views.SignInView.as_view(), name="login"),
    # Sign in with the council's account (OpenID Connect): 404 unless configured. The callback is the
    # redirect URI to register with the identity provider.
    path("accounts/oidc/start/", account_views.CouncilSignInStart.as_view(), name="oidc_start"),
    path("accounts/oidc/callback/", account_views.CouncilSignInCallback.as_view(), name="oidc_callback"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Changing one's password: 404 for those who sign in with the council's account (PASSWORD_SIGN_IN off).
    path("accounts/password_change/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password_change/done/",
        account_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("reports/", include("reports.urls")),
    path("reports/", include("wordio.urls")),
    path("", include("boards.urls")),
    path("", include("public.urls")),
    path("", include("members.urls")),
    path("", include("interests.urls")),
    path("", include("votes.urls")),
    path("", include("minutes.urls")),
    path("", include("decisions.urls")),
    path("", include("officer_decisions.urls")),
    path("", include("follow.urls")),
    path("", include("actions.urls")),
    path("", include("deadlines.urls")),
    path("", include("reference.urls")),
    path("", include("insight.urls")),
    path("reader/", include("reader.urls")),
    # The address DESIGN.md names for the members' reader: sends the reader on to /reader/meetings/<id>/.
    path("meetings/<int:meeting_pk>/read/", reader_views.read, name="meeting_read"),
    # Before the API's own patterns, whose last answers any other address under it with a 404.
    path("api/v1/", include((insight_api_patterns, "insight_api"))),
    path("api/v1/", include((api_patterns, "api"))),
]
