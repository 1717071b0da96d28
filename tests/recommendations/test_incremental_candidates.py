"""Kept candidates: a re-tagged title's new score patched into a list's best titles."""

from __future__ import annotations

import numpy as np

from recommendations.engine.candidates import (
    exact_prefix,
    patch_title,
    patch_title_ranked,
    sort_candidates,
)
from recommendations.engine.scoring import diversify_counted


def _cands() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One list keeping 4 candidates (titles 10, 11, 12, 13); every title above 0.5 is kept."""
    idx = np.array([[10, 11, 12, 13]], np.int32)
    scores = np.array([[0.9, 0.8, 0.7, 0.6]], np.float32)
    return idx, scores, np.array([0.5], np.float32)


def test_diversify_counts_the_candidates_within_the_genre_caps() -> None:
    groups = np.array([[1, 0]] * 8 + [[0, 1]] * 2, dtype=bool)  # 8 comedies, 2 dramas
    idx = np.arange(10, dtype=np.int32)[None, :]
    scores = np.linspace(1, 0.1, 10, dtype=np.float32)[None, :]
    _, _, within = diversify_counted(idx, scores, groups, k=5, share=0.4)  # cap = 2
    assert within.tolist() == [4]  # comedies 0, 1 and both dramas


def test_a_kept_title_is_re_ranked_by_its_new_score() -> None:
    idx, scores, cut = _cands()
    changed = patch_title(idx, scores, cut, 13, np.array([0.85], np.float32))
    assert changed.tolist() == [True]
    assert idx.tolist() == [[10, 13, 11, 12]]
    assert exact_prefix(scores, cut).tolist() == [4]


def test_a_title_above_the_cut_enters_and_the_lowest_candidate_makes_room() -> None:
    idx, scores, cut = _cands()
    patch_title(idx, scores, cut, 20, np.array([0.75], np.float32))
    assert idx.tolist() == [[10, 11, 20, 12]]
    # Title 13 (0.6) left: only titles above 0.6 are certainly all kept now.
    assert cut.tolist() == [np.float32(0.6)]
    assert exact_prefix(scores, cut).tolist() == [4]


def test_a_title_below_the_cut_changes_nothing() -> None:
    idx, scores, cut = _cands()
    changed = patch_title(idx, scores, cut, 20, np.array([0.4], np.float32))
    assert changed.tolist() == [False]
    assert idx.tolist() == [[10, 11, 12, 13]]


def test_a_kept_title_falling_below_the_cut_shortens_the_exact_prefix() -> None:
    idx, scores, cut = _cands()
    patch_title(idx, scores, cut, 10, np.array([0.3], np.float32))
    assert idx.tolist() == [[11, 12, 13, 10]]
    # An unkept title may score between 0.3 and 0.5: only the first three are certain.
    assert exact_prefix(scores, cut).tolist() == [3]


def test_equal_scores_are_ordered_by_title_index() -> None:
    idx, scores, cut = _cands()
    patch_title(idx, scores, cut, 5, np.array([0.8], np.float32))
    assert idx.tolist() == [[10, 5, 11, 12]]


def test_a_list_keeping_every_allowed_title_stays_exact() -> None:
    idx = np.array([[10, 11, -1, -1]], np.int32)
    scores = np.array([[0.9, 0.8, -np.inf, -np.inf]], np.float32)
    cut = np.array([-np.inf], np.float32)
    patch_title(idx, scores, cut, 20, np.array([0.1], np.float32))
    assert idx.tolist() == [[10, 11, 20, -1]]
    assert exact_prefix(scores, cut).tolist() == [4]


def test_patching_equals_sorting_the_candidates_again() -> None:
    """Many lists, ties and excluded (-inf) titles: the title moved by a binary search and a
    shift lands where sorting every candidate again puts it."""
    rng = np.random.default_rng(4)
    for _ in range(50):
        r, c, title = 30, int(rng.integers(2, 25)), 500
        idx = np.array([rng.permutation(100)[:c] for _ in range(r)], np.int32)
        scores = (np.round(rng.random((r, c)) * 5) / 5).astype(np.float32)
        scores[rng.random((r, c)) < 0.1] = -np.inf
        holds = rng.random(r) < 0.6
        idx[holds, rng.integers(0, c, int(holds.sum()))] = title
        idx, scores = sort_candidates(idx, scores)
        new = (np.round(rng.random(r) * 5) / 5).astype(np.float32)
        new[rng.random(r) < 0.1] = -np.inf
        cut = np.full(r, -1.0, np.float32)  # below every finite score: entering titles enter
        want_idx, want_scores = idx.copy(), scores.copy()
        want_scores[want_idx == title] = np.repeat(new, c).reshape(r, c)[want_idx == title]
        enters = ~holds & (new > cut)
        want_idx[enters, -1], want_scores[enters, -1] = title, new[enters]
        want_idx, want_scores = sort_candidates(want_idx, want_scores)
        patch_title(idx, scores, cut, title, new)
        assert idx.tolist() == want_idx.tolist()
        assert scores.tolist() == want_scores.tolist()


def test_patching_leaves_rows_outside_where_and_says_where_the_title_went() -> None:
    idx = np.array([[10, 11, 12, 13]] * 3, np.int32)
    scores = np.array([[0.9, 0.8, 0.7, 0.6]] * 3, np.float32)
    cut = np.full(3, 0.5, np.float32)
    new = np.array([0.85, 0.65, 0.85], np.float32)
    where = np.array([True, True, False])
    patched = patch_title_ranked(idx, scores, cut, 20, new, where=where)
    assert idx.tolist() == [[10, 20, 11, 12], [10, 11, 12, 20], [10, 11, 12, 13]]
    assert patched.changed.tolist() == [True, True, False]
    assert patched.before.tolist() == [4, 4, 4]  # not a candidate before (C = 4)
    assert patched.after.tolist() == [1, 3, 4]
    # Only the first list's first three candidates (the diversity pass's input) changed.
    assert patched.within(3).tolist() == [True, False, False]
