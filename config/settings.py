"""Settings for the committee reports system.

Every value that differs between machines comes from the environment and a bad value stops
the process at start-up with ImproperlyConfigured, rather than surfacing later as odd
behaviour. With nothing set, the app runs on SQLite in var/ (the first-run default);
production sets DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS and DEBUG=0. See README.md.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import lazy

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name, default):
    """Read a yes/no environment variable, refusing anything ambiguous."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_int(name, default, minimum=0):
    """Read a whole-number environment variable, refusing anything else."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}")
    return value


def env_list(name, default):
    """Read a comma-separated environment variable."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-" + "x" * 20
elif len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The council whose reports these are; printed on every page and PDF.
COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "Sefton Council")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The open data API: the licence its data is published under (named on /open-data/ and on the API's
# System and Body), and the address that describes the software (OParl's System.product; by default
# the site's own /open-data/ page).
OPEN_DATA_LICENCE = os.environ.get(
    "OPEN_DATA_LICENCE", "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
)
OPEN_DATA_LICENCE_NAME = os.environ.get("OPEN_DATA_LICENCE_NAME", "Open Government Licence v3.0")
OPEN_DATA_PRODUCT_URL = os.environ.get("OPEN_DATA_PRODUCT_URL", "")
# Executive decisions (decisions/): the call-in period in clear working days after a notice is
# published, how many scrutiny members must sign a call-in, and the working days after the meeting
# within which its notices are due.
CALL_IN_CLEAR_WORKING_DAYS = int(os.environ.get("CALL_IN_CLEAR_WORKING_DAYS", "5"))
CALL_IN_SIGNATURES = int(os.environ.get("CALL_IN_SIGNATURES", "2"))
DECISION_NOTICE_WORKING_DAYS = int(os.environ.get("DECISION_NOTICE_WORKING_DAYS", "2"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_prose_editor",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "axes",
    "config.apps.SiteConfig",
    "accounts",
    "boards",
    "reports",
    "public",
    "decisions",
    "members",
    "interests",
    "votes",
    "minutes",
    "officer_decisions",
    "follow",
    "actions",
    "deadlines",
    "reference",
    "wordio",
    "insight",
    "reader",
]

MIDDLEWARE = [
    # Outermost, so that every answer under the API, the calendars and the feeds carries CORS, a
    # redirect or an error as well (config/http.py); then gzip around the ETag it weakens.
    "config.http.CorsMiddleware",
    "config.http.OpenDataGZipMiddleware",
    # Outside PrivateNoStoreMiddleware, so that it sees the Cache-Control a response leaves with.
    "config.http.OpenDataConditionalGetMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the body (CSRF reads POST): an oversize upload is refused unread.
    "config.middleware.RequestSizeLimitMiddleware",
    # Parses a POST's form data first, so that one that cannot be read is a 400 page, never a 500.
    "config.middleware.UnreadableBodyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.IdleTimeoutMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "config.middleware.StripControlCharactersMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.PrivateNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "config.middleware.AuditRefusedAccessMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.council",
            ],
            # `{% url %}` that remembers what it found (config/template_builtins.py).
            "builtins": ["config.template_builtins"],
        },
    },
]

VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    try:
        DATABASES = {
            "default": dj_database_url.parse(
                DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
            )
        }
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # A statement waiting this long for another's lock gives up with an error the views answer
        # plainly (a save shows the form again, unsaved), well before gunicorn's timeout.
        lock_timeout = env_int("DATABASE_LOCK_TIMEOUT", 10, minimum=1)
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c lock_timeout={lock_timeout * 1000}".strip()
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # How many guesses it would take (zxcvbn): "Committee2026" passes the rules above but not this.
    {"NAME": "accounts.passwords.PasswordStrengthValidator"},
]

# Brute-force lockout (django-axes): after LOGIN_FAILURE_LIMIT failed sign-ins for one username
# within LOGIN_LOCKOUT_MINUTES, that username is refused for LOGIN_LOCKOUT_MINUTES from the last
# failure. By username, not by address: council staff share a few outgoing addresses, and an
# address lockout would shut out a whole office. Attempts live in the database (any number of
# web processes share them); `manage.py axes_reset_username NAME` unlocks one early.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's password sign-in (finding the signed-in user more cheaply: config/auth.py), for
    # administrators alone when PASSWORD_SIGN_IN is off.
    "accounts.passwords.PasswordBackend",
    # Sign in with the council's account (OpenID Connect): inert unless OIDC_CLIENT_ID is set.
    "accounts.oidc.CouncilAccountBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "config.audit.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in the audit log (config/audit.py)
# axes.W006 asks for the address in the lockout key because a key of user agent or cookie alone
# can be rotated by an attacker; a username cannot be rotated to reach the same account.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG else "config.storage.StaticStorage"
        )
    },
}
S3_BUCKET = os.environ.get("S3_BUCKET", "")
if S3_BUCKET:
    # Any S3-compatible store; credentials come from the usual AWS_* variables.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# Draft minutes are due this many working days after the meeting (shown to democratic services).
MINUTES_DRAFT_WORKING_DAYS = env_int("MINUTES_DRAFT_WORKING_DAYS", 10, minimum=1)

# Due dates of a report on its way to a meeting (deadlines/), in working days: its approval is due
# REPORT_APPROVAL_DUE_WORKING_DAYS before the meeting's report deadline (0: on the deadline itself),
# its sign-offs REPORT_SIGN_OFF_DUE_WORKING_DAYS before its approval is due. A reminder goes to whoever
# the step waits for REMINDER_WORKING_DAYS before each due date, by the daily job the worker runs once
# a day from REMINDER_HOUR (local time) on, or `manage.py send_due_reminders`.
REPORT_APPROVAL_DUE_WORKING_DAYS = env_int("REPORT_APPROVAL_DUE_WORKING_DAYS", 0)
REPORT_SIGN_OFF_DUE_WORKING_DAYS = env_int("REPORT_SIGN_OFF_DUE_WORKING_DAYS", 3, minimum=1)
REMINDER_WORKING_DAYS = env_int("REMINDER_WORKING_DAYS", 2)
REMINDER_HOUR = env_int("REMINDER_HOUR", 7)
if REMINDER_HOUR > 23:
    raise ImproperlyConfigured(f"REMINDER_HOUR must be an hour of the day, 0 to 23; got {REMINDER_HOUR}")

# The members' reader (reader/): a member's private notes are deleted READER_NOTES_KEEP_DAYS days after
# the meeting's minutes are approved (the council's retention policy), the member warned by email and on
# screen READER_NOTES_WARN_DAYS days before; a note holds at most READER_NOTE_MAX_CHARS characters. Notes
# are encrypted under a key derived from READER_NOTES_SECRET (SECRET_KEY when unset): changing it makes
# every note unreadable, so set it once, on its own, before SECRET_KEY is ever rotated.
READER_NOTES_KEEP_DAYS = env_int("READER_NOTES_KEEP_DAYS", 90, minimum=1)
READER_NOTES_WARN_DAYS = env_int("READER_NOTES_WARN_DAYS", 14)
READER_NOTE_MAX_CHARS = env_int("READER_NOTE_MAX_CHARS", 10_000, minimum=100)
READER_NOTES_SECRET = os.environ.get("READER_NOTES_SECRET", "")

# Uploads: appendices are PDFs of at most this many megabytes and pages (reports/pdfcheck.py).
APPENDIX_MAX_MB = env_int("APPENDIX_MAX_MB", 20, minimum=1)
APPENDIX_MAX_PAGES = env_int("APPENDIX_MAX_PAGES", 1000, minimum=1)
# An office appendix (Word, Excel, ...) is converted to PDF by LibreOffice in the worker, in a child
# process stopped after this many seconds and limited to this much address space (reports.officeconvert).
OFFICE_CONVERT_SECONDS = env_int("OFFICE_CONVERT_SECONDS", 120, minimum=5)
OFFICE_CONVERT_MEMORY_MB = env_int("OFFICE_CONVERT_MEMORY_MB", 2048, minimum=512)
# Figures in the body are PNG, JPEG or SVG files of at most this many megabytes (reports/imagecheck.py).
FIGURE_MAX_MB = env_int("FIGURE_MAX_MB", 10, minimum=1)
# A request body larger than this is refused (413) before any of it is read: the largest
# upload plus room for the form around it. Smaller oversize files get the form's own message.
REQUEST_MAX_BYTES = (max(APPENDIX_MAX_MB, FIGURE_MAX_MB) + 1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000


def _static_url(path):
    from django.templatetags.static import static

    return static(path)


# The body editor's figures: the library's Figure node with our upload dialog (static/js/report-figure.js),
# loaded by the editor as a module. The processor names the tags it writes, for the library's own
# sanitiser; ours (reports/html.py) is the one applied.
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [lazy(_static_url, str)("js/report-figure.js")],
        "extensions": {"ReportFigure": lambda config, shared: None},
    },
    # A paste from Word keeps its headings (as the section's levels) and its numbered and bulleted lists
    # (static/js/report-paste.js). It writes no tags of its own.
    {
        "js": [lazy(_static_url, str)("js/report-paste.js")],
        "extensions": {"WordPaste": lambda config, shared: None},
    },
]

# Background jobs (agenda packs) go through a queue kept in the database: nothing else to run
# but `python manage.py db_worker`, on as many hosts as wanted.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A worker whose heartbeat is older than this is taken for dead: the task it was running is queued
# again and the pack it was building is taken back by another worker (it renews its claim six
# times in this period while it lives). A task is run at most WORKER_TASK_ATTEMPTS times, a pack
# build tried at most PACK_BUILD_ATTEMPTS times, before each is shown as failed.
WORKER_LOST_AFTER = env_int("WORKER_LOST_AFTER", 60, minimum=3)
WORKER_TASK_ATTEMPTS = env_int("WORKER_TASK_ATTEMPTS", 3, minimum=1)
PACK_BUILD_ATTEMPTS = env_int("PACK_BUILD_ATTEMPTS", 3, minimum=1)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Cookies and transport security. HTTPS defaults to on in production (DEBUG off).
HTTPS = env_bool("HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
# Load balancers check health over plain HTTP, inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions, read with one plain statement (config/sessions.py).
SESSION_ENGINE = "config.sessions"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 60, minimum=1) * 60
# An idle timeout: config.middleware.IdleTimeoutMiddleware moves a session's expiry on, by saving
# it, at most once every SESSION_REFRESH_SECONDS of use (saving it on every request cost a signed-in
# page a database write and a third of its time), so a session ends between SESSION_IDLE_MINUTES and
# that much less a minute after the last request.
SESSION_REFRESH_SECONDS = 60
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp): nothing from other origins, no inline script and no
# inline <style>. The rich-text editor's inline import map and the base CSS it injects are
# allowed by their hashes (config/middleware.py); a template that truly needs an inline script
# gives it nonce="{{ request.csp_nonce }}".
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        # style="..." attributes (the pack progress bar) cannot run script, and img-src and
        # font-src keep them from fetching anything from elsewhere.
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Sign in with the council's account: OpenID Connect (Microsoft Entra ID, or any provider), through
# mozilla-django-oidc's views, with the identity token checked in accounts/oidc.py. Off unless
# OIDC_CLIENT_ID is set. The provider is named by its issuer (its endpoints read from the issuer's
# discovery document), or by its endpoints one by one; an endpoint set here wins over discovery.
# A person is matched by email address to an existing, active account: no account is ever created
# from the provider's word, and no role taken from it.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "").strip()
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_OP_ISSUER = os.environ.get("OIDC_ISSUER", "").strip()
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_AUTHORIZATION_ENDPOINT", "").strip()
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_TOKEN_ENDPOINT", "").strip()
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_USERINFO_ENDPOINT", "").strip()
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_JWKS_URI", "").strip()
OIDC_RP_SCOPES = os.environ.get("OIDC_SCOPES", "openid email profile").strip()
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_SIGN_ALGO", "RS256").strip()
OIDC_EMAIL_CLAIM = os.environ.get("OIDC_EMAIL_CLAIM", "email").strip()
# Shown on the sign-in page's button: "Sign in with <name>".
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "").strip() or "your council account"
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
if OIDC_ENABLED:
    if not OIDC_RP_CLIENT_SECRET:
        raise ImproperlyConfigured("OIDC_CLIENT_SECRET must be set when OIDC_CLIENT_ID is")
    if not OIDC_OP_ISSUER and not (OIDC_OP_AUTHORIZATION_ENDPOINT and OIDC_OP_TOKEN_ENDPOINT and OIDC_OP_JWKS_ENDPOINT):
        raise ImproperlyConfigured(
            "OIDC_CLIENT_ID needs OIDC_ISSUER, or OIDC_AUTHORIZATION_ENDPOINT, OIDC_TOKEN_ENDPOINT and OIDC_JWKS_URI"
        )
    if OIDC_RP_SIGN_ALGO not in {"RS256", "RS384", "RS512", "ES256", "ES384", "ES512"}:
        raise ImproperlyConfigured(f"OIDC_SIGN_ALGO must be RS256/384/512 or ES256/384/512; got {OIDC_RP_SIGN_ALGO!r}")
    if "openid" not in OIDC_RP_SCOPES.split():
        raise ImproperlyConfigured(f"OIDC_SCOPES must include openid; got {OIDC_RP_SCOPES!r}")
    for _name, _url in [
        ("OIDC_ISSUER", OIDC_OP_ISSUER),
        ("OIDC_AUTHORIZATION_ENDPOINT", OIDC_OP_AUTHORIZATION_ENDPOINT),
        ("OIDC_TOKEN_ENDPOINT", OIDC_OP_TOKEN_ENDPOINT),
        ("OIDC_USERINFO_ENDPOINT", OIDC_OP_USER_ENDPOINT),
        ("OIDC_JWKS_URI", OIDC_OP_JWKS_ENDPOINT),
    ]:
        if _url and not _url.startswith("https://" if HTTPS else ("https://", "http://")):
            raise ImproperlyConfigured(f"{_name} must be an https:// address; got {_url!r}")
elif OIDC_OP_ISSUER or OIDC_OP_AUTHORIZATION_ENDPOINT or OIDC_OP_TOKEN_ENDPOINT or OIDC_OP_JWKS_ENDPOINT:
    raise ImproperlyConfigured("OIDC_CLIENT_ID must be set to sign in with the council's account")
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"
OIDC_CREATE_USER = False
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10, minimum=1)
# Seconds of difference between our clock and the provider's that an identity token's times allow.
OIDC_LEEWAY_SECONDS = 60
# Off: only the council's account signs in; administrators (superusers) keep a password, so that a
# broken provider cannot lock everyone out (the sign-in page offers it under "Administrators").
PASSWORD_SIGN_IN = env_bool("PASSWORD_SIGN_IN", True)
if not PASSWORD_SIGN_IN and not OIDC_ENABLED:
    raise ImproperlyConfigured("PASSWORD_SIGN_IN can be off only when OIDC_CLIENT_ID is set")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "committee-reports@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Sign-ins, failed sign-ins, lockouts, sign-outs and refused access (config/audit.py);
        # always at INFO, whatever LOG_LEVEL says.
        "audit": {"level": "INFO"},
        "django.db.backends": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
    },
}

# Optionally keep the audit log in a file of its own as well (reopened when logrotate moves it).
AUDIT_LOG_FILE = os.environ.get("AUDIT_LOG_FILE", "")
if AUDIT_LOG_FILE:
    LOGGING["handlers"]["audit_file"] = {
        "class": "logging.handlers.WatchedFileHandler",
        "filename": AUDIT_LOG_FILE,
        "formatter": "plain",
    }
    LOGGING["loggers"]["audit"]["handlers"] = ["audit_file"]
