"""A subscriber's maturity limits: a cap per ordinal maturity dimension (violence, sex,
language), chosen one by one or from a preset. A change queues the subscriber's rebuild in the
same transaction; the read side also filters against the new limits at once."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from catalog.models import Dimension, OutboxEvent
from catalog.outbox import outbox_record

from ..models import Subscriber

MIN_LEVEL, MAX_LEVEL = 0, 5

#: Caps by dimension slug. A preset only touches the maturity dimensions the codebook has;
#: "adult" lifts every limit.
PRESETS: dict[str, dict[str, int]] = {
    "kids": {"violence": 1, "sex": 0, "sex-nudity": 0, "language": 1},
    "teen": {"violence": 3, "sex": 2, "sex-nudity": 2, "language": 3},
    "adult": {},
}
PRESET_LABELS = {"kids": _("Kids"), "teen": _("Teen"), "adult": _("Adult")}
PRESET_HELP = {
    "kids": _("Mild action, no nudity, gentle language."),
    "teen": _("Action and peril, brief romance, some strong words."),
    "adult": _("No limits: everything in the catalogue."),
}
CUSTOM = "custom"

UNKNOWN_PRESET = _("Choose one of: kids, teen, adult.")
NOT_AN_OBJECT = _("Expected an object mapping maturity dimensions to levels.")
NOT_A_MATURITY_DIMENSION = _("“%(slug)s” is not a maturity dimension you can limit.")
BAD_LEVEL = _("Expected a whole number from 0 to 5, or null for no limit.")


def maturity_dimensions() -> list[Dimension]:
    """The dimensions a subscriber may cap, with their levels prefetched, in form order."""
    return list(
        Dimension.objects.filter(is_maturity=True, kind=Dimension.Kind.ORDINAL, active=True)
        .order_by("order", "slug")
        .prefetch_related("tags")
    )


def preset_levels(preset: str, *, slugs: set[str]) -> dict[str, int]:
    if preset not in PRESETS:
        raise ValidationError({"preset": [UNKNOWN_PRESET]})
    return {slug: level for slug, level in PRESETS[preset].items() if slug in slugs}


def preset_of(max_levels: dict[str, int], *, slugs: set[str]) -> str:
    """The preset these limits equal, or ``"custom"``."""
    for name in PRESETS:
        if preset_levels(name, slugs=slugs) == max_levels:
            return name
    return CUSTOM


def max_levels_clean(value: Any, *, slugs: set[str], current: dict[str, int]) -> dict[str, int]:
    """Merge ``value`` (``{slug: level or None}``) into ``current``; errors are keyed
    ``max_levels.<slug>`` so the API names the exact field."""
    if not isinstance(value, dict):
        raise ValidationError({"max_levels": [NOT_AN_OBJECT]})
    merged = {k: v for k, v in current.items() if k in slugs}
    errors: dict[str, list[str]] = {}
    for slug, level in value.items():
        key = f"max_levels.{slug}"
        if slug not in slugs:
            errors[key] = [str(NOT_A_MATURITY_DIMENSION % {"slug": slug})]
            continue
        if level is None or level == "":
            merged.pop(slug, None)
            continue
        if isinstance(level, int) and not isinstance(level, bool):
            number = level
        elif isinstance(level, str) and level.strip().isdigit():
            number = int(level)  # form posts send text
        else:
            errors[key] = [str(BAD_LEVEL)]
            continue
        if not MIN_LEVEL <= number <= MAX_LEVEL:
            errors[key] = [str(BAD_LEVEL)]
            continue
        merged[slug] = number
    if errors:
        raise ValidationError(errors)
    return merged


def profile_update(
    *, subscriber: Subscriber, max_levels: dict[str, Any] | None = None, preset: str | None = None
) -> Subscriber:
    """Apply a preset and/or per-dimension caps (a preset first, then the caps on top)."""
    slugs = {d.slug for d in maturity_dimensions()}
    current = {k: v for k, v in (subscriber.max_levels or {}).items() if isinstance(v, int)}
    if preset not in (None, "", CUSTOM):
        current = preset_levels(str(preset), slugs=slugs)
    if max_levels is not None:
        current = max_levels_clean(max_levels, slugs=slugs, current=current)
    with transaction.atomic():
        changed = current != (subscriber.max_levels or {})
        subscriber.max_levels = current
        subscriber.save(update_fields=["max_levels", "updated_at"])
        if changed:
            outbox_record(kind=OutboxEvent.Kind.SUBSCRIBER, object_ids=[subscriber.pk])
    return subscriber
