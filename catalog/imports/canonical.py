"""Canonical tags written in bulk, with the semantics of ``canonical_tags_set(replace=False)``.

Calling the per-title service for 100,000 titles costs several queries each; this writes the
same rows (CanonicalTags, one CanonicalTagsRevision per changed title, outbox rows) in a
handful of bulk statements. Must run inside the importer's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from ..models import CanonicalTags, CanonicalTagsRevision, OutboxEvent
from ..outbox import outbox_record
from .bulk import rows_insert, rows_update
from .csvfile import chunked, progress_bar

BATCH = 5000
IN_CHUNK = 900  # ids per ``__in`` query: under SQLite's variable limit everywhere
#: Above this many changed titles one FULL outbox row replaces per-title rows: the worker
#: would rebuild (nearly) everything anyway, and one row is cheaper to write and drain.
FULL_REBUILD_THRESHOLD = 500


def canonical_tags_merge_bulk(
    *,
    changes: Mapping[int, dict[str, Any]],
    source: CanonicalTags.Source | str,
    reason: str,
    progress: bool = True,
) -> list[int]:
    """Merge ``changes`` (title id -> cleaned values, dimension by dimension) into the titles'
    canonical tags; returns the ids of the titles whose tags changed.

    Values must already be validated (``values_clean``); empty values are ignored, as in the
    service. Unchanged titles write nothing.
    """
    title_ids = list(changes)
    # (id, values, version) tuples, not model instances: 100,000 instances cost seconds.
    current: dict[int, tuple[int, dict[str, Any], int]] = {}
    for ids in chunked(title_ids, IN_CHUNK):
        for title_id, pk, values, version in CanonicalTags.objects.filter(
            title_id__in=ids
        ).values_list("title_id", "id", "values", "version"):
            current[title_id] = (pk, values, version)

    now = timezone.now()
    to_create: list[dict[str, Any]] = []
    to_update: list[dict[str, Any]] = []
    revisions: list[dict[str, Any]] = []
    for title_id, values in changes.items():
        clean = {slug: value for slug, value in values.items() if value is not None and value != []}
        stored = current.get(title_id)
        if stored is None:
            if not clean:
                continue
            row = {"title_id": title_id, "values": clean, "version": 1, "source": source}
            to_create.append(row)
        else:
            pk, stored_values, version = stored
            merged = {**stored_values, **clean}
            if merged == stored_values:
                continue
            row = {
                "id": pk,
                "values": merged,
                "version": version + 1,
                "source": source,
                "updated_by_id": None,
                "updated_at": now,
            }
            to_update.append(row)
        revisions.append(
            {
                "title_id": title_id,
                "version": row["version"],
                "values": row["values"],
                "source": source,
                "reason": reason[:500],
            }
        )

    total = len(to_create) + len(to_update) + len(revisions)
    with progress_bar(total=total, desc="canonical tags", enabled=progress) as bar:
        for new in chunked(to_create, BATCH):
            rows_insert(CanonicalTags, new)
            bar.update(len(new))
        for changed_rows in chunked(to_update, BATCH):
            rows_update(
                CanonicalTags,
                changed_rows,
                ["values", "version", "source", "updated_by_id", "updated_at"],
            )
            bar.update(len(changed_rows))
        for history in chunked(revisions, BATCH):
            rows_insert(CanonicalTagsRevision, history)
            bar.update(len(history))

    changed = [revision["title_id"] for revision in revisions]
    if len(changed) > FULL_REBUILD_THRESHOLD:
        outbox_record(kind=OutboxEvent.Kind.FULL)
    elif changed:
        outbox_record(kind=OutboxEvent.Kind.TITLE_TAGS, object_ids=changed)
    return changed
