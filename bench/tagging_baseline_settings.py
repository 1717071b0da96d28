"""The baseline of ``bench_tagging``: the same app with Django's default SQLite backend and
transactions (DEFERRED, 5 s timeout, rollback journal instead of WAL, a connection per request).
On PostgreSQL nothing changes here; the naive claim itself is patched in by
``bench/tagging_wsgi.py``."""

from __future__ import annotations

from bench.tagging_settings import *  # noqa: F403
from bench.tagging_settings import DATABASES

if DATABASES["default"]["ENGINE"] in {"django.db.backends.sqlite3", "config.sqlite"}:
    DATABASES["default"]["ENGINE"] = "django.db.backends.sqlite3"
    DATABASES["default"]["OPTIONS"] = {}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
