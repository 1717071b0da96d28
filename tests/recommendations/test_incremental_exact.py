"""Incremental updates equal a full recompute: after several tag changes applied one by one
(and two at once), every stored list is the list a full recompute gives, title for title."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from recommendations.engine.explain import Drivers
from recommendations.engine.profiles import build_profiles
from recommendations.engine.scoring import Model, column_scores, score_block_t
from recommendations.services import state as engine_state
from recommendations.services.incremental import incremental_blocks
from tests.recommendations.engine_support import N_SUBS, synthetic_state, title_values


def _full(state: engine_state.EngineState) -> np.ndarray:
    """Every list recomputed from scratch (profiles too) on a copy of the state."""
    fresh = engine_state.EngineState(
        title_ids=state.title_ids,
        names=state.names,
        model=Model(
            state.model.titles, state.model.item_sim, state.model.popularity, state.model.blend
        ),
        subscriber_ids=state.subscriber_ids,
        weights=state.weights,
        seen=state.seen,
        anchor_codes=state.anchor_codes,
        limits=state.limits,
        profiles=build_profiles(state.weights, state.model.titles.matrix),
    )
    for _ in engine_state.lists_compute(fresh, np.arange(N_SUBS), explain=False, block=256):
        pass
    assert fresh.list_idx is not None
    return fresh.list_idx.copy()


@pytest.fixture
def small_lists(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Lists of 10 from 30 diversity candidates, keeping 36: candidates run short often, so
    # the fallback to a full score is exercised too.
    settings.RECOMMENDATION_LIST_SIZE = 10
    monkeypatch.setattr("recommendations.engine.scoring.KEPT_CANDIDATES", 36)
    monkeypatch.setattr("recommendations.services.state.KEPT_CANDIDATES", 36)


@pytest.mark.usefixtures("small_lists")
def test_lists_after_incremental_tag_changes_equal_a_full_recompute() -> None:
    rng = np.random.default_rng(5)
    state = synthetic_state(rng)
    for _ in engine_state.lists_compute(state, np.arange(N_SUBS), explain=False, block=300):
        pass
    assert state.list_idx is not None
    stored = state.list_idx.copy()  # what the database holds
    watchers = np.asarray((state.seen != 0).sum(axis=0)).ravel()
    popular = np.argsort(-watchers)
    changes = [[int(p)] for p in popular[[0, 3, 10, 40]]] + [[5], [int(popular[1]), 700]]
    for rows in changes:
        values = {int(state.title_ids[p]): title_values(rng) for p in rows}
        before = stored.copy()
        written = set()
        for block in incremental_blocks(
            state, title_ids=list(values), values=values, explain=False
        ):
            stored[block.positions] = block.result.idx
            written.update(block.positions.tolist())
        expected = _full(state)
        wrong = np.flatnonzero((stored != expected).any(axis=1))
        assert wrong.size == 0, f"{wrong.size} lists differ after re-tagging {rows}"
        # Lists are written only when they change or hold a re-tagged title.
        moved = np.flatnonzero((before != expected).any(axis=1) | np.isin(expected, rows).any(1))
        assert set(moved.tolist()) <= written


def test_column_scores_equal_the_full_products_entries_bit_for_bit() -> None:
    state = synthetic_state(np.random.default_rng(11))
    scores_t, norm = score_block_t(state.profiles, state.weights, state.model)
    csc = state.weights.tocsc()
    csc.sort_indices()
    for p in (0, 17, 450):
        column = column_scores(state.profiles, csc, norm, state.model, p)
        np.testing.assert_array_equal(column, scores_t[p])


def _assert_reasons_equal(got: Drivers, want: Drivers, idx: np.ndarray) -> None:
    items = idx >= 0  # a padding item's drivers are never stored
    for name in ("noun", "adjectives", "anchor", "anchor_code"):
        np.testing.assert_array_equal(getattr(got, name)[items], getattr(want, name)[items])


@pytest.mark.usefixtures("small_lists")
@pytest.mark.parametrize("explained_before", [True, False])
def test_reasons_after_incremental_tag_changes_equal_explaining_every_list(
    explained_before: bool,
) -> None:
    """Patched lists reuse their items' kept reasons; what they write, and what is kept for
    every list, equals explaining the whole list again."""
    rng = np.random.default_rng(7)
    state = synthetic_state(rng)
    everyone = np.arange(N_SUBS)
    for _ in engine_state.lists_compute(state, everyone, explain=explained_before, block=300):
        pass
    watchers = np.asarray((state.seen != 0).sum(axis=0)).ravel()
    popular = np.argsort(-watchers)
    for rows in ([int(popular[0])], [int(popular[2]), 300], [int(popular[5])]):
        values = {int(state.title_ids[p]): title_values(rng) for p in rows}
        for block in incremental_blocks(state, title_ids=list(values), values=values):
            want = engine_state.block_drivers(state, block.positions, block.result.idx)
            _assert_reasons_equal(block.drivers, want, block.result.idx)
        assert state.list_idx is not None
        assert state.reason_kept is not None
        kept = np.flatnonzero(state.reason_kept)
        assert explained_before or kept.size < N_SUBS
        idx = state.list_idx[kept]
        _assert_reasons_equal(
            Drivers(
                state.reason_noun[kept],  # type: ignore[index]
                state.reason_adjectives[kept],  # type: ignore[index]
                state.reason_anchor[kept],  # type: ignore[index]
                state.reason_code[kept],  # type: ignore[index]
            ),
            engine_state.block_drivers(state, kept, idx),
            idx,
        )
