"""WSGI entry for ``bench_tagging``'s gunicorn. With BENCH_TAGGING_BASELINE=1 the pool claim is
replaced by the naive read-then-write most implementations start with: count the title's
assignments, and insert when the count is below the overlap — no conditional write, no row
lock. Everything else (views, serializers, validation, the web process's settings) is the real
app."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.tagging_settings")

from config.wsgi import application  # the production entry, with its GIL setting

__all__ = ["application"]

if os.environ.get("BENCH_TAGGING_BASELINE") == "1":
    from typing import Any

    from tagging.models import Assignment
    from tagging.services import assignments

    def naive_claim(*, title_id: int, tagger: Any, overlap: int) -> bool:
        if Assignment.objects.filter(title_id=title_id).count() >= overlap:
            return False
        Assignment.objects.create(title_id=title_id, tagger=tagger, source=Assignment.Source.POOL)
        return True

    def no_lock(title_id: int, *, wait: bool = False) -> bool:
        return True

    assignments._claim = naive_claim
    assignments._lock_candidate = no_lock
