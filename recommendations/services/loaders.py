"""Bulk loads from the database into the engine's arrays (one query per table, no per-row ORM)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from django.db import connection

from catalog.models import CanonicalTags, Dimension, Tag, Title
from recommendations.engine.profiles import EVENT_CODES, Interactions
from recommendations.engine.scoring import NO_LIMIT
from recommendations.engine.vectors import DimensionSpec, TagSpec
from recommendations.models import Subscriber, ViewingEvent

FETCH = 50_000


def codebook_load() -> list[DimensionSpec]:
    """The active taxonomy as engine specs (retired tags and dimensions carry no weight)."""
    tags: dict[int, list[TagSpec]] = {}
    for dimension_id, slug, label in (
        Tag.objects.filter(active=True)
        .order_by("dimension_id", "order", "level", "slug")
        .values_list("dimension_id", "slug", "label")
    ):
        tags.setdefault(dimension_id, []).append(TagSpec(slug, label))
    return [
        DimensionSpec(
            slug=d.slug,
            kind=d.kind,
            label=d.label,
            weight=d.weight,
            is_maturity=d.is_maturity,
            tags=tuple(tags.get(d.pk, ())),
        )
        for d in Dimension.objects.filter(active=True).order_by("order", "slug")
    ]


@dataclass
class Catalogue:
    """``ids`` (T,) int64 title ids in matrix order, ``names`` their display names, ``values``
    their canonical tags (``{}`` when untagged)."""

    ids: np.ndarray
    names: list[str]
    values: list[dict[str, Any]]


def titles_load() -> Catalogue:
    rows = list(Title.objects.order_by("id").values_list("id", "title"))
    canonical = dict(CanonicalTags.objects.values_list("title_id", "values"))
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    return Catalogue(ids, [r[1] for r in rows], [canonical.get(r[0]) or {} for r in rows])


def canonical_values_load(title_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    return dict(
        CanonicalTags.objects.filter(title_id__in=list(title_ids)).values_list("title_id", "values")
    )


def _epoch(value: Any) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, str):  # SQLite without converters in raw cursors
        return datetime.fromisoformat(value).timestamp()
    return float(value)


@dataclass
class History:
    """Raw events with database ids: ``subscriber_ids`` and ``title_ids`` (n,) int64."""

    subscriber_ids: np.ndarray
    title_ids: np.ndarray
    event: np.ndarray
    rating: np.ndarray
    timestamp: np.ndarray
    max_event_id: int

    def index(self, title_ids: np.ndarray, subscriber_ids: np.ndarray) -> Interactions:
        """Map database ids to matrix positions (events of unknown titles/subscribers dropped)."""
        t_order = np.argsort(title_ids)
        t_at = np.searchsorted(title_ids, self.title_ids, sorter=t_order)
        t_at = np.minimum(t_at, max(len(title_ids) - 1, 0))
        t_ok = (
            (len(title_ids) > 0) & (title_ids[t_order[t_at]] == self.title_ids)
            if len(title_ids)
            else np.zeros(len(self.title_ids), bool)
        )
        s_order = np.argsort(subscriber_ids)
        s_at = np.searchsorted(subscriber_ids, self.subscriber_ids, sorter=s_order)
        s_at = np.minimum(s_at, max(len(subscriber_ids) - 1, 0))
        s_ok = (
            (subscriber_ids[s_order[s_at]] == self.subscriber_ids)
            if len(subscriber_ids)
            else np.zeros(len(self.subscriber_ids), bool)
        )
        ok = t_ok & s_ok
        return Interactions(
            s_order[s_at[ok]].astype(np.int32),
            t_order[t_at[ok]].astype(np.int32),
            self.event[ok],
            self.rating[ok],
            self.timestamp[ok],
        )


def history_load(
    *, subscriber_ids: Sequence[int] | None = None, after_event_id: int = 0
) -> History:
    """Viewing events (all, or of some subscribers, or newer than an event id) as arrays,
    streamed through one server-side query."""
    table = ViewingEvent._meta.db_table
    sql = f"SELECT id, subscriber_id, title_id, event, rating, timestamp FROM {table} WHERE id > %s"  # noqa: S608
    params: list[Any] = [after_event_id]
    chunks: list[list[tuple[Any, ...]]] = []
    codes = EVENT_CODES
    id_lists: list[list[int]] = (
        [[]]
        if subscriber_ids is None
        else [list(subscriber_ids[i : i + 5000]) for i in range(0, len(subscriber_ids), 5000)]
    )
    with connection.cursor() as cursor:
        for ids in id_lists:
            if subscriber_ids is None:
                cursor.execute(sql, params)
            else:
                if not ids:
                    continue
                marks = ",".join(["%s"] * len(ids))
                cursor.execute(f"{sql} AND subscriber_id IN ({marks})", [*params, *ids])
            while batch := cursor.fetchmany(FETCH):
                chunks.append(batch)
    rows = [r for batch in chunks for r in batch]
    n = len(rows)
    ev_id = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    return History(
        subscriber_ids=np.fromiter((r[1] for r in rows), dtype=np.int64, count=n),
        title_ids=np.fromiter((r[2] for r in rows), dtype=np.int64, count=n),
        event=np.fromiter((codes.get(r[3], 0) for r in rows), dtype=np.int8, count=n),
        rating=np.fromiter(
            (float(r[4]) if r[4] is not None else np.nan for r in rows), dtype=np.float32, count=n
        ),
        timestamp=np.fromiter((_epoch(r[5]) for r in rows), dtype=np.float64, count=n),
        max_event_id=int(ev_id.max()) if n else after_event_id,
    )


def max_event_id() -> int:
    last = ViewingEvent.objects.order_by("-id").values_list("id", flat=True).first()
    return int(last or 0)


def subscribers_load(
    subscriber_ids: Sequence[int] | None = None,
) -> tuple[np.ndarray, list[dict[str, int]]]:
    """Subscriber ids (sorted, int64) and their ``max_levels``."""
    qs = Subscriber.objects.order_by("id")
    if subscriber_ids is not None:
        qs = qs.filter(id__in=list(subscriber_ids))
    rows = list(qs.values_list("id", "max_levels"))
    return np.array([r[0] for r in rows], dtype=np.int64), [r[1] or {} for r in rows]


def limits_array(max_levels: Sequence[dict[str, Any]], dims: Sequence[str]) -> np.ndarray:
    """(n, M) int8 limits, ``NO_LIMIT`` where a subscriber sets none."""
    out = np.full((len(max_levels), len(dims)), NO_LIMIT, dtype=np.int8)
    col = {slug: j for j, slug in enumerate(dims)}
    for i, levels in enumerate(max_levels):
        for slug, level in levels.items():
            j = col.get(slug)
            if j is not None and isinstance(level, int) and not isinstance(level, bool):
                out[i, j] = max(0, min(int(level), NO_LIMIT - 1))
    return out
