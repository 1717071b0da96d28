"""Kept candidates: how a list's best titles follow a tag change without scoring every title.

Each list keeps its ``KEPT_CANDIDATES`` best titles (index, score), sorted by score descending
then index, and a cut: every title scoring above the cut is among them. When one title's tags
change, a subscriber who did not watch it keeps the same profile, so only that title's score
moves: put its new score in (or insert it, dropping the lowest candidate and raising the cut
to that candidate's score), re-sort, and the leading candidates above the cut are still exactly
the best titles. The diversity pass then runs again on them, which also catches lists whose
membership changes only through the genre caps (the re-tagged title's new genres move other
candidates in or out).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def sort_candidates(idx: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(r, C) candidates re-sorted by score descending, ties by title index ascending (the
    order the full scoring's top-k produces)."""
    order = np.lexsort((idx, -scores), axis=1)
    return np.take_along_axis(idx, order, axis=1), np.take_along_axis(scores, order, axis=1)


def patch_title(
    idx: np.ndarray, scores: np.ndarray, cut: np.ndarray, title: int, new: np.ndarray
) -> np.ndarray:
    """In place on (r, C) candidates and (r,) cuts of lists whose profile did not change:
    ``title`` now scores ``new`` (r,) float32 (-inf where excluded). Returns (r,) bool, the
    rows whose candidates changed (the title is or was among them)."""
    return patch_title_ranked(idx, scores, cut, title, new).changed


@dataclass(frozen=True)
class Patched:
    """What ``patch_title_ranked`` did: ``changed`` (r,) bool, the rows whose candidates
    changed; the title's column in each of them ``before`` (C where it was not a candidate)
    and ``after``; other rows hold C in both."""

    changed: np.ndarray
    before: np.ndarray
    after: np.ndarray

    def within(self, n: int) -> np.ndarray:
        """(r,) bool: rows where the title is or was among the first ``n`` candidates — the
        only rows whose first ``n`` candidates changed."""
        return self.changed & (np.minimum(self.before, self.after) < n)


def patch_title_ranked(
    idx: np.ndarray,
    scores: np.ndarray,
    cut: np.ndarray,
    title: int,
    new: np.ndarray,
    where: np.ndarray | None = None,
) -> Patched:
    """``patch_title`` on the rows ``where`` (r,) bool (default all; the others are left as
    they are), also saying where the title was and went in each changed row. Works in place
    on C-contiguous arrays without copying rows out: only the columns that shift are moved."""
    r, c = idx.shape
    hit = idx == title
    had = hit.any(axis=1)
    enters = ~had & (new > cut)
    if where is not None:
        had &= where
        enters &= where
    changed = had | enters
    before = np.full(r, c, np.int64)
    after = np.full(r, c, np.int64)
    rows = np.flatnonzero(had)
    before[rows] = hit[rows].argmax(axis=1)
    rows = np.flatnonzero(enters)
    # The lowest candidate makes room; every title above the new cut is still kept.
    cut[rows] = np.maximum(cut[rows], scores[rows, -1])
    rows = np.flatnonzero(changed)
    if rows.size:
        # An entering title takes the last column, whose candidate leaves.
        after[rows] = _reinsert(idx, scores, rows, before[rows].clip(max=c - 1), title, new[rows])
    return Patched(changed, before, after)


def _reinsert(
    idx: np.ndarray,
    scores: np.ndarray,
    rows: np.ndarray,
    at: np.ndarray,
    title: int,
    new: np.ndarray,
) -> np.ndarray:
    """In place on ``rows`` of (R, C) sorted candidates: column ``at`` (r,) — the title's, or
    the last one, whose candidate an entering title replaces — moves to where ``new`` (r,)
    now ranks; returns that place. The other columns are still in order, so this is
    ``sort_candidates``' result for the finite scores without sorting every row again: a
    binary search finds the place, and only the columns in between shift by one."""
    c = idx.shape[1]
    # How many other columns rank before (new, title): the first of them that does not.
    lo, hi = np.zeros(rows.size, np.int64), np.full(rows.size, c - 1, np.int64)
    row_start = rows.astype(np.int64) * c
    flat_scores, flat_idx = scores.reshape(-1), idx.reshape(-1)  # 1-D gathers: cheaper
    while (searching := lo < hi).any():
        mid = (lo + hi) // 2
        # The others' mid-th column, skipping the title's own (rows done: any column).
        cell = row_start + np.minimum(mid + (mid >= at), c - 1)
        s, i = flat_scores[cell], flat_idx[cell]
        before = (s > new) | ((s == new) & (i < title))
        lo = np.where(searching & before, mid + 1, lo)
        hi = np.where(searching & ~before, mid, hi)
    place = lo
    # Moving up, the columns place..at-1 each take one step right; moving down, at+1..place
    # each take one step left. Flat indices of just those cells: no row is copied whole.
    up = place < at
    span = np.abs(at - place)
    total = int(span.sum())
    # intp cell numbers: numpy converts any other index first (int32 made the moves ~1.6x
    # slower for half the memory).
    cell = np.intp
    first = (rows * c + np.where(up, place + 1, at)).astype(cell)  # first cell written
    dst = np.ones(total, cell)  # consecutive cells in a row, a jump to the next row's
    some = span > 0
    first, span_, up_ = first[some], span[some], up[some]
    if total:
        starts = np.cumsum(span_) - span_
        dst[starts[0]] = first[0]
        dst[starts[1:]] = first[1:] - (first[:-1] + span_[:-1].astype(cell) - 1)
        np.cumsum(dst, out=dst)
        # A written cell reads its left neighbour moving up, its right one moving down.
        src = dst + np.repeat(np.where(up_, -1, 1).astype(np.int8), span_)
        for array in (idx, scores):
            flat = array.reshape(-1)  # a view: the arrays are C-contiguous
            assert np.shares_memory(flat, array)
            flat[dst] = flat[src]  # the right side is read whole before anything is written
    idx[rows, place] = title
    scores[rows, place] = new
    return place


def exact_prefix(scores: np.ndarray, cut: np.ndarray) -> np.ndarray:
    """(r,) how many leading candidates are certainly the best titles overall: those scoring
    above the cut (all of them when the cut is -inf: every allowed title is kept)."""
    n = (scores > cut[:, None]).sum(axis=1)
    return np.where(np.isneginf(cut), scores.shape[1], n)
