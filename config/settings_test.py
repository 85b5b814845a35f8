"""The test override: fast password hashing, plain static storage, no HTTPS redirects, and no
lockout: `client.login()` calls authenticate() without a request, which django-axes refuses.
The lockout tests (tests/test_security.py) turn it back on with the `settings` fixture."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("HTTPS", "0")

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Tests build packs by calling the builder; queued jobs are recorded, not run.
TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
AXES_ENABLED = False
