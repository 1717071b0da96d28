"""Settings for ``bench_subscriber``'s gunicorn: production settings whose URLs add two
baseline endpoints (``bench/subscriber_urls.py``).

Only the benchmark loads this module (``DJANGO_SETTINGS_MODULE=bench.subscriber_site``)."""

from __future__ import annotations

import os

from config.settings import *  # noqa: F403
from config.settings import STORAGES

DEBUG = False
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ROOT_URLCONF = "bench.subscriber_urls"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# What-if runs: e.g. BENCH_SESSION_ENGINE=django.contrib.sessions.backends.cached_db
if os.environ.get("BENCH_SESSION_ENGINE"):
    SESSION_ENGINE = os.environ["BENCH_SESSION_ENGINE"]
