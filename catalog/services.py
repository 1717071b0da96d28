"""Catalogue writes: canonical tags (each change versioned and announced through the outbox)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from .models import CanonicalTags, CanonicalTagsRevision, OutboxEvent, Title
from .outbox import outbox_record
from .values import Codebook, values_clean

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def canonical_tags_set(
    *,
    title: Title,
    values: dict[str, Any],
    source: CanonicalTags.Source | str,
    changed_by: User | None = None,
    reason: str = "",
    replace: bool = True,
    codebook: Codebook | None = None,
) -> CanonicalTags:
    """Set a title's canonical tags, record a revision and an outbox row in one transaction.

    ``replace=False`` merges ``values`` into the current ones (dimension by dimension), which
    imports use to set genres without touching adjudicated dimensions. Unchanged values write
    nothing and trigger no rebuild.
    """
    clean = values_clean(values, codebook=codebook)
    current = CanonicalTags.objects.select_for_update().filter(title=title).first()
    new_values = clean if replace or current is None else {**current.values, **clean}
    if current is not None and current.values == new_values:
        return current
    if current is None:
        current = CanonicalTags(
            title=title, values=new_values, version=1, source=source, updated_by=changed_by
        )
    else:
        current.values, current.version = new_values, current.version + 1
        current.source, current.updated_by = source, changed_by
    current.save()
    CanonicalTagsRevision.objects.create(
        title=title,
        version=current.version,
        values=new_values,
        source=source,
        reason=reason[:500],
        changed_by=changed_by,
    )
    outbox_record(kind=OutboxEvent.Kind.TITLE_TAGS, object_ids=[title.pk])
    return current
