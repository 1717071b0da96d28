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
    from tagging.services import assignment_reads, assignments

    def naive_claim_pool(*, tagger: Any, overlap: int) -> Assignment | None:
        started, untouched = assignments.pool_candidates(tagger=tagger, overlap=overlap)
        for title_id in started + untouched:
            if Assignment.objects.filter(title_id=title_id).count() >= overlap:
                continue
            Assignment.objects.create(
                title_id=title_id, tagger=tagger, source=Assignment.Source.POOL
            )
            return assignment_reads.claimed(tagger=tagger, title_id=title_id)
        return None

    assignments._claim_pool = naive_claim_pool
