"""The disagreement queue: titles ranked by how much their taggers disagree, weighted by
dimension. Computed for the whole catalogue at once (one query, numpy per dimension) and cached
under a fingerprint of everything it depends on, so a page of the queue costs a few small
queries until a tagging, canonical tag, taxonomy or policy changes."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from django.core.cache import cache
from django.db.models import Count, Max

from catalog.models import CanonicalTags, Title
from catalog.selectors import taxonomy_version

from ..models import Tagging
from ..review_models import DimensionPolicy
from ..services.agreement.data import Epoch, answers_load, dimension_data
from ..services.agreement.stats import unit_disagreement
from .common import review_codebook

CACHE_SECONDS = 600


@dataclass(frozen=True)
class QueueTable:
    """The ranking of every title with at least two submitted answers (arrays of length Q)."""

    title_ids: np.ndarray
    scores: np.ndarray  # weighted mean disagreement 0..1
    answers: np.ndarray  # submitted taggings per title
    last_submitted: np.ndarray  # Unix seconds
    worst: list[str]  # the dimension contributing most
    per_dimension: dict[str, np.ndarray]  # slug -> (Q,) disagreement (nan: not comparable)


def _state() -> tuple[str, str]:
    """(fingerprint of everything the ranking depends on, the part only a full recompute can
    follow: taxonomy and policies)."""
    t = Tagging.objects.filter(status=Tagging.Status.SUBMITTED).aggregate(
        n=Count("id"), last=Max("updated_at")
    )
    p = DimensionPolicy.objects.aggregate(v=Max("updated_at"))["v"]
    base = f"{taxonomy_version()}:{p}"
    raw = f"{t['n']}:{t['last']}:{base}"
    return "review-queue:" + hashlib.sha256(raw.encode()).hexdigest(), base


def review_fingerprint() -> str:
    """Changes whenever a submitted answer, the taxonomy or a policy does."""
    return _state()[0]


_LATEST = "review-queue:latest"
#: Answers saved this close to a computation are re-read on the next update (clock skew between
#: web processes and the database's timestamps).
_MARGIN_SECONDS = 5.0


def queue_table() -> QueueTable:
    """The ranking, cached under the fingerprint. When only answers changed since the last
    computation, only the titles whose taggings changed are recomputed and merged in (every
    title's figures depend on its own answers alone); a taxonomy or policy change, or an entry
    older than ``CACHE_SECONDS``, recomputes everything."""
    key, base = _state()
    table = cache.get(key)
    if table is not None:
        return table
    started = time.time()
    latest = cache.get(_LATEST)
    if latest is not None and latest["base"] == base and started - latest["at"] < CACHE_SECONDS:
        since = datetime.fromtimestamp(latest["at"] - _MARGIN_SECONDS, tz=UTC)
        changed = list(
            Tagging.objects.filter(updated_at__gte=since)
            .order_by()
            .values_list("title_id", flat=True)
            .distinct()
        )
        table = _merge(latest["table"], queue_table_compute(title_ids=changed), changed)
        at = latest["at"] if not changed else started
    else:
        table, at = queue_table_compute(), started
    cache.set(key, table, CACHE_SECONDS)
    cache.set(_LATEST, {"base": base, "at": at, "table": table}, CACHE_SECONDS)
    return table


def _merge(old: QueueTable, new: QueueTable, changed: list[int]) -> QueueTable:
    """``old`` without the ``changed`` titles, plus ``new`` (their fresh figures), by title id."""
    keep = ~np.isin(old.title_ids, np.asarray(changed, dtype=np.int64))
    ids = np.concatenate([old.title_ids[keep], new.title_ids])
    order = np.argsort(ids, kind="stable")

    def join(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.concatenate([a[keep], b])[order]

    slugs = set(old.per_dimension) | set(new.per_dimension)
    nan_old, nan_new = np.full(old.title_ids.size, np.nan), np.full(new.title_ids.size, np.nan)
    worst = [w for w, k in zip(old.worst, keep, strict=True) if k] + list(new.worst)
    return QueueTable(
        title_ids=ids[order],
        scores=join(old.scores, new.scores),
        answers=join(old.answers, new.answers),
        last_submitted=join(old.last_submitted, new.last_submitted),
        worst=[worst[i] for i in order],
        per_dimension={
            slug: join(old.per_dimension.get(slug, nan_old), new.per_dimension.get(slug, nan_new))
            for slug in slugs
        },
    )


def queue_table_compute(*, title_ids: list[int] | None = None) -> QueueTable:
    """The ranking of every title (or of ``title_ids`` only) from the submitted answers."""
    codebook = review_codebook()
    answers = answers_load(title_ids=title_ids, dimensions=[d.slug for d in codebook.dimensions])
    if len(answers) == 0:
        empty = np.zeros(0)
        return QueueTable(empty.astype(np.int64), empty, empty.astype(np.int64), empty, [], {})
    unique_ids, title_idx, counts = np.unique(
        answers.title_ids, return_inverse=True, return_counts=True
    )
    keep = counts >= 2
    n_titles = unique_ids.size
    weighted = np.zeros(n_titles)
    weights = np.zeros(n_titles)
    per_dimension: dict[str, np.ndarray] = {}
    worst_value = np.full(n_titles, -1.0)
    worst_idx = np.full(n_titles, -1, dtype=np.int64)
    for d_i, dimension in enumerate(codebook.dimensions):
        data = dimension_data(
            answers, dimension, tag_slugs=codebook.tag_slugs.get(dimension.slug, [])
        )
        if data.units.size == 0:
            continue
        dis = unit_disagreement(data)
        full = np.full(n_titles, np.nan)
        full[np.searchsorted(unique_ids, data.units)] = dis
        per_dimension[dimension.slug] = full[keep]
        ok = np.isfinite(full)
        w = codebook.weight(dimension)
        weighted[ok] += w * full[ok]
        weights[ok] += w
        contribution = np.where(ok & (np.nan_to_num(full) > 0), w * np.nan_to_num(full), -1.0)
        better = contribution > worst_value
        worst_value[better], worst_idx[better] = contribution[better], d_i
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(weights > 0, weighted / np.maximum(weights, 1e-12), 0.0)
    last = np.zeros(n_titles)
    np.maximum.at(last, title_idx, answers.submitted_at)
    sel = np.flatnonzero(keep)
    slugs = [d.slug for d in codebook.dimensions]
    return QueueTable(
        title_ids=unique_ids[sel],
        scores=scores[sel],
        answers=counts[sel],
        last_submitted=last[sel],
        worst=[slugs[i] if i >= 0 else "" for i in worst_idx[sel]],
        per_dimension=per_dimension,
    )


def adjudicated_mask(table: QueueTable) -> np.ndarray:
    """(Q,) titles whose canonical tags an editor set after their last answer. Read fresh on
    every request (one small query), so adjudicating does not invalidate the cached ranking."""
    rows = (
        CanonicalTags.objects.filter(source=CanonicalTags.Source.ADJUDICATED)
        .annotate(_epoch=Epoch("updated_at"))
        .values_list("title_id", "_epoch")
    )
    if not table.title_ids.size:
        return np.zeros(0, dtype=bool)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64) if rows else np.zeros(0, dtype=np.int64)
    when = np.fromiter((r[1] for r in rows), dtype=np.float64) if rows else np.zeros(0)
    at = np.full(table.title_ids.size, -np.inf)
    pos = np.searchsorted(table.title_ids, ids)
    ok = (pos < table.title_ids.size) & (
        table.title_ids[np.minimum(pos, table.title_ids.size - 1)] == ids
    )
    at[pos[ok]] = when[ok]
    return at >= table.last_submitted


@dataclass(frozen=True)
class QueuePage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int


def disagreement_queue(
    *,
    dimension: str = "",
    search: str = "",
    min_score: float = 0.0,
    include_adjudicated: bool = False,
    page: int = 1,
    per_page: int = 25,
) -> QueuePage:
    """One page of the ranked queue; ``dimension`` ranks by that dimension alone."""
    table = queue_table()
    scores = table.scores
    if dimension and dimension in table.per_dimension:
        scores = np.nan_to_num(table.per_dimension[dimension], nan=-1.0)
    mask = scores >= max(min_score, 0.0)
    adjudicated = adjudicated_mask(table)
    if not include_adjudicated:
        mask &= ~adjudicated
    idx = np.flatnonzero(mask)
    if search:
        matching = set(
            Title.objects.filter(
                pk__in=table.title_ids[idx].tolist(), title__icontains=search
            ).values_list("pk", flat=True)
        )
        idx = idx[np.isin(table.title_ids[idx], list(matching))]
    order = idx[np.lexsort((-table.last_submitted[idx], -scores[idx]))]
    total = int(order.size)
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    chunk = order[(page - 1) * per_page : page * per_page]
    titles = Title.objects.in_bulk(table.title_ids[chunk].tolist())
    labels = {d.slug: d.label_i18n for d in review_codebook().dimensions}
    rows = [
        {
            "title": titles[int(table.title_ids[i])],
            "score": float(scores[i]),
            "answers": int(table.answers[i]),
            "worst": labels.get(table.worst[i], table.worst[i]),
            "adjudicated": bool(adjudicated[i]),
        }
        for i in chunk
        if int(table.title_ids[i]) in titles
    ]
    return QueuePage(rows=rows, total=total, page=page, pages=pages)
