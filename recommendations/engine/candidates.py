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
    hit = idx == title
    had = hit.any(axis=1)
    enters = ~had & (new > cut)
    changed = had | enters
    if not changed.any():
        return changed
    rows = np.flatnonzero(had)
    scores[rows, hit[rows].argmax(axis=1)] = new[rows]
    rows = np.flatnonzero(enters)
    # The lowest candidate makes room; every title above the new cut is still kept.
    cut[rows] = np.maximum(cut[rows], scores[rows, -1])
    idx[rows, -1] = title
    scores[rows, -1] = new[rows]
    rows = np.flatnonzero(changed)
    idx[rows], scores[rows] = _reinsert(idx[rows], scores[rows], hit[rows], title, new[rows])
    return changed


def _reinsert(
    idx: np.ndarray, scores: np.ndarray, hit: np.ndarray, title: int, new: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(r, C) sorted candidates where one column holds ``title`` (``hit``, else the last
    column, where an entering title was put): that column moved to where ``new`` (r,) now
    ranks. The other columns are still in order, so this is ``sort_candidates``' result for
    the finite scores without sorting every row again: a binary search finds the new place,
    and only the columns between the old and the new place shift by one."""
    r, c = idx.shape
    at = np.where(hit.any(axis=1), hit.argmax(axis=1), c - 1)
    # How many other columns rank before (new, title): the first of them that does not.
    rows = np.arange(r)
    lo, hi = np.zeros(r, np.int64), np.full(r, c - 1, np.int64)
    while (searching := lo < hi).any():
        mid = (lo + hi) // 2
        # The others' mid-th column, skipping the title's own (rows done: any column).
        col = np.minimum(mid + (mid >= at), c - 1)
        s, i = scores[rows, col], idx[rows, col]
        before = (s > new) | ((s == new) & (i < title))
        lo = np.where(searching & before, mid + 1, lo)
        hi = np.where(searching & ~before, mid, hi)
    place = lo
    col = np.arange(c)[None, :]
    a, p = at[:, None], place[:, None]
    from_left = (col > p) & (col <= a)  # moving up: these take their left neighbour
    from_right = (col >= a) & (col < p)  # moving down: these take their right neighbour
    out_i, out_s = idx.copy(), scores.copy()
    for out, src in ((out_i, idx), (out_s, scores)):
        np.copyto(out[:, 1:], src[:, :-1], where=from_left[:, 1:])
        np.copyto(out[:, :-1], src[:, 1:], where=from_right[:, :-1])
    out_i[rows, place] = title
    out_s[rows, place] = new
    return out_i, out_s


def exact_prefix(scores: np.ndarray, cut: np.ndarray) -> np.ndarray:
    """(r,) how many leading candidates are certainly the best titles overall: those scoring
    above the cut (all of them when the cut is -inf: every allowed title is kept)."""
    n = (scores > cut[:, None]).sum(axis=1)
    return np.where(np.isneginf(cut), scores.shape[1], n)
