"""The engine's working set in memory, built from the database in bulk and kept per process.

A full rebuild builds it; the incremental pipeline reuses it while it is fresh (same taxonomy,
younger than ``RECOMMENDATION_STATE_TTL``) and brings it up to date first with whatever changed
since (new viewing events, subscribers and titles named by outbox rows of any worker), so two
worker processes never act on different pictures of the same subscriber for long.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from django.conf import settings

from catalog.selectors import tags_version, taxonomy_version
from recommendations.engine.explain import (
    SCORE_SCALE,
    Drivers,
    Explainer,
    anchor_code_matrix,
    drivers,
)
from recommendations.engine.profiles import Interactions, build_profiles, seen_matrix, weight_matrix
from recommendations.engine.scoring import (
    Blend,
    BlockResult,
    Model,
    block_size,
    cowatch_similarity,
    popularity_prior,
    recommend_block,
)
from recommendations.engine.vectors import MULTI, SINGLE, build_title_vectors, replace_title_rows

from . import loaders

#: Feature kinds backed by a Tag row (booleans and ordinals are their Dimension).
SELECT_TAG_KINDS = (MULTI, SINGLE)


@dataclass
class EngineState:
    """Titles (T), subscribers (S) and everything scoring needs, as arrays."""

    title_ids: np.ndarray  # (T,) int64
    names: list[str]
    model: Model
    subscriber_ids: np.ndarray  # (S,) int64, sorted
    weights: sp.csr_matrix  # (S, T) float32 signed
    seen: sp.csr_matrix  # (S, T) bool
    anchor_codes: sp.csr_matrix  # (S, T) float32
    limits: np.ndarray  # (S, M) int8
    profiles: np.ndarray  # (S, F) float32
    max_event_id: int = 0
    outbox_seen: int = 0
    taxonomy_version: int = 0
    tags_version: int = 0
    built_at: float = field(default_factory=time.monotonic)
    list_idx: np.ndarray | None = None  # (S, k) int32 the lists as last computed
    list_min: np.ndarray | None = None  # (S,) float32 their lowest score
    list_scores: np.ndarray | None = None  # (S, k) float32 their scores
    list_spare: np.ndarray | None = None  # (S,) bool BlockResult.spare
    cowatch_norm: np.ndarray | None = None  # (S,) float32

    @property
    def n_subscribers(self) -> int:
        return int(self.subscriber_ids.shape[0])

    def positions(self, subscriber_ids: Sequence[int] | np.ndarray) -> np.ndarray:
        ids = np.asarray(subscriber_ids, dtype=np.int64)
        at = np.searchsorted(self.subscriber_ids, ids)
        at = np.minimum(at, max(self.n_subscribers - 1, 0))
        ok = self.subscriber_ids[at] == ids if self.n_subscribers else np.zeros(len(ids), bool)
        return at[ok]

    def title_position(self, title_id: int) -> int | None:
        at = int(np.searchsorted(self.title_ids, title_id))
        return at if at < len(self.title_ids) and self.title_ids[at] == title_id else None


def _interaction_matrices(
    inter: Interactions, n_subs: int, n_titles: int
) -> tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix]:
    half_life = float(getattr(settings, "RECOMMENDATION_HALF_LIFE_DAYS", 365))
    return (
        weight_matrix(inter, n_subs, n_titles, half_life_days=half_life),
        seen_matrix(inter, n_subs, n_titles),
        anchor_code_matrix(
            inter.subscriber, inter.title, inter.event, inter.rating, (n_subs, n_titles)
        ),
    )


def state_build() -> EngineState:
    """Load everything and build the working set (taxonomy, titles, history, co-watch)."""
    version = taxonomy_version()
    dims = loaders.codebook_load()
    catalogue = loaders.titles_load()
    titles = build_title_vectors(catalogue.values, dims)
    subscriber_ids, max_levels = loaders.subscribers_load()
    history = loaders.history_load()
    inter = history.index(catalogue.ids, subscriber_ids)
    n_subs, n_titles = len(subscriber_ids), len(catalogue.ids)
    weights, seen, codes = _interaction_matrices(inter, n_subs, n_titles)
    model = Model(titles, cowatch_similarity(weights).tocsr(), popularity_prior(weights), Blend())
    return EngineState(
        title_ids=catalogue.ids,
        names=catalogue.names,
        model=model,
        subscriber_ids=subscriber_ids,
        weights=weights,
        seen=seen,
        anchor_codes=codes,
        limits=loaders.limits_array(max_levels, titles.space.maturity_dims),
        profiles=build_profiles(weights, titles.matrix),
        max_event_id=history.max_event_id,
        taxonomy_version=version,
    )


def _replace_rows(matrix: sp.csr_matrix, rows: np.ndarray, new: sp.csr_matrix) -> sp.csr_matrix:
    """``matrix`` with ``rows`` replaced by ``new`` (same number of rows, in that order)."""
    keep = np.ones(matrix.shape[0], dtype=bool)
    keep[rows] = False
    selector = (
        sp.diags(keep.astype(matrix.dtype))
        if matrix.dtype != np.bool_
        else sp.diags(keep.astype(np.float32))
    )
    kept = (selector @ matrix).astype(matrix.dtype)
    placed = sp.csr_matrix(
        (np.ones(len(rows), np.float32), (rows, np.arange(len(rows)))),
        shape=(matrix.shape[0], len(rows)),
    )
    result = (kept + (placed @ new.astype(np.float32)).astype(matrix.dtype)).tocsr()
    result.eliminate_zeros()
    return result.astype(matrix.dtype)


def state_refresh_subscribers(state: EngineState, subscriber_ids: Sequence[int]) -> np.ndarray:
    """Reload the history and limits of these subscribers (adding new ones); returns their
    positions."""
    ids = np.unique(np.asarray(list(subscriber_ids), dtype=np.int64))
    known_ids, max_levels = loaders.subscribers_load(ids.tolist())
    new = np.setdiff1d(known_ids, state.subscriber_ids)
    if new.size:
        _add_subscribers(state, new)
    pos = state.positions(known_ids)
    if pos.size == 0:
        return pos
    history = loaders.history_load(subscriber_ids=known_ids.tolist())
    inter = history.index(state.title_ids, known_ids)
    n_titles = len(state.title_ids)
    w, s, c = _interaction_matrices(inter, len(known_ids), n_titles)
    state.weights = _replace_rows(state.weights, pos, w)
    state.seen = _replace_rows(state.seen, pos, s)
    state.anchor_codes = _replace_rows(state.anchor_codes, pos, c)
    state.limits[pos] = loaders.limits_array(max_levels, state.model.titles.space.maturity_dims)
    state.profiles[pos] = build_profiles(w, state.model.titles.matrix)
    return pos


def _add_subscribers(state: EngineState, new_ids: np.ndarray) -> None:
    ids = np.concatenate([state.subscriber_ids, new_ids])
    order = np.argsort(ids, kind="stable")
    n_new, n_titles = len(new_ids), len(state.title_ids)
    perm = sp.csr_matrix(
        (np.ones(len(ids), np.float32), (np.arange(len(ids)), order)), shape=(len(ids), len(ids))
    )

    def grow(m: sp.csr_matrix) -> sp.csr_matrix:
        stacked = sp.vstack(
            [m.astype(np.float32), sp.csr_matrix((n_new, n_titles), dtype=np.float32)]
        ).tocsr()
        return (perm @ stacked).astype(m.dtype).tocsr()

    state.weights, state.seen, state.anchor_codes = (
        grow(state.weights),
        grow(state.seen),
        grow(state.anchor_codes),
    )
    limits = np.vstack([state.limits, np.full((n_new, state.limits.shape[1]), 127, np.int8)])
    state.limits = limits[order]
    state.profiles = np.vstack(
        [state.profiles, np.zeros((n_new, state.profiles.shape[1]), np.float32)]
    )[order]
    fills: dict[str, float] = {
        "list_idx": -1,
        "list_min": -np.inf,
        "list_scores": -np.inf,
        "list_spare": False,
        "cowatch_norm": 1.0,
    }
    for name, fill in fills.items():
        arr = getattr(state, name)
        if arr is not None:
            pad = np.full((n_new, *arr.shape[1:]), fill, dtype=arr.dtype)
            setattr(state, name, np.concatenate([arr, pad])[order])
    state.subscriber_ids = ids[order]


def state_refresh_titles(
    state: EngineState, title_ids: Sequence[int], values: dict[int, dict[str, Any]] | None = None
) -> np.ndarray:
    """Re-encode these titles' canonical tags (IDF kept) and the profiles of their watchers;
    returns the title positions. ``values`` skips the database read (benchmarks)."""
    if values is None:
        values = loaders.canonical_values_load(title_ids)
    pos = [p for t in title_ids if (p := state.title_position(int(t))) is not None]
    if not pos:
        return np.zeros(0, np.int64)
    rows = np.array(pos, dtype=np.int64)
    state.model.titles = replace_title_rows(
        state.model.titles, rows, [values.get(int(state.title_ids[p])) or {} for p in rows]
    )
    state.model.groups_dense = None
    watchers = np.unique(state.weights[:, rows].tocoo().row)
    if watchers.size:
        state.profiles[watchers] = build_profiles(
            state.weights[watchers], state.model.titles.matrix
        )
    return rows


def list_size() -> int:
    return int(getattr(settings, "RECOMMENDATION_LIST_SIZE", 50))


@dataclass
class ComputedBlock:
    positions: np.ndarray
    result: BlockResult
    drivers: Drivers


def lists_compute(
    state: EngineState, positions: np.ndarray, *, explain: bool = True, block: int | None = None
) -> Iterator[ComputedBlock]:
    """Compute the lists of subscribers at ``positions`` block by block (memory O(block * T))
    and remember them in the state for later column updates."""
    k = list_size()
    block = block or block_size(len(state.title_ids))
    if state.list_idx is None or state.list_idx.shape[1] != k:
        state.list_idx = np.full((state.n_subscribers, k), -1, np.int32)
        state.list_min = np.full(state.n_subscribers, -np.inf, np.float32)
        state.cowatch_norm = np.ones(state.n_subscribers, np.float32)
        state.list_scores = np.full((state.n_subscribers, k), -np.inf, np.float32)
        state.list_spare = np.zeros(state.n_subscribers, np.bool_)
    list_idx, list_min, cowatch_norm = state.list_idx, state.list_min, state.cowatch_norm
    list_scores, list_spare = state.list_scores, state.list_spare
    assert list_min is not None
    assert cowatch_norm is not None
    assert list_scores is not None
    assert list_spare is not None
    for start in range(0, len(positions), block):
        pos = positions[start : start + block]
        weights = state.weights[pos]
        result = recommend_block(
            state.profiles[pos], weights, state.seen[pos], state.limits[pos], state.model, k
        )
        list_idx[pos] = result.idx
        full = (result.idx >= 0).all(axis=1)
        last = np.where(result.idx >= 0, result.scores, np.inf).min(axis=1)
        # A short list accepts any allowed title.
        list_min[pos] = np.where(full, last, -np.inf)
        list_scores[pos] = np.where(result.idx >= 0, result.scores, -np.inf)
        list_spare[pos] = result.spare if result.spare is not None else False
        cowatch_norm[pos] = result.cowatch_norm
        d = (
            drivers(
                result.idx,
                state.profiles[pos],
                weights,
                state.anchor_codes[pos],
                state.model.titles,
            )
            if explain
            else None
        )
        yield ComputedBlock(pos, result, d)  # type: ignore[arg-type]


def lists_serialize(
    state: EngineState, block: ComputedBlock, explainer: Explainer
) -> list[tuple[int, dict[str, list[Any]], dict[str, list[Any]]]]:
    """``(subscriber_id, items, rows)`` per subscriber of a computed block, in the stored shape:
    columnar codes (see ``RecommendationList``), no words — reasons and row names are worded
    when read, in the reader's language. The block's codes are computed by numpy indexing and
    turned into Python lists once; per subscriber only slices and the rows remain."""
    d, r = block.drivers, block.result
    valid = r.idx >= 0
    # A trailing 0 so that index -1 (no title, no anchor) maps to 0 by plain indexing.
    title_ids = np.append(state.title_ids, np.int64(0))
    code = np.where(d.anchor >= 0, np.clip(np.rint(d.anchor_code * 2), 0, 63), 0)
    columns = {
        "t": title_ids[r.idx],
        "s": np.rint(np.where(valid, r.scores, 0) * SCORE_SCALE),
        "g": explainer.tag_codes(d.noun),
        "a": explainer.tag_codes(d.adjectives[:, :, 0]),
        "b": explainer.tag_codes(d.adjectives[:, :, 1]),
        "h": title_ids[d.anchor],
        "c": code,
    }
    lists = {key: value.astype(np.int64).tolist() for key, value in columns.items()}
    lengths = valid.sum(axis=1).tolist()
    subscriber_ids = state.subscriber_ids[block.positions].tolist()
    out = []
    for i, sid in enumerate(subscriber_ids):
        n = lengths[i]
        items = {key: column[i][:n] for key, column in lists.items()}
        rows = explainer.rows_from_codes(items["g"], items["a"], items["h"])
        out.append((sid, items, rows))
    return out


def explainer_for(state: EngineState) -> Explainer:
    """An explainer whose codes are the database ids of the state's features: a Tag's id, or
    minus its Dimension's id for boolean and ordinal features (they have no Tag row)."""
    from catalog.models import Dimension, Tag

    tags: dict[tuple[str, str | None], int] = {
        (d, s): pk for pk, d, s in Tag.objects.values_list("pk", "dimension__slug", "slug")
    }
    dimensions = dict(Dimension.objects.values_list("slug", "pk"))
    codes = [
        tags.get((f.dimension, f.tag), 0)
        if f.kind in SELECT_TAG_KINDS
        else -dimensions.get(f.dimension, 0)
        for f in state.model.titles.space.features
    ]
    return Explainer(state.model.titles, tag_ids=np.array(codes, dtype=np.int64))


_lock = threading.Lock()
_cached: EngineState | None = None


def state_get(*, fresh: bool = False) -> EngineState:
    """This process's working set: rebuilt when asked, missing, expired or the taxonomy moved."""
    global _cached
    ttl = float(getattr(settings, "RECOMMENDATION_STATE_TTL", 3600))
    from catalog.models import OutboxEvent

    with _lock:
        state = _cached
        if (
            fresh
            or state is None
            or time.monotonic() - state.built_at > ttl
            or state.taxonomy_version != taxonomy_version()
            # The outbox went backwards: the database was restored or replaced under us.
            or (OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0)
            < state.outbox_seen
        ):
            # Read before loading: a change committed during the load is replayed, not lost.
            seen = OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
            version = tags_version()
            state = state_build()
            state.outbox_seen, state.tags_version = seen, version
            _cached = state
        return state


def state_forget() -> None:
    global _cached
    with _lock:
        _cached = None
