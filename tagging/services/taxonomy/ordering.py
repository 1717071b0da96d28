"""Retire, restore and reorder dimensions and tags."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from catalog.models import (
    Dimension,
    Tag,
    TaxonomyChange,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

from .common import (
    BAD_ORDER,
    LEVELS_FIXED,
    _record,
)

# --- retire, restore, reorder ---------------------------------------------------------------


@transaction.atomic
def tag_set_active(*, tag: Tag, active: bool, editor: User) -> TaxonomyChange:
    """Retire (hidden from the tag form; stored values stay) or restore a tag."""
    tag.active = active
    tag.save(update_fields=["active"])
    action = TaxonomyChange.Action.RESTORE if active else TaxonomyChange.Action.RETIRE
    verb = "Restored" if active else "Retired"
    return _record(
        action=action, summary=f"{verb} tag {tag}", editor=editor, dimension=tag.dimension
    )


@transaction.atomic
def dimension_set_active(*, dimension: Dimension, active: bool, editor: User) -> TaxonomyChange:
    dimension.active = active
    dimension.save(update_fields=["active"])
    action = TaxonomyChange.Action.RESTORE if active else TaxonomyChange.Action.RETIRE
    verb = "Restored" if active else "Retired"
    return _record(
        action=action,
        summary=f"{verb} dimension {dimension.slug}",
        editor=editor,
        dimension=dimension,
    )


@transaction.atomic
def tags_reorder(*, dimension: Dimension, tag_ids: Sequence[int], editor: User) -> TaxonomyChange:
    tags = {t.pk: t for t in Tag.objects.filter(dimension=dimension)}
    if sorted(tag_ids) != sorted(tags) or len(set(tag_ids)) != len(tag_ids):
        raise ValidationError({"order": [BAD_ORDER]})
    if dimension.is_ordinal:
        raise ValidationError({"order": [LEVELS_FIXED]})
    for position, pk in enumerate(tag_ids, start=1):
        tags[pk].order = position
    Tag.objects.bulk_update(tags.values(), ["order"])
    return _record(
        action=TaxonomyChange.Action.REORDER,
        summary=f"Reordered the tags of {dimension.slug}",
        editor=editor,
        dimension=dimension,
    )


@transaction.atomic
def tag_move(*, tag: Tag, offset: int, editor: User) -> TaxonomyChange:
    """Move one tag up (offset −1) or down (+1) in its dimension's order."""
    ids = list(
        Tag.objects.filter(dimension=tag.dimension)
        .order_by("order", "label")
        .values_list("pk", flat=True)
    )
    i = ids.index(tag.pk)
    j = min(max(i + offset, 0), len(ids) - 1)
    ids.insert(j, ids.pop(i))
    return tags_reorder(dimension=tag.dimension, tag_ids=ids, editor=editor)


@transaction.atomic
def dimension_move(*, dimension: Dimension, offset: int, editor: User) -> TaxonomyChange:
    dims = list(Dimension.objects.order_by("order", "slug"))
    i = next(k for k, d in enumerate(dims) if d.pk == dimension.pk)
    j = min(max(i + offset, 0), len(dims) - 1)
    dims.insert(j, dims.pop(i))
    for position, d in enumerate(dims, start=1):
        d.order = position
    Dimension.objects.bulk_update(dims, ["order"])
    return _record(
        action=TaxonomyChange.Action.REORDER,
        summary=f"Moved dimension {dimension.slug}",
        editor=editor,
        dimension=dimension,
    )
