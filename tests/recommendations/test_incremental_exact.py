"""Incremental updates equal a full recompute: after several tag changes applied one by one
(and two at once), every stored list is the list a full recompute gives, title for title."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from recommendations.engine.explain import Drivers, anchor_code_matrix
from recommendations.engine.profiles import (
    Interactions,
    build_profiles,
    seen_matrix,
    weight_matrix,
)
from recommendations.engine.scoring import (
    NO_LIMIT,
    Blend,
    Model,
    column_scores,
    cowatch_similarity,
    popularity_prior,
    score_block_t,
)
from recommendations.engine.vectors import (
    MULTI,
    ORDINAL,
    DimensionSpec,
    TagSpec,
    build_title_vectors,
)
from recommendations.services import state as engine_state
from recommendations.services.incremental import incremental_blocks

N_TITLES, N_SUBS, EVENTS = 900, 1500, 20
GENRES = [f"g{i}" for i in range(8)]
TONES = [f"t{i}" for i in range(20)]
THEMES = [f"h{i}" for i in range(40)]
DIMS = [
    DimensionSpec("genre", MULTI, "Genre", tags=tuple(TagSpec(g, g) for g in GENRES)),
    DimensionSpec("tone", MULTI, "Tone", tags=tuple(TagSpec(t, t) for t in TONES)),
    DimensionSpec("theme", MULTI, "Theme", 0.8, tags=tuple(TagSpec(t, t) for t in THEMES)),
    DimensionSpec("violence", ORDINAL, "Violence", 0.5, is_maturity=True),
]


def _values(rng: np.random.Generator) -> dict[str, Any]:
    values: dict[str, Any] = {
        # A skewed genre mix, so that the genre caps bind in many lists.
        "genre": sorted(set(rng.choice(GENRES, rng.integers(1, 3), p=_skew(8)).tolist())),
        "tone": sorted(set(rng.choice(TONES, rng.integers(1, 4)).tolist())),
        "theme": sorted(set(rng.choice(THEMES, rng.integers(1, 4)).tolist())),
    }
    if rng.random() > 0.05:
        values["violence"] = int(rng.integers(0, 6))
    return values


def _skew(n: int) -> np.ndarray:
    p = 1.0 / np.arange(1, n + 1)
    return p / p.sum()


def _state(rng: np.random.Generator) -> engine_state.EngineState:
    titles = build_title_vectors([_values(rng) for _ in range(N_TITLES)], DIMS)
    n = N_SUBS * EVENTS
    popular = _skew(N_TITLES)
    inter = Interactions(
        np.repeat(np.arange(N_SUBS, dtype=np.int32), EVENTS),
        rng.choice(N_TITLES, n, p=popular).astype(np.int32),
        rng.choice(5, n, p=[0.2, 0.7, 0.05, 0.03, 0.02]).astype(np.int8),
        (rng.integers(1, 11, n) / 2).astype(np.float32),
        1.7e9 - rng.random(n) * 3e7,
    )
    weights = weight_matrix(inter, N_SUBS, N_TITLES)
    limits = np.full((N_SUBS, 1), NO_LIMIT, np.int8)
    kids = rng.random(N_SUBS) < 0.2
    limits[kids, 0] = rng.integers(0, 4, int(kids.sum()))
    model = Model(titles, cowatch_similarity(weights).tocsr(), popularity_prior(weights), Blend())
    return engine_state.EngineState(
        title_ids=np.arange(1, N_TITLES + 1, dtype=np.int64),
        names=[f"T{i}" for i in range(N_TITLES)],
        model=model,
        subscriber_ids=np.arange(1, N_SUBS + 1, dtype=np.int64),
        weights=weights,
        seen=seen_matrix(inter, N_SUBS, N_TITLES),
        anchor_codes=anchor_code_matrix(
            inter.subscriber, inter.title, inter.event, inter.rating, (N_SUBS, N_TITLES)
        ),
        limits=limits,
        profiles=build_profiles(weights, titles.matrix),
    )


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
    state = _state(rng)
    for _ in engine_state.lists_compute(state, np.arange(N_SUBS), explain=False, block=300):
        pass
    assert state.list_idx is not None
    stored = state.list_idx.copy()  # what the database holds
    watchers = np.asarray((state.seen != 0).sum(axis=0)).ravel()
    popular = np.argsort(-watchers)
    changes = [[int(p)] for p in popular[[0, 3, 10, 40]]] + [[5], [int(popular[1]), 700]]
    for rows in changes:
        values = {int(state.title_ids[p]): _values(rng) for p in rows}
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
    state = _state(np.random.default_rng(11))
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
    state = _state(rng)
    everyone = np.arange(N_SUBS)
    for _ in engine_state.lists_compute(state, everyone, explain=explained_before, block=300):
        pass
    watchers = np.asarray((state.seen != 0).sum(axis=0)).ravel()
    popular = np.argsort(-watchers)
    for rows in ([int(popular[0])], [int(popular[2]), 300], [int(popular[5])]):
        values = {int(state.title_ids[p]): _values(rng) for p in rows}
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
