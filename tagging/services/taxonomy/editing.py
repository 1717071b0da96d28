"""Create and edit dimensions and tags (definitions and French translations)."""

from __future__ import annotations

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
    BAD_KIND,
    DIMENSION_SLUG_TAKEN,
    LABEL_REQUIRED,
    LEVELS_FIXED,
    NO_TAGS,
    ORDINAL_LEVELS,
    SLUG_TAKEN,
    _record,
    _slug_clean,
    _translations_clean,
)

# --- create and edit ------------------------------------------------------------------------


@transaction.atomic
def dimension_create(
    *,
    slug: str,
    label: str,
    kind: str,
    editor: User,
    definition: str = "",
    required: bool = False,
    french: dict[str, str] | None = None,
) -> Dimension:
    slug = _slug_clean(slug)
    if kind not in Dimension.Kind.values:
        raise ValidationError({"kind": [BAD_KIND]})
    if not label.strip():
        raise ValidationError({"label": [LABEL_REQUIRED]})
    if Dimension.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": [DIMENSION_SLUG_TAKEN % {"slug": slug}]})
    last = Dimension.objects.order_by("-order").values_list("order", flat=True).first() or 0
    dimension = Dimension.objects.create(
        slug=slug,
        label=label.strip(),
        kind=kind,
        definition=definition.strip(),
        required=required,
        order=last + 1,
        translations=_translations_clean({}, french),
    )
    if kind == Dimension.Kind.ORDINAL:
        Tag.objects.bulk_create(
            Tag(dimension=dimension, slug=str(level), label=str(level), level=level, order=level)
            for level in ORDINAL_LEVELS
        )
    _record(
        action=TaxonomyChange.Action.CREATE,
        summary=f"Added dimension {slug}",
        editor=editor,
        dimension=dimension,
    )
    return dimension


@transaction.atomic
def dimension_edit(
    *,
    dimension: Dimension,
    editor: User,
    label: str,
    definition: str,
    required: bool | None = None,
    french: dict[str, str] | None = None,
) -> Dimension:
    if not label.strip():
        raise ValidationError({"label": [LABEL_REQUIRED]})
    dimension.label, dimension.definition = label.strip(), definition.strip()
    if required is not None:
        dimension.required = required
    dimension.translations = _translations_clean(dimension.translations, french)
    dimension.save(update_fields=["label", "definition", "required", "translations"])
    _record(
        action=TaxonomyChange.Action.EDIT,
        summary=f"Edited dimension {dimension.slug}",
        editor=editor,
        dimension=dimension,
    )
    return dimension


@transaction.atomic
def tag_create(
    *,
    dimension: Dimension,
    slug: str,
    label: str,
    editor: User,
    definition: str = "",
    examples: str = "",
    french: dict[str, str] | None = None,
) -> Tag:
    if dimension.kind in {Dimension.Kind.ORDINAL, Dimension.Kind.BOOLEAN}:
        raise ValidationError(
            {
                "slug": [
                    LEVELS_FIXED
                    if dimension.is_ordinal
                    else NO_TAGS % {"kind": dimension.get_kind_display()}
                ]
            }
        )
    slug = _slug_clean(slug)
    if not label.strip():
        raise ValidationError({"label": [LABEL_REQUIRED]})
    if Tag.objects.filter(dimension=dimension, slug=slug).exists():
        raise ValidationError({"slug": [SLUG_TAKEN % {"slug": slug}]})
    last = (
        Tag.objects.filter(dimension=dimension)
        .order_by("-order")
        .values_list("order", flat=True)
        .first()
        or 0
    )
    tag = Tag.objects.create(
        dimension=dimension,
        slug=slug,
        label=label.strip(),
        definition=definition.strip(),
        examples=examples.strip(),
        order=last + 1,
        translations=_translations_clean({}, french),
    )
    _record(
        action=TaxonomyChange.Action.CREATE,
        summary=f"Added tag {dimension.slug}:{slug}",
        editor=editor,
        dimension=dimension,
    )
    return tag


@transaction.atomic
def tag_edit(
    *,
    tag: Tag,
    editor: User,
    label: str,
    definition: str,
    examples: str = "",
    french: dict[str, str] | None = None,
) -> Tag:
    """Edit the wording (label, definition, examples, French translation). The slug, which
    taggings store, only changes through ``tag_rename``."""
    if not label.strip():
        raise ValidationError({"label": [LABEL_REQUIRED]})
    tag.label, tag.definition, tag.examples = label.strip(), definition.strip(), examples.strip()
    tag.translations = _translations_clean(tag.translations, french)
    tag.save(update_fields=["label", "definition", "examples", "translations"])
    _record(
        action=TaxonomyChange.Action.EDIT,
        summary=f"Edited tag {tag}",
        editor=editor,
        dimension=tag.dimension,
    )
    return tag
