"""Builders for the subscriber tests: tagged titles and precomputed lists written directly
(the engine is not needed to test what subscribers see)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from catalog.models import CanonicalTags, Title
from recommendations.models import RecommendationList, Subscriber

_ids = itertools.count(1)


def tagged_title(
    name: str | None = None, values: dict[str, Any] | None = None, **fields: Any
) -> Title:
    """A title with canonical tags (``values=None`` leaves it untagged)."""
    n = next(_ids)
    fields.setdefault("year", 2000 + n % 20)
    fields.setdefault("runtime_minutes", 95 + n % 40)
    title = Title.objects.create(external_id=f"sub-{n}", title=name or f"Film {n}", **fields)
    if values is not None:
        CanonicalTags.objects.create(title=title, values=values)
    return title


def safe_values(**overrides: Any) -> dict[str, Any]:
    """Tags of a title every profile may see (all maturity levels 0)."""
    return {
        "genre": ["comedy"],
        "tone": ["irreverent"],
        "violence": 0,
        "sex": 0,
        "language": 0,
        **overrides,
    }


def list_write(
    subscriber: Subscriber,
    titles: Sequence[Title],
    *,
    rows: Sequence[tuple[str, Sequence[Title]]] | None = None,
    generated_at: Any = None,
) -> RecommendationList:
    """A list in the shape written before codes (English words stored: ``items`` of
    ``{"title_id", "score", "reason"}``, ``rows`` of ``{"name", "title_ids"}``), which readers
    still accept until it is rebuilt. Rows here are named freely, which suits filtering tests."""
    items = [
        {
            "title_id": t.pk,
            "score": round(1.0 - i / 100, 4),
            "reason": f"Because you like {t.title}'s tone",
        }
        for i, t in enumerate(titles)
    ]
    row_data = [
        {"name": name, "title_ids": [t.pk for t in ts]}
        for name, ts in (rows or [("Top picks for you", titles)])
    ]
    rec, _ = RecommendationList.objects.update_or_create(
        subscriber=subscriber,
        defaults={
            "items": items,
            "rows": row_data,
            "generated_at": generated_at or timezone.now(),
            "tags_version": 7,
        },
    )
    return rec


def coded_list_write(
    subscriber: Subscriber,
    items: Sequence[tuple[Title, tuple[int, int, int, Title | None, int]]],
    *,
    rows: Sequence[tuple[str, int, int, Title | None, Sequence[int]]] = (),
    generated_at: Any = None,
) -> RecommendationList:
    """A list in the stored shape the worker writes (see ``RecommendationList``): per item the
    title and its codes (genre tag id, adjective tag ids, anchor title, anchor code); per row
    (kind, genre tag id, adjective tag id, anchor title, item positions)."""
    columns: dict[str, list[int]] = {k: [] for k in "tsgabhc"}
    for i, (title, (g, a, b, anchor, code)) in enumerate(items):
        for key, value in zip(
            "tsgabhc",
            (title.pk, 10_000 - i * 100, g, a, b, anchor.pk if anchor else 0, code),
            strict=True,
        ):
            columns[key].append(value)
    row_columns: dict[str, list[Any]] = {k: [] for k in "kgahi"}
    for kind, g, a, anchor, positions in rows:
        for key, value in zip(
            "kgahi", (kind, g, a, anchor.pk if anchor else 0, list(positions)), strict=True
        ):
            row_columns[key].append(value)
    rec, _ = RecommendationList.objects.update_or_create(
        subscriber=subscriber,
        defaults={
            "items": columns,
            "rows": row_columns,
            "generated_at": generated_at or timezone.now(),
            "tags_version": 7,
        },
    )
    return rec
