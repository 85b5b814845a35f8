"""The production settings: `check --deploy` passes with the environment README.md documents, the
security settings are on, and bad values stop the process at start-up."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k8#Jd2m!Qp0vXz7Lr4Wc9Ty1Bn6Hs3Fg5Ae8Ui2Oo7Pl1Mk4Nj9Bh6Vg3Cf0Xd5Sa",
    "ALLOWED_HOSTS": "reports.example.gov.uk",
    "CSRF_TRUSTED_ORIGINS": "https://reports.example.gov.uk",
    "DATABASE_URL": "postgres://committee:secret@db.internal:5432/committee",
}


def run(*args, **env):
    """Run Python in a clean environment with only the given settings, as a fresh server would start."""
    clean = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


def production_settings(**overrides):
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({n: str(getattr(s, n)) for n in " + repr(NAMES) + "}))"
    )
    result = run("-c", script, **(PRODUCTION | overrides))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


NAMES = [
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "AXES_ENABLED",
    "AXES_FAILURE_LIMIT",
    "AXES_COOLOFF_TIME",
    "SESSION_COOKIE_AGE",
    "REQUEST_MAX_BYTES",
    "APPENDIX_MAX_PAGES",
    "SECURE_PROXY_SSL_HEADER",
]


def test_it_passes_the_deployment_check_with_the_documented_environment():
    result = run("manage.py", "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_it_documents_every_variable_the_check_uses():
    readme = (ROOT / "README.md").read_text()
    for name in PRODUCTION:
        assert f"`{name}`" in readme, name


def test_it_turns_the_security_settings_on_in_production():
    values = production_settings()
    assert values == values | {
        "DEBUG": "False",
        "SESSION_COOKIE_SECURE": "True",
        "CSRF_COOKIE_SECURE": "True",
        "SESSION_COOKIE_HTTPONLY": "True",
        "SECURE_SSL_REDIRECT": "True",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "True",
        "SECURE_CONTENT_TYPE_NOSNIFF": "True",
        "SECURE_REFERRER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
        "AXES_ENABLED": "True",
        "AXES_FAILURE_LIMIT": "5",
        "AXES_COOLOFF_TIME": "0:30:00",
        "SESSION_COOKIE_AGE": "3600",
        "REQUEST_MAX_BYTES": str(21 * 1024 * 1024),
        "APPENDIX_MAX_PAGES": "1000",
        "SECURE_PROXY_SSL_HEADER": "None",
    }


def test_it_reads_the_limits_from_the_environment():
    values = production_settings(
        LOGIN_FAILURE_LIMIT="10",
        LOGIN_LOCKOUT_MINUTES="15",
        SESSION_IDLE_MINUTES="20",
        APPENDIX_MAX_MB="50",
        APPENDIX_MAX_PAGES="300",
        BEHIND_PROXY="1",
    )
    assert values["AXES_FAILURE_LIMIT"] == "10"
    assert values["AXES_COOLOFF_TIME"] == "0:15:00"
    assert values["SESSION_COOKIE_AGE"] == "1200"
    assert values["REQUEST_MAX_BYTES"] == str(51 * 1024 * 1024)
    assert values["APPENDIX_MAX_PAGES"] == "300"
    assert values["SECURE_PROXY_SSL_HEADER"] == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_it_reads_the_due_dates_and_reminders_from_the_environment():
    names = ["REPORT_APPROVAL_DUE_WORKING_DAYS", "REPORT_SIGN_OFF_DUE_WORKING_DAYS", "REMINDER_WORKING_DAYS"]
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([getattr(s, n) for n in " + repr([*names, "REMINDER_HOUR"]) + "]))"
    )
    assert json.loads(run("-c", script, **PRODUCTION).stdout.strip().splitlines()[-1]) == [0, 3, 2, 7]
    changed = dict(zip(names, ["1", "5", "4"], strict=True), REMINDER_HOUR="18")
    assert json.loads(run("-c", script, **(PRODUCTION | changed)).stdout.strip().splitlines()[-1]) == [1, 5, 4, 18]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set when DEBUG is off"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 50 characters long"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must be set when DEBUG is off"),
        ({"LOGIN_FAILURE_LIMIT": "five"}, "LOGIN_FAILURE_LIMIT must be a whole number"),
        ({"LOGIN_LOCKOUT_MINUTES": "0"}, "LOGIN_LOCKOUT_MINUTES must be at least 1"),
        ({"APPENDIX_MAX_PAGES": "-3"}, "APPENDIX_MAX_PAGES must be at least 1"),
        ({"HTTPS": "maybe"}, "HTTPS must be one of"),
        ({"REMINDER_HOUR": "24"}, "REMINDER_HOUR must be an hour of the day, 0 to 23; got 24"),
        ({"REMINDER_WORKING_DAYS": "two"}, "REMINDER_WORKING_DAYS must be a whole number"),
        ({"REPORT_SIGN_OFF_DUE_WORKING_DAYS": "0"}, "REPORT_SIGN_OFF_DUE_WORKING_DAYS must be at least 1"),
        ({"REPORT_APPROVAL_DUE_WORKING_DAYS": "-1"}, "REPORT_APPROVAL_DUE_WORKING_DAYS must be at least 0"),
    ],
)
def test_it_refuses_to_start_with_a_bad_value(overrides, message):
    result = run("-c", "import config.settings", **(PRODUCTION | overrides))
    assert result.returncode == 1
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_it_writes_the_audit_log_to_a_file_when_asked(tmp_path):
    log_file = tmp_path / "audit.log"
    script = "import django, logging; django.setup(); logging.getLogger('audit').info('login ip=\"1.2.3.4\"')"
    result = run("-c", script, **(PRODUCTION | {"AUDIT_LOG_FILE": str(log_file), "LOG_LEVEL": "ERROR"}))
    assert result.returncode == 0, result.stderr
    assert 'INFO audit login ip="1.2.3.4"' in log_file.read_text()
    assert 'login ip="1.2.3.4"' in result.stderr  # and still to standard error, whatever LOG_LEVEL says
