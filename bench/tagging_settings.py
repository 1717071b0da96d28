"""Settings for ``bench_tagging``: production settings (DEBUG off) with plain static files, so
pages render without ``collectstatic``. Only the benchmark loads this module."""

from __future__ import annotations

from config.settings import *  # noqa: F403
from config.settings import STORAGES

DEBUG = False
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
