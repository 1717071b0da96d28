"""Scoring: blocked matrix products, exclusions, top-k and genre diversity.

A subscriber's score for a title blends three parts, each scaled to roughly [-1, 1]:

- ``tags``: cosine of the taste profile and the title vector (the tag-based core);
- ``cowatch``: the subscriber's signed weights times an item-item co-watch similarity (titles
  watched by the same people), divided by the row's largest value;
- ``popularity``: log-scaled count of positive interactions, a prior that breaks ties.

``bench/evaluate.py`` measured that co-watch raises NDCG@10 on MovieLens, so the shipped blend
uses it; every reason stays tag-based (``explain``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import scipy.sparse as sp
from scipy.sparse import _sparsetools

from .keys import RADIX_GROUPS, ranked_order
from .vectors import UNKNOWN_LEVEL, TitleVectors

T_ = TypeVar("T_")

#: Limit code meaning "no limit on this dimension" in (n_subscribers, M) int8 limit arrays.
NO_LIMIT = 127
#: Candidates taken before the diversity pass picks the final list from them.
CANDIDATE_FACTOR = 3
#: No genre fills more than this share of a list.
GENRE_SHARE = 0.4
#: Candidates kept per list for incremental updates: the diversity pass needs
#: ``k * CANDIDATE_FACTOR``; the margin lets a list lose a few to tag changes before it has to
#: be scored again.
KEPT_CANDIDATES = 200
# MovieLens holdout (make evaluate): 30 / 50 / 100 neighbours give NDCG@10 .139 / .137 / .130,
# Recall@50 .181 / .201 / .206, coverage 23 % / 17 % / 12 %; 50 balances them and halves the
# co-watch product of 100.
COWATCH_NEIGHBOURS = 50
COWATCH_SHRINK = 10.0
COWATCH_MAX_USERS = 200_000


@dataclass(frozen=True)
class Blend:
    """Weights of the three parts. ``make evaluate --tune`` on MovieLens: co-watch lifts NDCG@10
    from 0.009 (tags only) to ~0.13; the popularity prior adds nothing measurable there, so it
    ships at 0 (the mechanism stays for catalogues with thinner history)."""

    tags: float = 1.0
    cowatch: float = 1.5
    popularity: float = 0.0


@dataclass
class Model:
    """What scoring needs besides the profiles: title vectors, co-watch neighbours (T, T) float32
    CSR or None, popularity (T,) float32 in [0, 1], and the blend."""

    titles: TitleVectors
    item_sim: sp.csr_matrix | None = None
    popularity: np.ndarray | None = None
    blend: Blend = field(default_factory=Blend)
    groups_dense: np.ndarray | None = None  # (T, G) bool, cached
    item_sim_t: sp.csr_matrix | None = None  # (T, T) item_sim transposed, sorted, cached

    def groups(self) -> np.ndarray:
        if self.groups_dense is None:
            self.groups_dense = np.asarray(self.titles.groups().todense(), dtype=np.bool_)
        return self.groups_dense

    def cowatch_by_title(self) -> sp.csr_matrix | None:
        """Row t = the titles whose neighbour t is, with their similarity (sorted indices)."""
        if self.item_sim is None:
            return None
        if self.item_sim_t is None:
            t = self.item_sim.T.tocsr()
            t.sort_indices()
            self.item_sim_t = t
        return self.item_sim_t


@dataclass
class BlockResult:
    """``idx`` (b, k) int32 title indices in rank order (-1 pads short lists), ``scores``
    (b, k) float32, ``cowatch_norm`` (b,) float32 the per-row co-watch divisor used.

    With diversity, also the candidates the incremental path keeps: ``cand_idx`` /
    ``cand_scores`` (b, KEPT_CANDIDATES) the best titles in (score desc, index asc) order
    (-inf for excluded), and ``cand_cut`` (b,) float32: every title scoring above it is among
    them (-inf when every allowed title is)."""

    idx: np.ndarray
    scores: np.ndarray
    cowatch_norm: np.ndarray
    cand_idx: np.ndarray | None = None
    cand_scores: np.ndarray | None = None
    cand_cut: np.ndarray | None = None


def popularity_prior(weights: sp.csr_matrix) -> np.ndarray:
    """(T,) float32 in [0, 1]: log1p of positive interactions per title over the max."""
    positive = weights.copy()
    positive.data = (positive.data > 0).astype(np.float32)
    counts = np.asarray(positive.sum(axis=0)).ravel()
    top = np.log1p(counts.max()) if counts.size and counts.max() > 0 else 1.0
    return (np.log1p(counts) / top).astype(np.float32)


def cowatch_similarity(
    weights: sp.csr_matrix,
    *,
    neighbours: int = COWATCH_NEIGHBOURS,
    shrink: float = COWATCH_SHRINK,
    max_users: int = COWATCH_MAX_USERS,
    seed: int = 0,
    block: int = 1024,
) -> sp.csr_matrix:
    """(T, T) float32 CSR: shrunk cosine between titles over subscribers who liked both
    (positive weights), keeping the ``neighbours`` best per title, zero diagonal. Beyond
    ``max_users`` a seeded sample of subscribers is used: the statistic converges long before."""
    n_users, n_titles = weights.shape
    if n_users > max_users:
        rows = np.sort(np.random.default_rng(seed).choice(n_users, max_users, replace=False))
        weights = weights[rows]
    b = weights.copy().tocsc()
    b.data = (b.data > 0).astype(np.float32)
    b.eliminate_zeros()
    counts = np.asarray(b.sum(axis=0)).ravel().astype(np.float32)
    bt = b.T.tocsr()
    out_rows, out_cols, out_vals = [], [], []
    keep = min(neighbours, max(n_titles - 1, 0))
    for start in range(0, n_titles, block):
        stop = min(start + block, n_titles)
        co = np.asarray((bt @ b[:, start:stop]).todense(), dtype=np.float32)  # (T, blk)
        denom = np.sqrt(np.outer(counts, counts[start:stop])) + shrink
        sim = co / denom
        sim[np.arange(start, stop), np.arange(stop - start)] = 0.0
        if keep == 0:
            continue
        top = np.argpartition(-sim, keep - 1, axis=0)[:keep]  # (keep, blk) rows per column
        vals = np.take_along_axis(sim, top, axis=0)
        cols = np.broadcast_to(np.arange(start, stop), top.shape)
        nz = vals > 0
        out_rows.append(top[nz])
        out_cols.append(cols[nz])
        out_vals.append(vals[nz])
    if not out_rows:
        return sp.csr_matrix((n_titles, n_titles), dtype=np.float32)
    # Built column by column; the matrix is symmetric before truncation, and the neighbours
    # of title j are column j, so transpose to have row t = neighbours of t.
    m = sp.csr_matrix(
        (np.concatenate(out_vals), (np.concatenate(out_cols), np.concatenate(out_rows))),
        shape=(n_titles, n_titles),
        dtype=np.float32,
    )
    return m


def tag_scores_t(profiles: np.ndarray, titles: TitleVectors) -> np.ndarray:
    """(T, b) float32 cosines, title-major: the sparse title matrix times the profiles. One
    multiply-add per (title tag, subscriber) in the matrix's stored order, so ``column_scores``
    reproduces any entry bit for bit; title-major output needs no transpose. Single-threaded:
    parallelism comes from worker processes."""
    return np.asarray(titles.matrix @ np.ascontiguousarray(profiles.T), dtype=np.float32)


def score_block_t(
    profiles: np.ndarray, weights: sp.csr_matrix, model: Model
) -> tuple[np.ndarray, np.ndarray]:
    """(T, b) float32 blended scores (title-major) for a block of subscribers, and the (b,)
    co-watch divisors (each subscriber's largest co-watch value, 1 when none is positive)."""
    blend = model.blend
    scores = tag_scores_t(profiles, model.titles)
    if blend.tags != 1.0:
        scores *= blend.tags
    b = scores.shape[1]
    norm = np.ones(b, dtype=np.float32)
    if model.item_sim is not None and blend.cowatch:
        # (b, T) sparse: row s sums, over the subscriber's titles k (ascending), w_k x sim(k, t)
        # — the order ``column_scores`` sums in, so each entry is the same to the bit. Twice
        # as fast as the title-major product (T, T) @ (T, b), whose result is the same.
        if not weights.has_sorted_indices:
            weights = weights.sorted_indices()
        cw = sparse_product(weights, model.item_sim)
        counts = np.diff(cw.indptr)
        norm = np.zeros(b, dtype=np.float32)
        some = counts > 0
        if cw.nnz:  # each subscriber's largest value (reduced over its own, non-empty, row)
            norm[some] = np.maximum.reduceat(cw.data, cw.indptr[:-1][some])
        norm[~(norm > 0)] = 1.0
        # Added from the non-zeros (no dense temporary), regrouped title by title so that
        # the writes into the title-major scores go in address order (subscriber by
        # subscriber, each was a cache miss).
        cw.data *= np.repeat(blend.cowatch / norm, counts)
        add_title_major(scores, cw.tocsc())
    if model.popularity is not None and blend.popularity:
        scores += blend.popularity * model.popularity[:, None]
    return scores, norm


# Two of scipy's C routines are called directly below. They are not public API (each has
# the public operation as its stand-in), but they are what scipy's own ``@`` and ``toarray``
# run, minus a counting pass and a copy this engine does not need.


def sparse_product(a: sp.csr_matrix, b: sp.csr_matrix) -> sp.csr_matrix:
    """``a @ b`` for CSR matrices of one dtype, by scipy's numeric pass alone (``csr_matmat``):
    the product has at most as many entries as b's rows hold over a's entries, so arrays of
    that size replace scipy's counting pass, a third of the co-watch product's time (20.3 ->
    14.2 us a list on the bench data). The same arrays as ``a @ b``."""
    matmat = getattr(_sparsetools, "csr_matmat", None)
    bound = int(np.diff(b.indptr)[a.indices].sum())
    indices = (a.indptr, a.indices, b.indptr, b.indices)
    if (
        matmat is None
        or bound >= 2**31
        or a.dtype != b.dtype
        or any(i.dtype != np.int32 for i in indices)
    ):
        return (a @ b).tocsr()
    n_rows, n_cols = a.shape[0], b.shape[1]
    indptr = np.empty(n_rows + 1, np.int32)
    cols, data = np.empty(bound, np.int32), np.empty(bound, a.dtype)
    matmat(
        n_rows, n_cols, a.indptr, a.indices, a.data, b.indptr, b.indices, b.data, indptr, cols, data
    )
    nnz = int(indptr[-1])
    return sp.csr_matrix((data[:nnz], cols[:nnz], indptr), shape=(n_rows, n_cols))


def add_title_major(scores_t: np.ndarray, by_title: sp.csc_matrix) -> None:
    """In place: (T, b) C-contiguous scores += a (b, T) CSC matrix, whose column t holds row t
    of the scores' additions (unique cells, in address order). scipy's own C loop that fills a
    dense array from CSR data adds into an array given to it (``csr_todense``: 4.9 us a list
    on the bench data, against 10 for ``np.add.at``, which adds the same floats); it is not
    public API, so ``np.add.at`` stands in where it is missing."""
    b = scores_t.shape[1]
    add = getattr(_sparsetools, "csr_todense", None)
    if add is not None and scores_t.flags.c_contiguous and scores_t.dtype == by_title.dtype:
        add(by_title.shape[1], b, by_title.indptr, by_title.indices, by_title.data, scores_t)
        return
    at = np.repeat(np.arange(by_title.shape[1], dtype=np.int64), np.diff(by_title.indptr))
    flat = scores_t.reshape(-1)
    assert np.shares_memory(flat, scores_t)  # a view: C-contiguous
    np.add.at(flat, at * b + by_title.indices, by_title.data)


def column_scores(
    profiles: np.ndarray,
    weights_csc: sp.csc_matrix,
    cowatch_norm: np.ndarray,
    model: Model,
    title: int,
) -> np.ndarray:
    """(n,) float32: one title's blended score for every subscriber, computed with the same
    operations in the same order as ``score_block_t`` (given its co-watch divisors), so it is
    equal to the full product's entry bit for bit: the incremental path's column update."""
    blend = model.blend
    m = model.titles.matrix
    lo, hi = m.indptr[title], m.indptr[title + 1]
    scores = np.zeros(profiles.shape[0], np.float32)
    for j, v in zip(m.indices[lo:hi], m.data[lo:hi], strict=True):
        scores += v * profiles[:, j]
    if blend.tags != 1.0:
        scores *= blend.tags
    sim_t = model.cowatch_by_title()
    if sim_t is not None and blend.cowatch:
        cw = np.zeros(profiles.shape[0], np.float32)
        lo, hi = sim_t.indptr[title], sim_t.indptr[title + 1]
        for k, v in zip(sim_t.indices[lo:hi], sim_t.data[lo:hi], strict=True):
            a, b = weights_csc.indptr[k], weights_csc.indptr[k + 1]
            cw[weights_csc.indices[a:b]] += v * weights_csc.data[a:b]
        scores += cw * (blend.cowatch / cowatch_norm)
    if model.popularity is not None and blend.popularity:
        scores += blend.popularity * model.popularity[title]
    return scores


def exclude_seen_t(scores_t: np.ndarray, seen: sp.csr_matrix) -> None:
    """In place on title-major (T, b) scores: -inf for the titles each subscriber has seen."""
    b = scores_t.shape[1]
    rows = np.repeat(np.arange(seen.shape[0], dtype=np.int64), np.diff(seen.indptr))
    scores_t.ravel()[seen.indices.astype(np.int64) * b + rows] = -np.inf


def top_within_limits_t(
    scores_t: np.ndarray, limits: np.ndarray, maturity: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """(b, n) best titles per subscriber of title-major scores, leaving out the titles beyond
    each subscriber's limits. The few limited subscribers are left out of the threshold pass
    and ranked among their allowed titles only: each distinct limit pattern's allowed titles
    are found once, and only those scores are read (a limit usually allows a small share of
    the catalogue; title-major, writing -inf over every banned title was a cache miss each)."""
    limited = np.flatnonzero((limits < NO_LIMIT).any(axis=1))
    if not limited.size:
        return top_candidates_t(scores_t, n)
    skip = np.zeros(scores_t.shape[1], np.bool_)
    skip[limited] = True
    idx, vals = top_candidates_t(scores_t, n, skip=skip)
    idx[limited], vals[limited] = _top_allowed_t(scores_t, limited, limits[limited], maturity, n)
    return idx, vals


def _top_allowed_t(
    scores_t: np.ndarray, cols: np.ndarray, limits: np.ndarray, maturity: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """``top_candidates_t`` of the columns ``cols`` of title-major scores, each among the titles
    its (len(cols), M) ``limits`` allow. A column with fewer than n allowed finite scores lists
    them all, then -inf places filled with the lowest other title indices."""
    b = scores_t.shape[1]
    n = min(n, scores_t.shape[0])
    patterns, which = _limit_patterns(limits)
    allowed = [allowed_titles(p, maturity) for p in patterns]
    lengths = np.array([a.size for a in allowed], np.int64)[which]
    titles = np.concatenate([allowed[w] for w in which]) if cols.size else np.zeros(0, np.int64)
    values = scores_t.reshape(-1)[titles * b + np.repeat(cols.astype(np.int64), lengths)]
    row = np.repeat(np.arange(cols.size, dtype=np.int64), lengths)
    finite = np.isfinite(values)
    row, titles, values = row[finite], titles[finite], values[finite]
    counts = np.bincount(row, minlength=cols.size)
    # One order by (column, score descending, title) ranks every column's allowed titles (as
    # in ``top_candidates_t``; each column's come by title ascending): no (columns, widest)
    # padded table, no partition per row.
    if cols.size <= RADIX_GROUPS:
        order = ranked_order(row, values)
    else:
        order = np.lexsort((titles, -values, row))
    ranked_titles, ranked_values = titles[order].astype(np.int32), values[order]
    starts = np.cumsum(counts) - counts
    out_idx = np.zeros((cols.size, n), np.int32)
    out_val = np.full((cols.size, n), -np.inf, np.float32)
    ok = np.flatnonzero(counts >= n)  # enough allowed finite scores: each group's first n
    if ok.size:
        at = starts[ok, None] + np.arange(n)
        out_idx[ok], out_val[ok] = ranked_titles[at], ranked_values[at]
    for short in np.flatnonzero(counts < n).tolist():  # few: a limit allowing almost nothing
        have = int(counts[short])
        listed = ranked_titles[starts[short] : starts[short] + have]
        # Then -inf places: the lowest title indices not already listed (a mask, not the sort
        # ``np.setdiff1d`` does).
        free = np.ones(min(scores_t.shape[0], n + have), np.bool_)
        free[listed[listed < free.size]] = False
        out_idx[short] = np.concatenate([listed, np.flatnonzero(free)[: n - have]])
        out_val[short, :have] = ranked_values[starts[short] : starts[short] + have]
    return out_idx, out_val


def _limit_patterns(limits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of (L, M) int8 ``limits`` and each row's pattern: ``np.unique(axis=0)``
    as one int64 per row where M <= 8 (a sort of words, not of void records: 300 -> ~30 us)."""
    m = limits.shape[1]
    if m > 8 or not limits.size:
        patterns, which = np.unique(limits, axis=0, return_inverse=True)
        return patterns, which.ravel()
    words = np.zeros((limits.shape[0], 8), np.int8)
    words[:, :m] = limits
    unique, which = np.unique(words.view(np.int64).ravel(), return_inverse=True)
    return unique.view(np.int8).reshape(-1, 8)[:, :m], which.ravel()


_allowed_cache: list[tuple[np.ndarray, dict[bytes, np.ndarray]]] = []


def allowed_titles(pattern: np.ndarray, maturity: np.ndarray) -> np.ndarray:
    """Indices of the titles within one (M,) int8 limit pattern; kept while the same
    ``maturity`` array is passed (a re-tagged title gets a new array: ``replace_title_rows``).
    Patterns are few: a cap per maturity dimension."""
    cache = _allowed_cache[0] if _allowed_cache else None
    if cache is None or cache[0] is not maturity:
        cache = (maturity, {})
        _allowed_cache[:] = [cache]  # one assignment: the scoring threads see old or new
    key = pattern.tobytes()
    found = cache[1].get(key)
    if found is None:
        found = cache[1][key] = np.flatnonzero(~beyond_pairs(pattern, maturity))
    return found


def beyond_pairs(limits: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Over broadcast (..., M) int8 limits and title levels: is the title beyond the limits
    (unknown levels included where a dimension is limited, FAIL-SAFE)?"""
    on = limits < NO_LIMIT
    return (on & ((levels > limits) | (levels == UNKNOWN_LEVEL))).any(axis=-1)


def _top_by_partition(scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    part = np.argpartition(-scores, n - 1, axis=1)[:, :n]
    vals = np.take_along_axis(scores, part, axis=1)
    order = np.lexsort((part, -vals), axis=1)  # ties by title index, like the threshold path
    return (
        np.take_along_axis(part, order, axis=1).astype(np.int32),
        np.take_along_axis(vals, order, axis=1).astype(np.float32),
    )


def top_candidates_t(
    scores_t: np.ndarray, n: int, *, skip: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(b, n) int32 indices of the n best titles per subscriber of title-major (T, b) scores,
    and their float32 scores, in (score desc, index asc) order. Wide columns skip a full
    ``argpartition``: a threshold from a strided sample keeps ~2n entries per column in one
    comparison pass, and one order of the kept entries ranks them; columns where it keeps
    too few or too many use ``argpartition``.
    Columns where ``skip`` (b,) is true are left out (their rows of the result are filler)."""
    width, b = scores_t.shape
    n = min(n, width)
    if n == 0 or b == 0:
        return np.zeros((b, n), np.int32), np.full((b, n), -np.inf, np.float32)
    # A 1/16 sample: half the transposing and partitioning of 1/8 (~4 us a list).
    stride = 16
    if width < 16 * n:
        return _top_by_partition(np.ascontiguousarray(scores_t.T), n)
    if b > RADIX_GROUPS:  # more subscribers than ``ranked_order`` groups: halve
        half = b // 2
        left = top_candidates_t(scores_t[:, :half], n, skip=None if skip is None else skip[:half])
        right = top_candidates_t(scores_t[:, half:], n, skip=None if skip is None else skip[half:])
        return np.concatenate([left[0], right[0]]), np.concatenate([left[1], right[1]])
    sample = np.ascontiguousarray(scores_t[::stride].T)
    # The sample's r-th best: about n/stride sampled titles are among the best n, give or
    # take sqrt of that; 2.5 of those deviations above it left 0.12 % of top-50 and 0.07 %
    # of top-200 columns short on the bench data (they fall back), keeping ~2.7n and ~1.9n.
    expected = n / stride
    r = max(1, math.ceil(expected + 2.5 * math.sqrt(expected)))
    # Contiguous: a strided threshold operand makes the comparison below ~10x slower.
    thr = np.ascontiguousarray(np.partition(sample, sample.shape[1] - r, axis=1)[:, -r])
    if skip is not None:
        thr[skip] = np.inf
    flat = np.flatnonzero(scores_t >= thr[None, :])
    # Read in address order here; read after grouping, each value would be a cache miss.
    kept_vals = scores_t.reshape(-1)[flat]
    t_idx = flat // b
    s_idx = flat - t_idx * b
    counts = np.bincount(s_idx, minlength=b)
    bad = (counts < n) | (counts > 16 * n) | ~np.isfinite(thr)
    if skip is not None:
        bad &= ~skip
    if bad.any():
        keep = ~bad[s_idx]
        t_idx, s_idx, kept_vals = t_idx[keep], s_idx[keep], kept_vals[keep]
        counts[bad] = 0
    # One order groups the entries by subscriber and ranks each group by score descending,
    # ties by title (the entries come title by title): no regrouping step, no (b, w) scatter,
    # no per-row partition (53 -> 37 us a list for a top-200 as one sort of int64 keys, then
    # ~9 us less as radix passes: ``ranked_order``). Only each column's first n are read.
    order = ranked_order(s_idx, kept_vals)
    out_idx = np.zeros((b, n), np.int32)
    out_val = np.full((b, n), -np.inf, np.float32)
    good = np.flatnonzero(counts >= n)
    if good.size:
        starts = np.cumsum(counts) - counts
        at = order[starts[good, None] + np.arange(n)]
        out_idx[good], out_val[good] = t_idx[at], kept_vals[at]
    if bad.any():
        out_idx[bad], out_val[bad] = _top_by_partition(np.ascontiguousarray(scores_t[:, bad].T), n)
    return out_idx, out_val


def diversify(
    idx: np.ndarray, scores: np.ndarray, groups: np.ndarray, k: int, share: float = GENRE_SHARE
) -> tuple[np.ndarray, np.ndarray]:
    out_idx, out_scores, _ = diversify_counted(idx, scores, groups, k, share)
    return out_idx, out_scores


def diversify_counted(
    idx: np.ndarray, scores: np.ndarray, groups: np.ndarray, k: int, share: float = GENRE_SHARE
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pick k of the ranked candidates so that no genre holds more than ``ceil(share * k)``
    places: a candidate that would push one of its genres past the cap moves behind all
    candidates that do not (it still fills the list when nothing else is left). Counts include
    the candidates above that were moved back, which errs on the side of more variety.
    Invalid candidates (-inf) become -1. Also returns (b,) the candidates within the caps."""
    b, n = idx.shape
    valid = np.isfinite(scores)
    if n == 0:
        return (
            np.full((b, k), -1, np.int32),
            np.full((b, k), -np.inf, np.float32),
            np.zeros(b, np.int64),
        )
    over = _over_cap(idx, valid, groups, max(1, math.ceil(share * k)))
    ok, late = valid & ~over, valid & over
    within = ok.sum(axis=1)
    # The first k in the tiered order — within the caps by rank, then the rest by rank — are
    # picked. (An int32 running count from bools is ~3.5x faster than an int16 one.)
    pick = ok & (np.cumsum(ok, axis=1, dtype=np.int32) <= k)
    pick |= late & (np.cumsum(late, axis=1, dtype=np.int32) <= (k - within)[:, None])
    counts = pick.sum(axis=1)
    if (counts == k).all():  # the usual case: a mask keeps each row's k in rank order
        out_idx = idx[pick].reshape(b, k).astype(np.int32, copy=False)
        out_scores = scores[pick].reshape(b, k).astype(np.float32, copy=False)
        moved = late[pick].reshape(b, k)
    else:  # fewer valid candidates than places: pads of -1 after them
        out_idx = np.full((b, k), -1, np.int32)
        out_scores = np.full((b, k), -np.inf, np.float32)
        moved = np.zeros((b, k), np.bool_)
        flat = np.flatnonzero(pick)
        dst = (flat // n) * k + (np.cumsum(pick, axis=1, dtype=np.int32) - 1).reshape(-1)[flat]
        out_idx.reshape(-1)[dst] = idx.reshape(-1)[flat]
        out_scores.reshape(-1)[dst] = scores.reshape(-1)[flat]
        moved.reshape(-1)[dst] = late.reshape(-1)[flat]
    # The picks in rank order are ordered by score (ranked candidates), except where a moved
    # candidate ties one within the caps, which goes first (the tiered order's): only rows
    # out of (score descending, moved last) order are sorted, stably.
    higher, lower = out_scores[:, :-1], out_scores[:, 1:]
    wrong = (higher < lower) | ((higher == lower) & moved[:, :-1] & ~moved[:, 1:])
    fix = np.flatnonzero(wrong.any(axis=1))
    if fix.size:
        order = np.lexsort((moved[fix], -out_scores[fix]), axis=1)
        out_idx[fix] = np.take_along_axis(out_idx[fix], order, axis=1)
        out_scores[fix] = np.take_along_axis(out_scores[fix], order, axis=1)
    return out_idx, out_scores, within


_genre_cache: list[tuple[np.ndarray, np.ndarray, int]] = []


def _genre_table(groups: np.ndarray) -> tuple[np.ndarray, int]:
    """(T, w) int16: each title's genres (``groups`` (T, G) bool), padded with G, and m, the
    most any title has; w = 4 when m <= 4, so that a title's slots are one int64 word (a gather
    of words, not of 2-byte rows). Kept while the same array is passed (``Model.groups``)."""
    if not _genre_cache or _genre_cache[0][0] is not groups:
        n_groups = groups.shape[1]
        m = max(int(groups.sum(axis=1).max(initial=0)), 1)
        order = np.argsort(~groups, axis=1, kind="stable")[:, :m]
        has = np.take_along_axis(groups, order, axis=1)
        table = np.where(has, order, n_groups).astype(np.int16)
        if m <= 4:
            pad = ((0, 0), (0, 4 - m))
            table = np.ascontiguousarray(np.pad(table, pad, constant_values=n_groups))
        _genre_cache[:] = [(groups, table, m)]
    return _genre_cache[0][1], _genre_cache[0][2]


def _over_cap(idx: np.ndarray, valid: np.ndarray, groups: np.ndarray, cap: int) -> np.ndarray:
    """(b, n) bool: valid candidates of ``idx`` (b, n) that have a genre already held by
    ``cap`` valid candidates ranked above them. Running counts are kept only for each list's
    genres past the cap — a few per list — found from per-list totals over the candidates'
    padded genre table, so no (b, n, G) array is built."""
    b, n = idx.shape
    n_groups = groups.shape[1]
    over = np.zeros((b, n), np.bool_)
    if not n_groups or not valid.any():
        return over
    table, m = _genre_table(groups)
    if table.shape[1] == 4:
        genres = table.view(np.int64).ravel()[idx].view(np.int16).reshape(b, n, 4)
    else:
        genres = table[idx]  # (b, n, slots)
    genres[~valid] = n_groups
    # Totals per (list, genre), one count per slot of the m a title can fill (not the pad
    # slot of a word); pads and invalid candidates count in an extra column G, dropped.
    width = n_groups + 1
    base = np.arange(0, b * width, width, dtype=np.int64)[:, None]
    totals = np.zeros(b * width, np.int64)
    for j in range(m):
        totals += np.bincount((base + genres[:, :, j]).ravel(), minlength=b * width)
    crowded = totals.reshape(b, width)[:, :n_groups] > cap
    lists = np.flatnonzero(crowded.any(axis=1))
    if not lists.size:
        return over
    crowded, genres = crowded[lists], genres[lists]
    slots = int(crowded.sum(axis=1).max())
    # Each list's crowded genres (-2, matching nothing, where it has fewer).
    which = np.argsort(~crowded, axis=1, kind="stable")[:, :slots]
    which = np.where(np.take_along_axis(crowded, which, axis=1), which, -2).astype(np.int16)
    held = genres[:, None, :, 0] == which[:, :, None]
    for j in range(1, m):
        held |= genres[:, None, :, j] == which[:, :, None]
    counts = held.cumsum(axis=2, dtype=np.int32)  # from bools: ~3.5x faster than int16
    over[lists] = (held & (counts > cap)).any(axis=1)
    return over


def recommend_block(
    profiles: np.ndarray,
    weights: sp.csr_matrix,
    seen: sp.csr_matrix,
    limits: np.ndarray,
    model: Model,
    k: int,
    *,
    diverse: bool = True,
) -> BlockResult:
    """Top-k lists for a block of subscribers: (b, F) profiles, (b, T) weights and seen, (b, M)
    limits -> ``BlockResult``. Scored ``score_chunk`` subscribers at a time: the (T, chunk)
    score array then stays near the CPU caches for the several passes over it."""
    chunk = score_chunk(model.titles.n_titles)

    def one(i: int) -> BlockResult:
        rows = slice(i, i + chunk)
        return _recommend_chunk(
            profiles[rows], weights[rows], seen[rows], limits[rows], model, k, diverse=diverse
        )

    parts = thread_map(one, range(0, max(profiles.shape[0], 1), chunk))
    if len(parts) == 1:
        return parts[0]

    def cat(name: str) -> np.ndarray:
        return np.concatenate([getattr(p, name) for p in parts])

    if not diverse:
        return BlockResult(cat("idx"), cat("scores"), cat("cowatch_norm"))
    return BlockResult(
        cat("idx"),
        cat("scores"),
        cat("cowatch_norm"),
        cat("cand_idx"),
        cat("cand_scores"),
        cat("cand_cut"),
    )


#: Threads scoring the chunks of a block. The heavy steps (scipy's sparse products, numpy's
#: ufuncs, sorts and indexing) release the GIL, so chunks overlap on several cores; a rebuild
#: split between processes sets it to 1 in each (``set_threads``).
_threads = {"n": min(2, os.cpu_count() or 1), "pid": 0, "beside": 0}
_pool: list[ThreadPoolExecutor] = []


def set_threads(n: int) -> None:
    _threads["n"] = max(1, n)


@contextmanager
def side_by_side() -> Iterator[None]:
    """Within, another computation runs beside this one on a thread of its own (a re-tagged
    title's watchers beside its patched lists), so each scores on its share of the threads:
    with four threads on two cores the popular bench title's update took 1.50 s of compute,
    against 1.11 s."""
    _threads["beside"] += 1
    try:
        yield
    finally:
        _threads["beside"] -= 1


def thread_map(fn: Callable[[Any], T_], items: Iterable[Any]) -> list[T_]:
    """``[fn(x) for x in items]``, on the scoring threads when there are several items."""
    items = list(items)
    if _threads["n"] // (1 + _threads["beside"]) <= 1 or len(items) <= 1:
        return [fn(x) for x in items]
    if not _pool or _threads["pid"] != os.getpid():  # a forked child has no pool threads
        _pool[:] = [ThreadPoolExecutor(_threads["n"])]
        _threads["pid"] = os.getpid()
    return list(_pool[0].map(fn, items))


def score_chunk(n_titles: int, budget_bytes: int = 24 * 2**20) -> int:
    """Subscribers scored at once: a (T, chunk) float32 array of about ``budget_bytes``
    (measured at 10k titles: 512 a chunk ~30 % faster per list than 2,236)."""
    return int(max(64, min(20_000, budget_bytes // max(1, n_titles * 4))))


def _recommend_chunk(
    profiles: np.ndarray,
    weights: sp.csr_matrix,
    seen: sp.csr_matrix,
    limits: np.ndarray,
    model: Model,
    k: int,
    *,
    diverse: bool = True,
) -> BlockResult:
    scores_t, norm = score_block_t(profiles, weights, model)
    exclude_seen_t(scores_t, seen)
    maturity = model.titles.maturity
    if not diverse:
        idx, vals = top_within_limits_t(scores_t, limits, maturity, k)
        return BlockResult(np.where(np.isfinite(vals), idx, -1).astype(np.int32), vals, norm)
    n_div = k * CANDIDATE_FACTOR
    kept = max(n_div, KEPT_CANDIDATES)
    cand_idx, cand_scores = top_within_limits_t(scores_t, limits, maturity, kept)
    del scores_t
    idx, vals, _ = diversify_counted(cand_idx[:, :n_div], cand_scores[:, :n_div], model.groups(), k)
    if cand_idx.shape[1] < kept:  # a small catalogue: every title is a candidate
        pad = ((0, 0), (0, kept - cand_idx.shape[1]))
        cand_idx = np.pad(cand_idx, pad, constant_values=-1)
        cand_scores = np.pad(cand_scores, pad, constant_values=-np.inf)
    cut = (
        cand_scores[:, -1].copy()
        if model.titles.n_titles > kept
        else np.full(len(norm), -np.inf, np.float32)
    )
    return BlockResult(idx, vals, norm, cand_idx, cand_scores, cut)


def block_size(n_titles: int, budget_bytes: int = 256 * 2**20) -> int:
    """Subscribers per block so that a few (b, T) float32 arrays stay within ``budget_bytes``."""
    return int(max(64, min(20_000, budget_bytes // max(1, n_titles * 4 * 3))))
