"""Builders for the subscriber tests: tagged titles and precomputed lists written directly
(the engine is not needed to test what subscribers see)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django.utils.text import slugify

from catalog.models import CanonicalTags, Dimension, Tag, Title
from recommendations.engine.explain import CODE_LIKED
from recommendations.engine.packed import KINDS, pack_one
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
    """A list as the worker stores it, with rows named freely (suits filtering tests): each
    item's reason is its title's first genre and tone, like the title itself ("Irreverent
    comedy — like Clerks, which you liked"); a row other than "Top picks for you" is stored as
    a one-adjective row of a tag labelled with its name, and may name any listed titles."""
    tags = {(d, s): pk for pk, d, s in Tag.objects.values_list("pk", "dimension__slug", "slug")}

    def first(title: Title, dimension: str) -> int:
        canonical = CanonicalTags.objects.filter(title=title).first()
        values = (canonical.values if canonical else {}).get(dimension) or []
        return tags.get((dimension, values[0]), 0) if isinstance(values, list) and values else 0

    items = [
        (title, (first(title, "genre"), first(title, "tone"), 0, title, CODE_LIKED))
        for title in titles
    ]
    at = {title.pk: i for i, title in enumerate(titles)}
    stored_rows: list[tuple[str, int, int, Title | None, Sequence[int]]] = []
    created = False
    for name, members in rows or [("Top picks for you", titles)]:
        positions = [at[t.pk] for t in members if t.pk in at]
        if name == "Top picks for you":
            stored_rows.append(("top", 0, 0, None, positions))
            continue
        tag, new = Tag.objects.get_or_create(
            dimension=Dimension.objects.get(slug="tone"),
            slug=slugify(name)[:64],
            defaults={"label": name},
        )
        created |= new
        stored_rows.append(("micro", 0, tag.pk, None, positions))
    if created:
        cache.clear()  # the labels are cached per taxonomy version, which a bare create keeps
    return coded_list_write(subscriber, items, rows=stored_rows, generated_at=generated_at)


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
    columns: list[list[int]] = [[] for _ in range(6)]
    codes = []
    for i, (title, (g, a, b, anchor, code)) in enumerate(items):
        for column, value in zip(
            columns,
            (title.pk, 10_000 - i * 100, g, a, b, anchor.pk if anchor else 0),
            strict=True,
        ):
            column.append(value)
        codes.append(code)
    packed_rows = [
        [KINDS.index(kind), g, a, anchor.pk if anchor else 0, *positions]
        for kind, g, a, anchor, positions in rows
    ]
    rec, _ = RecommendationList.objects.update_or_create(
        subscriber=subscriber,
        defaults={
            "packed": pack_one(columns, codes, packed_rows),
            "generated_at": generated_at or timezone.now(),
            "tags_version": 7,
        },
    )
    return rec
