"""Properties that must hold for any data: limits never exceeded, seen titles never recommended."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from recommendations.engine.profiles import (
    EVENT_CODES,
    Interactions,
    build_profiles,
    seen_matrix,
    weight_matrix,
)
from recommendations.engine.scoring import (
    NO_LIMIT,
    Model,
    cowatch_similarity,
    popularity_prior,
    recommend_block,
)
from recommendations.engine.vectors import (
    MULTI,
    ORDINAL,
    DimensionSpec,
    TagSpec,
    build_title_vectors,
)

DIMS = [
    DimensionSpec(
        "genre",
        MULTI,
        "Genre",
        tags=tuple(TagSpec(g, g.title()) for g in ("comedy", "drama", "horror")),
    ),
    DimensionSpec("violence", ORDINAL, "Violence", is_maturity=True),
    DimensionSpec("sex", ORDINAL, "Sex", is_maturity=True),
]


@st.composite
def worlds(draw: st.DrawFn) -> tuple:
    n_titles = draw(st.integers(1, 25))
    titles = []
    for _ in range(n_titles):
        values: dict = {
            "genre": draw(
                st.lists(st.sampled_from(["comedy", "drama", "horror"]), unique=True, max_size=2)
            )
        }
        for dim in ("violence", "sex"):
            level = draw(st.one_of(st.none(), st.integers(0, 5)))
            if level is not None:
                values[dim] = level
        titles.append(values)
    n_subs = draw(st.integers(1, 6))
    events = draw(
        st.lists(
            st.tuples(
                st.integers(0, n_subs - 1),
                st.integers(0, n_titles - 1),
                st.sampled_from(sorted(EVENT_CODES.values())),
                st.sampled_from([0.5, 1.0, 3.0, 4.5, 5.0]),
                st.integers(0, 1000),
            ),
            max_size=60,
        )
    )
    limits = draw(
        st.lists(
            st.lists(st.one_of(st.just(NO_LIMIT), st.integers(0, 5)), min_size=2, max_size=2),
            min_size=n_subs,
            max_size=n_subs,
        )
    )
    k = draw(st.integers(1, 12))
    return titles, n_subs, events, limits, k


@settings(max_examples=150, deadline=None)
@given(worlds())
def test_lists_never_exceed_limits_never_repeat_seen_titles(world: tuple) -> None:
    titles, n_subs, events, limits, k = world
    tv = build_title_vectors(titles, DIMS)
    arr = np.array(events, dtype=np.float64).reshape(-1, 5)
    inter = Interactions(
        arr[:, 0].astype(np.int32),
        arr[:, 1].astype(np.int32),
        arr[:, 2].astype(np.int8),
        arr[:, 3].astype(np.float32),
        arr[:, 4] * 86_400,
    )
    weights = weight_matrix(inter, n_subs, len(titles))
    seen = seen_matrix(inter, n_subs, len(titles))
    model = Model(tv, cowatch_similarity(weights), popularity_prior(weights))
    lim = np.array(limits, dtype=np.int8)
    result = recommend_block(build_profiles(weights, tv.matrix), weights, seen, lim, model, k)
    seen_dense = seen.toarray()
    for u in range(n_subs):
        chosen = [t for t in result.idx[u].tolist() if t >= 0]
        assert len(chosen) == len(set(chosen))
        for t in chosen:
            assert not seen_dense[u, t]
            for m in range(2):
                if lim[u, m] != NO_LIMIT:
                    level = tv.maturity[t, m]
                    assert level != -1
                    assert level <= lim[u, m]
        # Nothing allowed was left out of a short list.
        allowed = [
            t
            for t in range(len(titles))
            if not seen_dense[u, t]
            and all(
                lim[u, m] == NO_LIMIT
                or (tv.maturity[t, m] != -1 and tv.maturity[t, m] <= lim[u, m])
                for m in range(2)
            )
        ]
        assert len(chosen) == min(k, len(allowed))
