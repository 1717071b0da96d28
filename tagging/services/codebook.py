"""The codebook that tag values are validated against, cached per process and checked on
every use with one light query.

``Codebook.load()`` builds model instances for every dimension and tag with their definitions,
translations and examples: about 13 ms a call, more than all the rest of a tagger's save.
Validation reads only each dimension's slug, kind, required and active flags and each tag's
slug and active flag, so one raw query reads exactly those columns (plus the taxonomy version
every tagging records), and the codebook built from them is reused while they are unchanged.
Any change — taxonomy services, admin, import or a raw ``UPDATE`` — changes the rows, so nothing
is validated against a stale codebook, and there is nothing to invalidate.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.db import connection

from catalog.models import Dimension, Tag, TaxonomyChange
from catalog.values import Codebook
from config.db import prepared_cursor

Row = tuple[int, int, str, str, int, int, int]


@dataclass(frozen=True)
class CurrentCodebook:
    codebook: Codebook
    taxonomy_version: int


_lock = threading.Lock()
#: Per database alias: the rows the codebook was built from, and the codebook.
_cached: dict[str, tuple[tuple[Row, ...], CurrentCodebook]] = {}


def _sql() -> str:
    dim = Dimension._meta.db_table
    tag = Tag._meta.db_table
    change = TaxonomyChange._meta.db_table
    flag = "CASE WHEN {0} THEN 1 ELSE 0 END"
    # One statement, three parts: the taxonomy version, every dimension, every tag.
    return (
        f"SELECT 0, COALESCE((SELECT MAX(id) FROM {change}), 0), '', '', 0, 0, 0 "  # noqa: S608
        f"UNION ALL SELECT 1, id, slug, kind, {flag.format('required')}, "
        f'{flag.format("active")}, "order" FROM {dim} '
        f"UNION ALL SELECT 2, id, slug, CAST(dimension_id AS TEXT), 0, "
        f"{flag.format('active')}, 0 FROM {tag} "
        "ORDER BY 1, 2"
    )


def _build(rows: tuple[Row, ...]) -> CurrentCodebook:
    """The codebook from the light rows: unsaved instances holding the fields validation reads,
    dimensions in form order (the order ``Codebook.load`` gives, used for "required" errors)."""
    dims = sorted(
        (
            Dimension(
                id=r[1], slug=r[2], kind=r[3], required=bool(r[4]), active=bool(r[5]), order=r[6]
            )
            for r in rows
            if r[0] == 1
        ),
        key=lambda d: (d.order, d.slug),
    )
    dimensions = {d.slug: d for d in dims}
    by_id = {d.pk: d for d in dims}
    tags: dict[str, dict[str, Tag]] = {d.slug: {} for d in dims}
    for r in rows:
        if r[0] == 2:
            dimension = by_id[int(r[3])]
            tags[dimension.slug][r[2]] = Tag(
                id=r[1], slug=r[2], dimension=dimension, active=bool(r[5])
            )
    return CurrentCodebook(
        codebook=Codebook(dimensions=dimensions, tags=tags), taxonomy_version=int(rows[0][1])
    )


def codebook_current() -> CurrentCodebook:
    """The codebook and the taxonomy version as stored now: one query when nothing changed."""
    with prepared_cursor() as cursor:
        cursor.execute(_sql())
        rows: tuple[Row, ...] = tuple(map(tuple, cursor.fetchall()))  # type: ignore[arg-type]
    with _lock:
        hit = _cached.get(connection.alias)
    if hit is not None and hit[0] == rows:
        return hit[1]
    current = _build(rows)
    with _lock:
        _cached[connection.alias] = (rows, current)
    return current
