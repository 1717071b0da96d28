"""The incremental path's entry test: which lists a re-tagged title can enter."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from recommendations.engine.scoring import diversify_counted
from recommendations.services.pipeline import _past_genre_caps


def test_diversify_counts_the_candidates_within_the_genre_caps() -> None:
    groups = np.array([[1, 0]] * 8 + [[0, 1]] * 2, dtype=bool)  # 8 comedies, 2 dramas
    idx = np.arange(10, dtype=np.int32)[None, :]
    scores = np.linspace(1, 0.1, 10, dtype=np.float32)[None, :]
    _, _, within = diversify_counted(idx, scores, groups, k=5, share=0.4)  # cap = 2
    assert within.tolist() == [4]  # comedies 0, 1 and both dramas


def _state(*, spare: bool, comedies_above: int) -> Any:
    """One list of 5 (cap 2 per genre): titles 0-4 listed, title 5 (a comedy) re-tagged."""
    groups = np.array([[1, 0]] * comedies_above + [[0, 1]] * (6 - comedies_above), dtype=bool)
    groups[5] = [True, False]
    model = SimpleNamespace(groups=lambda: groups)
    return SimpleNamespace(
        model=model,
        list_idx=np.array([[0, 1, 2, 3, 4]], np.int32),
        list_scores=np.array([[0.9, 0.8, 0.7, 0.6, 0.5]], np.float32),
        list_spare=np.array([spare]),
    )


def test_a_title_whose_genre_fills_its_cap_above_it_cannot_enter_a_list_with_spares() -> None:
    new = np.array([0.65], np.float32)  # above the last item, below two comedies
    state = _state(spare=True, comedies_above=2)
    assert _past_genre_caps(state, 5, np.array([0]), new).tolist() == []


def test_a_title_below_its_genre_cap_enters() -> None:
    new = np.array([0.85], np.float32)  # only one comedy above it
    state = _state(spare=True, comedies_above=2)
    assert _past_genre_caps(state, 5, np.array([0]), new).tolist() == [0]


def test_a_list_without_spare_candidates_is_always_rebuilt() -> None:
    new = np.array([0.65], np.float32)
    state = _state(spare=False, comedies_above=2)
    assert _past_genre_caps(state, 5, np.array([0]), new).tolist() == [0]
