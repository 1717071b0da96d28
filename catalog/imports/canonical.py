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
from .csvfile import chunked, progress_bar

BATCH = 2000
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
    current: dict[int, CanonicalTags] = {}
    for ids in chunked(title_ids, BATCH):
        current.update((ct.title_id, ct) for ct in CanonicalTags.objects.filter(title_id__in=ids))

    now = timezone.now()
    to_create: list[CanonicalTags] = []
    to_update: list[CanonicalTags] = []
    revisions: list[CanonicalTagsRevision] = []
    for title_id, values in changes.items():
        clean = {slug: value for slug, value in values.items() if value is not None and value != []}
        existing = current.get(title_id)
        if existing is None:
            if not clean:
                continue
            row = CanonicalTags(title_id=title_id, values=clean, version=1, source=source)
            to_create.append(row)
        else:
            merged = {**existing.values, **clean}
            if merged == existing.values:
                continue
            existing.values, existing.version = merged, existing.version + 1
            existing.source, existing.updated_by, existing.updated_at = source, None, now
            row = existing
            to_update.append(row)
        revisions.append(
            CanonicalTagsRevision(
                title_id=title_id,
                version=row.version,
                values=row.values,
                source=source,
                reason=reason[:500],
            )
        )

    total = len(to_create) + len(to_update) + len(revisions)
    with progress_bar(total=total, desc="canonical tags", enabled=progress) as bar:
        for new in chunked(to_create, BATCH):
            CanonicalTags.objects.bulk_create(new)
            bar.update(len(new))
        for changed_rows in chunked(to_update, BATCH):
            CanonicalTags.objects.bulk_update(
                changed_rows, ["values", "version", "source", "updated_by", "updated_at"]
            )
            bar.update(len(changed_rows))
        for history in chunked(revisions, BATCH):
            CanonicalTagsRevision.objects.bulk_create(history)
            bar.update(len(history))

    changed = [revision.title_id for revision in revisions]
    if len(changed) > FULL_REBUILD_THRESHOLD:
        outbox_record(kind=OutboxEvent.Kind.FULL)
    elif changed:
        outbox_record(kind=OutboxEvent.Kind.TITLE_TAGS, object_ids=changed)
    return changed
