"""A small synthetic working set for engine tests: 900 titles (skewed genres, tones, themes,
violence with some levels unknown), 1,500 subscribers with 20 events each, one in five with
a violence limit; co-watch and popularity from their history."""

from __future__ import annotations

from typing import Any

import numpy as np

from recommendations.engine.explain import anchor_code_matrix
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
    cowatch_similarity,
    popularity_prior,
)
from recommendations.engine.vectors import (
    MULTI,
    ORDINAL,
    DimensionSpec,
    TagSpec,
    build_title_vectors,
)
from recommendations.services import state as engine_state

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


def title_values(rng: np.random.Generator) -> dict[str, Any]:
    values: dict[str, Any] = {
        # A skewed genre mix, so that the genre caps bind in many lists.
        "genre": sorted(set(rng.choice(GENRES, rng.integers(1, 3), p=skew(8)).tolist())),
        "tone": sorted(set(rng.choice(TONES, rng.integers(1, 4)).tolist())),
        "theme": sorted(set(rng.choice(THEMES, rng.integers(1, 4)).tolist())),
    }
    if rng.random() > 0.05:
        values["violence"] = int(rng.integers(0, 6))
    return values


def skew(n: int) -> np.ndarray:
    p = 1.0 / np.arange(1, n + 1)
    return p / p.sum()


def synthetic_state(rng: np.random.Generator) -> engine_state.EngineState:
    titles = build_title_vectors([title_values(rng) for _ in range(N_TITLES)], DIMS)
    n = N_SUBS * EVENTS
    popular = skew(N_TITLES)
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
