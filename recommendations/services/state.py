"""The engine's working set in memory, built from the database in bulk and kept per process.

A full rebuild builds it; the incremental pipeline reuses it while it is fresh (same taxonomy,
younger than ``RECOMMENDATION_STATE_TTL``) and brings it up to date first with whatever changed
since (new viewing events, subscribers and titles named by outbox rows of any worker), so two
worker processes never act on different pictures of the same subscriber for long.
"""

from __future__ import annotations

import dataclasses
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
    MAX_ADJECTIVES,
    SCORE_SCALE,
    Drivers,
    Explainer,
    anchor_code_matrix,
    drivers,
)
from recommendations.engine.kept_reasons import drivers_reusing, kept_columns
from recommendations.engine.packed import PackedLists, pack_block
from recommendations.engine.profiles import Interactions, build_profiles, seen_matrix, weight_matrix
from recommendations.engine.scoring import (
    CANDIDATE_FACTOR,
    KEPT_CANDIDATES,
    Blend,
    BlockResult,
    Model,
    block_size,
    cowatch_similarity,
    popularity_prior,
    recommend_block,
    thread_map,
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
    # Kept candidates (``engine.candidates``): (S, C) int32 / float32 and (S,) float32 cuts;
    # a cut of +inf marks a list this process has not computed yet.
    cand_idx: np.ndarray | None = None
    cand_scores: np.ndarray | None = None
    cand_cut: np.ndarray | None = None
    cowatch_norm: np.ndarray | None = None  # (S,) float32
    # Each list's reasons' inputs as last explained (``Drivers`` rows: (S, k) noun, (S, k, 2)
    # adjectives, (S, k) anchor and anchor code), valid where ``reason_kept`` (S,) is True:
    # a patched list explains only its items that moved (``engine.kept_reasons``).
    reason_noun: np.ndarray | None = None
    reason_adjectives: np.ndarray | None = None
    reason_anchor: np.ndarray | None = None
    reason_code: np.ndarray | None = None
    reason_kept: np.ndarray | None = None
    _weights_csc: sp.csc_matrix | None = None

    def weights_csc(self) -> sp.csc_matrix:
        """The weights by title (cached until the weights change)."""
        if self._weights_csc is None or self._weights_csc.shape != self.weights.shape:
            self._weights_csc = self.weights.tocsc()
            self._weights_csc.sort_indices()
        return self._weights_csc

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
    state._weights_csc = None
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
    state._weights_csc = None
    limits = np.vstack([state.limits, np.full((n_new, state.limits.shape[1]), 127, np.int8)])
    state.limits = limits[order]
    state.profiles = np.vstack(
        [state.profiles, np.zeros((n_new, state.profiles.shape[1]), np.float32)]
    )[order]
    fills: dict[str, float] = {
        "list_idx": -1,
        "cand_idx": -1,
        "cand_scores": -np.inf,
        "cand_cut": np.inf,
        "cowatch_norm": 1.0,
        "reason_noun": -1,
        "reason_adjectives": -1,
        "reason_anchor": -1,
        "reason_code": 0,
        "reason_kept": False,
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
    watchers = np.unique(state.weights_csc()[:, rows].tocoo().row)
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
    drivers: Drivers  # None when computed without reasons (explain=False)


def lists_allocate(state: EngineState) -> None:
    """The per-list arrays, in memory shared with forked workers (``rebuild`` runs blocks in
    child processes that fill them for the parent's later incremental updates)."""
    k = list_size()
    kept = max(k * CANDIDATE_FACTOR, KEPT_CANDIDATES)
    n = state.n_subscribers
    state.list_idx = shared_array((n, k), np.int32, -1)
    state.cand_idx = shared_array((n, kept), np.int32, -1)
    state.cand_scores = shared_array((n, kept), np.float32, -np.inf)
    state.cand_cut = shared_array((n,), np.float32, np.inf)
    state.cowatch_norm = shared_array((n,), np.float32, 1.0)
    # Feature indices fit in int16 for any real taxonomy: 0.7 kB of kept reasons a list.
    features = np.int16 if state.model.titles.space.n_features < 2**15 else np.int32
    state.reason_noun = shared_array((n, k), features, -1)
    state.reason_adjectives = shared_array((n, k, MAX_ADJECTIVES), features, -1)
    state.reason_anchor = shared_array((n, k), np.int32, -1)
    state.reason_code = shared_array((n, k), np.float32, 0)
    state.reason_kept = shared_array((n,), np.bool_, False)


def lists_share(state: EngineState) -> None:
    """Move the per-list arrays (keeping their contents) to shared memory."""
    old = {name: getattr(state, name) for name in LIST_ARRAYS}
    lists_allocate(state)
    for name, arr in old.items():
        if arr is not None and arr.shape == getattr(state, name).shape:
            getattr(state, name)[...] = arr


LIST_ARRAYS = (
    "list_idx",
    "cand_idx",
    "cand_scores",
    "cand_cut",
    "cowatch_norm",
    "reason_noun",
    "reason_adjectives",
    "reason_anchor",
    "reason_code",
    "reason_kept",
)


def shared_array(shape: tuple[int, ...], dtype: type, fill: float) -> np.ndarray:
    """A filled array in anonymous shared memory (``MAP_SHARED``): survives ``fork`` shared."""
    import mmap

    size = int(np.prod(shape)) * np.dtype(dtype).itemsize
    buffer = mmap.mmap(-1, max(size, 1))
    arr: np.ndarray = np.frombuffer(buffer, dtype=dtype, count=int(np.prod(shape))).reshape(shape)
    arr[...] = fill
    return arr


def lists_compute(
    state: EngineState, positions: np.ndarray, *, explain: bool = True, block: int | None = None
) -> Iterator[ComputedBlock]:
    """Compute the lists of subscribers at ``positions`` block by block (memory O(block * T))
    and keep them and their candidates in the state for later incremental updates."""
    k = list_size()
    kept = max(k * CANDIDATE_FACTOR, KEPT_CANDIDATES)
    block = block or block_size(len(state.title_ids))
    if (
        state.list_idx is None
        or state.cand_idx is None
        or state.list_idx.shape != (state.n_subscribers, k)
        or state.cand_idx.shape[1] != kept
    ):
        lists_allocate(state)
    assert state.list_idx is not None
    assert state.cand_idx is not None
    assert state.cand_scores is not None
    assert state.cand_cut is not None
    assert state.cowatch_norm is not None
    for start in range(0, len(positions), block):
        pos = positions[start : start + block]
        weights = state.weights[pos]
        result = recommend_block(
            state.profiles[pos], weights, state.seen[pos], state.limits[pos], state.model, k
        )
        assert result.cand_idx is not None
        assert result.cand_scores is not None
        assert result.cand_cut is not None
        state.list_idx[pos] = result.idx
        state.cand_idx[pos] = result.cand_idx
        state.cand_scores[pos] = result.cand_scores
        state.cand_cut[pos] = result.cand_cut
        state.cowatch_norm[pos] = result.cowatch_norm
        d = block_drivers(state, pos, result.idx) if explain else None
        reasons_keep(state, pos, d)
        yield ComputedBlock(pos, result, d)  # type: ignore[arg-type]


def reasons_keep(state: EngineState, pos: np.ndarray, d: Drivers | None) -> None:
    """Keep the drivers ``d`` of the lists at ``pos`` (None: computed without reasons, so
    none are kept for them)."""
    assert state.reason_kept is not None
    if d is None:
        state.reason_kept[pos] = False
        return
    assert state.reason_noun is not None
    assert state.reason_adjectives is not None
    assert state.reason_anchor is not None
    assert state.reason_code is not None
    state.reason_noun[pos] = d.noun
    state.reason_adjectives[pos] = d.adjectives
    state.reason_anchor[pos] = d.anchor
    state.reason_code[pos] = d.anchor_code
    state.reason_kept[pos] = True


def block_drivers_kept(
    state: EngineState, pos: np.ndarray, idx: np.ndarray, old: np.ndarray, retagged: np.ndarray
) -> Drivers:
    """``block_drivers`` for lists whose subscribers' profiles and histories did not change
    since ``old`` (b, k), their lists then: items still there keep their kept drivers, unless
    their title is ``retagged`` or the list's reasons were not kept; the rest are explained."""
    assert state.reason_noun is not None
    assert state.reason_adjectives is not None
    assert state.reason_anchor is not None
    assert state.reason_code is not None
    assert state.reason_kept is not None
    columns = kept_columns(old, idx)
    columns[np.isin(idx, retagged) | ~state.reason_kept[pos][:, None]] = -1
    kept = Drivers(
        state.reason_noun[pos],
        state.reason_adjectives[pos],
        state.reason_anchor[pos],
        state.reason_code[pos],
    )
    return drivers_reusing(
        idx, kept, columns, lambda rows, items: block_drivers(state, pos[rows], items)
    )


def block_drivers(state: EngineState, pos: np.ndarray, idx: np.ndarray) -> Drivers:
    """Reasons' inputs for the lists ``idx`` (b, k) of the subscribers at ``pos``: rows are
    independent, so large blocks are split over the scoring threads."""

    def part(rows: slice) -> Drivers:
        p = pos[rows]
        return drivers(
            idx[rows],
            state.profiles[p],
            state.weights[p],
            state.anchor_codes[p],
            state.model.titles,
        )

    step = max(256, -(-len(pos) // 2))
    parts = thread_map(part, [slice(i, i + step) for i in range(0, max(len(pos), 1), step)])
    if len(parts) == 1:
        return parts[0]
    return Drivers(
        *(np.concatenate([getattr(d, f.name) for d in parts]) for f in dataclasses.fields(Drivers))
    )


def lists_serialize(state: EngineState, block: ComputedBlock, explainer: Explainer) -> PackedLists:
    """The stored shape of each list of a computed block: codes (see ``RecommendationList``),
    no words — reasons and row names are worded when read, in the reader's language. Packed
    as fixed-width arrays for the whole block at once (``engine.packed``): no per-list step."""
    d, r = block.drivers, block.result
    valid = r.idx >= 0
    lengths = valid.sum(axis=1)
    ids = np.append(state.title_ids, np.int64(0))  # index -1 (none) reads as 0
    genre = np.where(valid, explainer.tag_codes(d.noun), 0)
    adjective = np.where(valid, explainer.tag_codes(d.adjectives[:, :, 0]), 0)
    anchor = np.where(valid, ids[d.anchor], 0)
    code = np.where(valid & (d.anchor >= 0), np.clip(np.rint(d.anchor_code * 2), 0, 63), 0)
    data = pack_block(
        [
            ids[r.idx],
            np.rint(np.where(valid, r.scores, 0) * SCORE_SCALE).astype(np.int64),
            genre,
            adjective,
            np.where(valid, explainer.tag_codes(d.adjectives[:, :, 1]), 0),
            anchor,
        ],
        code.astype(np.uint8),
        lengths,
    )
    return PackedLists(state.subscriber_ids[block.positions], data)


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
