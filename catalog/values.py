"""Validation of tag values against the taxonomy — one function used by taggings, canonical
tags, calibration answers and imports, so every writer accepts exactly the same shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from .models import Dimension, Tag

UNKNOWN_DIMENSION = "Unknown dimension “%(slug)s”."
RETIRED_DIMENSION = "The dimension “%(slug)s” is retired."
NOT_A_LIST = "Expected a list of tag slugs."
NOT_A_SLUG = "Expected one tag slug."
NOT_A_LEVEL = "Expected a whole number from 0 to 5."
LEVEL_OUT_OF_RANGE = "Level %(value)s is out of range: choose 0 to 5."
NOT_A_BOOLEAN = "Expected true or false."
UNKNOWN_TAG = "Unknown tag “%(slug)s”."
RETIRED_TAG = "The tag “%(slug)s” is retired."
DUPLICATE_TAG = "“%(slug)s” is listed twice."
REQUIRED = "This dimension is required."
VALUES_NOT_OBJECT = "Expected an object mapping dimension slugs to values."

MIN_LEVEL, MAX_LEVEL = 0, 5


@dataclass(frozen=True)
class Codebook:
    """The active taxonomy in memory: dimensions by slug and their tag slugs."""

    dimensions: dict[str, Dimension]
    tags: dict[str, dict[str, Tag]] = field(default_factory=dict)

    @classmethod
    def load(cls, *, include_retired: bool = True) -> Codebook:
        dims = Dimension.objects.all() if include_retired else Dimension.objects.filter(active=True)
        dimensions = {d.slug: d for d in dims}
        tags: dict[str, dict[str, Tag]] = {slug: {} for slug in dimensions}
        for tag in Tag.objects.filter(dimension__in=dimensions.values()).select_related(
            "dimension"
        ):
            tags[tag.dimension.slug][tag.slug] = tag
        return cls(dimensions=dimensions, tags=tags)


def values_clean(
    values: Any, *, codebook: Codebook | None = None, require_complete: bool = False
) -> dict[str, Any]:
    """Return ``values`` normalised (lists de-duplicated and sorted, levels as int) or raise a
    ``ValidationError`` whose dict names every bad dimension, e.g. ``{"violence": [...]}``.

    ``require_complete`` also demands every required active dimension (used on submit).
    """
    if not isinstance(values, dict):
        raise ValidationError({"values": [VALUES_NOT_OBJECT]})
    codebook = codebook or Codebook.load()
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for slug, value in values.items():
        dimension = codebook.dimensions.get(slug)
        if dimension is None:
            errors[str(slug)] = [UNKNOWN_DIMENSION % {"slug": slug}]
            continue
        if not dimension.active:
            errors[slug] = [RETIRED_DIMENSION % {"slug": slug}]
            continue
        if value is None or value == []:
            continue  # an empty answer is "not answered yet"
        try:
            clean[slug] = _clean_one(dimension, value, codebook.tags.get(slug, {}))
        except ValidationError as exc:
            errors[slug] = exc.messages
    if require_complete:
        for slug, dimension in codebook.dimensions.items():
            if dimension.active and dimension.required and slug not in clean and slug not in errors:
                errors[slug] = [REQUIRED]
    if errors:
        raise ValidationError(errors)
    return clean


def _clean_one(dimension: Dimension, value: Any, tags: dict[str, Tag]) -> Any:
    kind = dimension.kind
    if kind == Dimension.Kind.ORDINAL:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValidationError(NOT_A_LEVEL)
        try:
            level = int(value)
        except ValueError as exc:
            raise ValidationError(NOT_A_LEVEL) from exc
        if not MIN_LEVEL <= level <= MAX_LEVEL:
            raise ValidationError(LEVEL_OUT_OF_RANGE % {"value": level})
        return level
    if kind == Dimension.Kind.BOOLEAN:
        if not isinstance(value, bool):
            raise ValidationError(NOT_A_BOOLEAN)
        return value
    if kind == Dimension.Kind.SINGLE:
        if not isinstance(value, str):
            raise ValidationError(NOT_A_SLUG)
        _check_tag(value, tags)
        return value
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(NOT_A_LIST)
    seen: set[str] = set()
    for slug in value:
        if slug in seen:
            raise ValidationError(DUPLICATE_TAG % {"slug": slug})
        seen.add(slug)
        _check_tag(slug, tags)
    return sorted(seen)


def _check_tag(slug: str, tags: dict[str, Tag]) -> None:
    tag = tags.get(slug)
    if tag is None:
        raise ValidationError(UNKNOWN_TAG % {"slug": slug})
    if not tag.active:
        raise ValidationError(RETIRED_TAG % {"slug": slug})
