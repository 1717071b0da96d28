"""The baseline of ``bench_tagging``: the same app with Django's default SQLite transactions
(DEFERRED, 5 s timeout, rollback journal instead of WAL). On PostgreSQL nothing changes here;
the naive claim itself is patched in by ``bench/tagging_wsgi.py``."""

from __future__ import annotations

from bench.tagging_settings import *  # noqa: F403
from bench.tagging_settings import DATABASES

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {}
