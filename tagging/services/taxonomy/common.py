"""Shared by the taxonomy services: messages, the change record (a TaxonomyChange plus a
TAXONOMY outbox row), slug and translation cleaning."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from catalog.models import (
    Dimension,
    OutboxEvent,
    TaxonomyChange,
)
from catalog.outbox import outbox_record

if TYPE_CHECKING:
    from django.contrib.auth.models import User


SLUG_TAKEN = _("“%(slug)s” is already used in this dimension.")
DIMENSION_SLUG_TAKEN = _("A dimension “%(slug)s” already exists.")
BAD_SLUG = _("Use lowercase letters, digits and hyphens.")
LABEL_REQUIRED = _("A label is required.")
NO_TAGS = _("%(kind)s dimensions have no tags to rename or merge.")
SAME_TAG = _("Choose two different tags.")
OTHER_DIMENSION = _("Both tags must belong to the same dimension.")
RETIRED_TARGET = _("Merge into an active tag.")
NOT_UNDOABLE = _("Only renames and merges can be undone.")
ALREADY_UNDONE = _("This change was already undone.")
SLUG_TAKEN_UNDO = _("Cannot undo: the slug “%(slug)s” is used again.")
BAD_ORDER = _("The new order must list each tag of the dimension exactly once.")
LEVELS_FIXED = _("Ordinal levels are fixed (0 to 5); edit their definitions instead.")
BAD_KIND = _("Unknown kind.")
ORDINAL_LEVELS = range(6)


def _record(
    *,
    action: str,
    summary: str,
    editor: User | None,
    dimension: Dimension | None,
    undo: dict[str, Any] | None = None,
) -> TaxonomyChange:
    change = TaxonomyChange.objects.create(
        action=action,
        summary=summary[:300],
        dimension=dimension,
        undo=undo or {},
        changed_by=editor,
    )
    outbox_record(kind=OutboxEvent.Kind.TAXONOMY, object_ids=[change.pk])
    return change


def _slug_clean(slug: str, field: str = "slug") -> str:
    clean = slugify(slug or "")
    if not clean or clean != (slug or "").strip():
        raise ValidationError({field: [BAD_SLUG]})
    return clean


def _translations_clean(current: dict[str, Any], french: dict[str, str] | None) -> dict[str, Any]:
    if french is None:
        return current
    out = dict(current)
    fr = {
        k: (v or "").strip() for k, v in french.items() if k in {"label", "definition", "examples"}
    }
    out["fr"] = {k: v for k, v in fr.items() if v}
    if not out["fr"]:
        out.pop("fr")
    return out
