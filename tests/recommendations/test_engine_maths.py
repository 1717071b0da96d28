"""The engine's maths on tiny cases computed by hand."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from recommendations.engine.explain import (
    CODE_LIKED,
    Explainer,
    Phrases,
    Renderer,
    anchor_code_matrix,
    drivers,
    english_plural,
)
from recommendations.engine.packed import pack_block, unpack
from recommendations.engine.profiles import (
    DISLIKED,
    NOT_INTERESTED,
    RATED,
    WATCHED,
    Interactions,
    build_profiles,
    event_weights,
    weight_matrix,
)
from recommendations.engine.rows import ROW_BECAUSE, ROW_GENRE, ROW_MICRO, ROW_TOP, rows_of
from recommendations.engine.scoring import (
    NO_LIMIT,
    Blend,
    Model,
    cowatch_similarity,
    diversify,
    diversify_counted,
    popularity_prior,
    recommend_block,
    top_candidates_t,
)
from recommendations.engine.vectors import (
    MULTI,
    ORDINAL,
    ORDINAL_SCALE,
    UNKNOWN_LEVEL,
    DimensionSpec,
    TagSpec,
    build_title_vectors,
)

GENRE = DimensionSpec(
    "genre", MULTI, "Genre", tags=(TagSpec("comedy", "Comedy"), TagSpec("drama", "Drama"))
)
TONE = DimensionSpec(
    "tone",
    MULTI,
    "Tone",
    tags=(
        TagSpec("irreverent", "Irreverent"),
        TagSpec("quirky", "Quirky"),
        TagSpec("dark", "Dark"),
    ),
)
VIOLENCE = DimensionSpec("violence", ORDINAL, "Violence", is_maturity=True)


def inter(
    sub: list[int], title: list[int], event: list[int], rating: list[float], days: list[float]
) -> Interactions:
    return Interactions(
        np.array(sub, np.int32),
        np.array(title, np.int32),
        np.array(event, np.int8),
        np.array(rating, np.float32),
        np.array(days, np.float64) * 86_400,
    )


def test_select_tags_are_idf_weighted_and_rows_normalised() -> None:
    tv = build_title_vectors(
        [{"genre": ["comedy"]}, {"genre": ["comedy"], "tone": ["dark"]}, {"genre": ["drama"]}],
        [GENRE, TONE],
    )
    idf_comedy, idf_dark = math.log(4 / 3) + 1, math.log(4 / 2) + 1
    norm = math.hypot(idf_comedy, idf_dark)
    row = tv.matrix.toarray()[1]  # features: comedy, drama, irreverent, quirky, dark
    assert row == pytest.approx([idf_comedy / norm, 0, 0, 0, idf_dark / norm], rel=1e-5)
    assert np.linalg.norm(tv.matrix.toarray(), axis=1) == pytest.approx([1, 1, 1])


def test_ordinal_levels_are_scaled_and_dimension_weights_multiply() -> None:
    heavy_tone = DimensionSpec("tone", MULTI, "Tone", weight=2.0, tags=TONE.tags)
    tv = build_title_vectors(
        [{"tone": ["dark"], "violence": 5}, {"violence": 0}], [heavy_tone, VIOLENCE]
    )
    idf_dark = math.log(3 / 2) + 1
    dark, violence = 2.0 * idf_dark, ORDINAL_SCALE * 1.0  # level 5 -> 1.0
    norm = math.hypot(dark, violence)
    assert tv.matrix.toarray()[0] == pytest.approx([0, 0, dark / norm, violence / norm], rel=1e-5)
    assert tv.maturity[:, 0].tolist() == [5, 0]


def test_untagged_maturity_level_is_unknown() -> None:
    tv = build_title_vectors([{"genre": ["comedy"]}], [GENRE, VIOLENCE])
    assert tv.maturity.tolist() == [[-1]]


def test_ratings_are_centred_on_the_subscribers_shrunk_mean() -> None:
    w = event_weights(inter([0, 0], [0, 1], [RATED, RATED], [5.0, 1.0], [0, 0]), 1)
    mean = (5 + 1 + 3.5 * 3) / (2 + 3)  # 3.3
    assert w.tolist() == pytest.approx([0.5 + 0.5 * (5 - mean), 0.5 + 0.5 * (1 - mean)])
    assert w[1] < 0  # a 1★ is a negative signal


def test_dislikes_and_not_interested_are_negative_and_old_events_decay() -> None:
    w = event_weights(
        inter(
            [0, 0, 0, 0],
            [0, 1, 2, 3],
            [WATCHED, DISLIKED, NOT_INTERESTED, WATCHED],
            [np.nan] * 4,
            [365, 365, 365, 0],
        ),
        1,
        half_life_days=365,
    )
    assert w.tolist() == pytest.approx([0.5, -1.0, -0.75, 0.25])  # the last is a year older


def test_profile_is_the_weighted_sum_of_title_vectors() -> None:
    tv = build_title_vectors([{"genre": ["comedy"]}, {"genre": ["drama"]}], [GENRE])
    events = inter([0, 0], [0, 1], [WATCHED, DISLIKED], [np.nan, np.nan], [0, 0])
    profile = build_profiles(weight_matrix(events, 1, 2, half_life_days=0), tv.matrix)
    expected = np.array([0.5, -1.0]) / math.hypot(0.5, 1.0)
    assert profile[0, :2] == pytest.approx(expected, rel=1e-5)


def test_scores_rank_by_cosine_and_exclude_what_was_seen() -> None:
    tv = build_title_vectors(
        [
            {"genre": ["comedy"]},
            {"genre": ["comedy"]},
            {"genre": ["drama"]},
            {"genre": ["comedy", "drama"]},
        ],
        [GENRE],
    )
    events = inter([0], [0], [RATED], [5.0], [0])
    weights = weight_matrix(events, 1, 4)
    seen = (weights != 0).astype(bool)
    model = Model(tv, blend=Blend(tags=1.0, cowatch=0.0, popularity=0.0))
    result = recommend_block(
        build_profiles(weights, tv.matrix),
        weights,
        seen,
        np.full((1, 0), NO_LIMIT, np.int8),
        model,
        k=3,
        diverse=False,
    )
    assert result.idx[0].tolist() == [1, 3, 2]  # cos 1, then the comedy-drama, then 0; 0 was seen
    idf_comedy, idf_drama = math.log(5 / 4) + 1, math.log(5 / 3) + 1
    assert result.scores[0].tolist() == pytest.approx(
        [1.0, idf_comedy / math.hypot(idf_comedy, idf_drama), 0.0], abs=1e-5
    )


def test_maturity_limit_excludes_higher_and_unknown_levels() -> None:
    tv = build_title_vectors(
        [{"violence": 0}, {"violence": 2}, {"violence": 3}, {"genre": ["comedy"]}],
        [GENRE, VIOLENCE],
    )
    weights = weight_matrix(inter([], [], [], [], []), 2, 4)
    limits = np.array([[2], [NO_LIMIT]], np.int8)
    model = Model(
        tv, popularity=np.array([0.1, 0.2, 0.3, 0.4], np.float32), blend=Blend(popularity=1.0)
    )
    result = recommend_block(
        build_profiles(weights, tv.matrix),
        weights,
        weights.astype(bool),
        limits,
        model,
        k=4,
        diverse=False,
    )
    assert result.idx[0].tolist() == [1, 0, -1, -1]  # level 3 and the untagged title are out
    assert result.idx[1].tolist() == [3, 2, 1, 0]  # no limit: popularity order


def test_top_candidates_uses_partial_selection_in_score_order() -> None:
    scores = np.array([[0.1, 0.9, 0.5, -np.inf, 0.7]], np.float32)
    idx, vals = top_candidates_t(np.ascontiguousarray(scores.T), 3)
    assert idx.tolist() == [[1, 4, 2]]
    assert vals[0].tolist() == pytest.approx([0.9, 0.7, 0.5])


def test_diversity_caps_a_genre_at_its_share_of_the_list() -> None:
    groups = np.array([[1, 0]] * 8 + [[0, 1]] * 2, dtype=bool)  # 8 comedies, 2 dramas
    idx = np.arange(10, dtype=np.int32)[None, :]
    scores = np.linspace(1, 0.1, 10, dtype=np.float32)[None, :]
    out, _ = diversify(idx, scores, groups, k=5, share=0.4)  # cap = 2 per genre
    chosen = out[0].tolist()
    assert sum(groups[chosen, 0]) <= 3
    assert {8, 9} <= set(chosen)
    assert chosen[:2] == [0, 1]


@pytest.mark.parametrize("ranked", [True, False])
def test_diversity_picks_and_orders_as_its_definition(ranked: bool) -> None:
    """Per row, by hand: a candidate is moved back when one of its genres is already held by
    cap valid candidates above it; the first k of (kept by rank, then moved by rank) are
    picked and ordered by score, a moved one after a kept one it ties. Ties, invalid (-inf)
    candidates, rows with fewer valid candidates than places, and (``ranked`` False) rows not
    in score order."""
    rng = np.random.default_rng(11 if ranked else 12)
    for _ in range(200):
        b, n, k = (int(x) for x in rng.integers(1, [12, 30, 12], endpoint=True))
        groups = rng.random((40, int(rng.integers(1, 5)))) < 0.4
        idx = np.stack([rng.permutation(40)[:n] for _ in range(b)]).astype(np.int32)
        scores = (np.round(rng.normal(size=(b, n)) * 2) / 2).astype(np.float32)
        scores[rng.random((b, n)) < 0.15] = -np.inf
        if ranked:
            order = np.lexsort((idx, -scores), axis=1)
            idx, scores = np.take_along_axis(idx, order, 1), np.take_along_axis(scores, order, 1)
        cap = math.ceil(0.4 * k)
        got_idx, got_scores, within = diversify_counted(idx, scores, groups, k, 0.4)
        for r in range(b):
            held = np.zeros(groups.shape[1], int)
            kept, moved = [], []
            for i in range(n):
                if not np.isfinite(scores[r, i]):
                    continue
                genres = groups[idx[r, i]]
                (moved if (held[genres] >= cap).any() else kept).append(i)
                held += genres
            picks = (kept + moved)[:k]
            tier = {i: int(i in moved) for i in picks}
            picks = sorted(picks, key=lambda i: (-scores[r, i], tier[i], (kept + moved).index(i)))
            want = [int(idx[r, i]) for i in picks] + [-1] * (k - len(picks))
            assert got_idx[r].tolist() == want
            assert got_scores[r, : len(picks)].tolist() == [scores[r, i] for i in picks]
            assert within[r] == len(kept)


def test_popularity_prior_and_cowatch_similarity_by_hand() -> None:
    import scipy.sparse as sp

    w = sp.csr_matrix(np.array([[1, 1, 0], [1, 1, 0], [1, 0, 1]], np.float32))
    assert popularity_prior(w).tolist() == pytest.approx(
        [1.0, math.log(3) / math.log(4), math.log(2) / math.log(4)]
    )
    sim = cowatch_similarity(w, shrink=0.0).toarray()
    assert sim[0, 1] == pytest.approx(2 / math.sqrt(3 * 2), rel=1e-5)
    assert sim[1, 2] == 0
    assert sim[0, 0] == 0


def test_reason_names_driving_tags_and_the_anchor_rating() -> None:
    tv = build_title_vectors(
        [
            {"genre": ["comedy"], "tone": ["irreverent", "quirky"]},  # 0 Fargo (seen, 5★)
            {"genre": ["comedy"], "tone": ["irreverent", "quirky"]},  # 1 candidate
            {"genre": ["drama"], "tone": ["dark"]},  # 2
        ],
        [GENRE, TONE],
    )
    events = inter([0], [0], [RATED], [5.0], [0])
    weights = weight_matrix(events, 1, 3)
    profiles = build_profiles(weights, tv.matrix)
    idx = np.array([[1]], np.int32)
    codes = anchor_code_matrix(events.subscriber, events.title, events.event, events.rating, (1, 3))
    d = drivers(idx, profiles, weights, codes, tv)
    explainer = Explainer(tv)  # codes = feature index + 1 without tag ids
    labels = {i + 1: f.label for i, f in enumerate(tv.space.features)}
    noun = int(explainer.tag_codes(d.noun)[0, 0])
    adj1, adj2 = (int(c) for c in explainer.tag_codes(d.adjectives)[0, 0])
    assert int(d.anchor[0, 0]) == 0  # Fargo
    code = round(float(d.anchor_code[0, 0]) * 2)
    renderer = Renderer(labels, {100: "Fargo"})
    assert renderer.reason(noun, adj1, adj2, 100, code) in (
        "Irreverent, quirky comedy — like Fargo, which you rated 5★",
        "Quirky, irreverent comedy — like Fargo, which you rated 5★",
    )
    assert renderer.row_name(ROW_MICRO, noun, adj1, 0) in ("Irreverent comedies", "Quirky comedies")
    assert renderer.reason(noun, 0, 0, 100, CODE_LIKED) == "Comedy — like Fargo, which you liked"
    assert renderer.reason(noun, 0, 0, 0, 0) == "Comedy — close to what you enjoy"
    assert renderer.reason(0, 0, 0, 100, 10) == "Popular with viewers who share your taste"


def test_adjectives_are_tags_the_subscriber_is_drawn_to() -> None:
    """Only a tag with a positive pull on the subscriber becomes an adjective: one they
    dislike, or one whose weight was set to 0, never does."""
    tv = build_title_vectors(
        [
            {"genre": ["comedy"], "tone": ["quirky"]},  # 0 liked
            {"genre": ["drama"], "tone": ["dark"]},  # 1 disliked
            {"genre": ["comedy"], "tone": ["quirky", "dark"]},  # 2 candidate
        ],
        [GENRE, TONE],
    )
    events = inter([0, 0], [0, 1], [RATED, RATED], [5.0, 0.5], [0, 0])
    weights = weight_matrix(events, 1, 3)
    profiles = build_profiles(weights, tv.matrix)
    codes = anchor_code_matrix(events.subscriber, events.title, events.event, events.rating, (1, 3))
    quirky, dark = (tv.space.index[("tone", t)] for t in ("quirky", "dark"))
    assert profiles[0, dark] < 0 < profiles[0, quirky]
    d = drivers(np.array([[2]], np.int32), profiles, weights, codes, tv)
    assert d.adjectives[0, 0].tolist() == [quirky, -1]
    zero = tv.matrix.copy()  # the tone "quirky" weighted 0: stored, but no pull
    zero.data[zero.indices == quirky] = 0
    tv_zero = dataclasses.replace(tv, matrix=zero)
    d = drivers(np.array([[2]], np.int32), profiles, weights, codes, tv_zero)
    assert d.adjectives[0, 0].tolist() == [-1, -1]


def test_reasons_are_worded_by_the_phrases_and_labels_given() -> None:
    french = Phrases(
        rated="{desc} — comme {title}, que vous avez noté {stars}★",
        microgenre="{noun} ({adjectives})",
        genre_row="Sélection : {noun}",
        because="Parce que vous avez regardé {title}",
        plural=str,
    )
    labels = {1: "Comédie", 2: "Irrévérencieux", 3: "Décalé", 4: "TV"}
    renderer = Renderer(labels, {7: "Fargo"}, french)
    assert (
        renderer.reason(1, 2, 3, 7, 9)
        == "Comédie (irrévérencieux, décalé) — comme Fargo, que vous avez noté 4.5★"
    )
    assert renderer.row_name(ROW_MICRO, 1, 2, 0) == "Comédie (irrévérencieux)"
    assert renderer.row_name(ROW_GENRE, 1, 0, 0) == "Sélection : Comédie"
    assert renderer.row_name(ROW_BECAUSE, 0, 0, 7) == "Parce que vous avez regardé Fargo"
    # Unknown codes (a deleted tag or title) are left out; an acronym keeps its capitals.
    assert renderer.row_name(ROW_BECAUSE, 0, 0, 8) == ""
    assert renderer.reason(1, 99, 0, 8, 9).startswith("Comédie — ")
    assert Renderer(labels, {}).describe(4, 2, 0) == "Irrévérencieux TV"


def test_rows_are_named_from_tags_and_never_repeat_a_title() -> None:
    dims = [GENRE, TONE]
    values = [{"genre": ["comedy"], "tone": ["irreverent"]}] * 16 + [
        {"genre": ["drama"], "tone": ["dark"]}
    ] * 6
    tv = build_title_vectors(values, dims)
    events = inter([0, 0], [0, 16], [RATED, RATED], [5.0, 4.0], [0, 0])
    weights = weight_matrix(events, 1, len(values))
    profiles = build_profiles(weights, tv.matrix)
    idx = np.array([[*range(1, 16), *range(17, 22)]], np.int32)
    codes = anchor_code_matrix(
        events.subscriber, events.title, events.event, events.rating, weights.shape
    )
    d = drivers(idx, profiles, weights, codes, tv)
    explainer = Explainer(tv)
    title_ids = np.append(np.arange(100, 100 + len(values)), 0)
    rows = rows_of(
        explainer.tag_codes(d.noun[0]).tolist(),
        explainer.tag_codes(d.adjectives[0, :, 0]).tolist(),
        title_ids[d.anchor[0]].tolist(),
    )
    assert rows[0] == (ROW_TOP, 0, 0, 0, list(range(10)))
    positions = [p for row in rows for p in row[4]]
    assert len(positions) == len(set(positions))
    labels = {i + 1: f.label for i, f in enumerate(tv.space.features)}
    renderer = Renderer(labels, {100: "T0", 116: "T16"})
    names = [renderer.row_name(k, g, a, h) for k, g, a, h, _ in rows]
    assert names[0] == "Top picks for you"
    assert len(set(names)) == len(names)
    assert {"Irreverent comedies", "Dark dramas"} & set(names)


def test_english_plural() -> None:
    assert [
        english_plural(w) for w in ("Comedy", "Thriller", "Western", "Musical", "Documentary")
    ] == ["Comedies", "Thrillers", "Westerns", "Musicals", "Documentaries"]


def test_threshold_top_k_equals_a_full_partition() -> None:
    from recommendations.engine.scoring import _top_by_partition

    rng = np.random.default_rng(7)
    scores = rng.random((64, 3000)).astype(np.float32)
    scores[rng.random(scores.shape) < 0.3] = -np.inf  # exclusions
    scores[5, :] = -np.inf  # nothing allowed
    scores[6, :2990] = -np.inf  # fewer allowed than asked
    scores[7, :] = 0.5  # ties everywhere
    idx, vals = top_candidates_t(np.ascontiguousarray(scores.T), 150)
    ref_idx, ref_vals = _top_by_partition(scores, 150)
    np.testing.assert_array_equal(vals, ref_vals)
    finite = np.isfinite(ref_vals)
    rows = [r for r in range(64) if r != 7]
    for r in rows:
        assert set(idx[r][finite[r]].tolist()) == set(ref_idx[r][finite[r]].tolist())


def test_threshold_top_k_keys_order_signed_scores_and_ties_by_index(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sort keys rank negative, zero (either sign) and positive scores, ties by title
    index, as a full stable sort does; so do the halves a too-wide block is split into."""
    from recommendations.engine import scoring

    rng = np.random.default_rng(3)
    scores = rng.choice(np.float32([-2.5, -1.0, -0.0, 0.0, 0.25, 1.0, 3.0]), (40, 4000))
    scores += rng.normal(0, 0.01, scores.shape).astype(np.float32) * (
        rng.random(scores.shape) < 0.5
    )
    scores = scores.astype(np.float32)
    order = np.lexsort((np.broadcast_to(np.arange(4000), scores.shape), -(scores + 0.0)), axis=1)
    ref_idx = order[:, :200]
    ref_vals = np.take_along_axis(scores, ref_idx, axis=1) + np.float32(0.0)
    for groups in (scoring.RADIX_GROUPS, 16):  # 16: fewer than the 40 subscribers: it halves
        monkeypatch.setattr(scoring, "RADIX_GROUPS", groups)
        idx, vals = top_candidates_t(np.ascontiguousarray(scores.T), 200)
        np.testing.assert_array_equal(idx, ref_idx)
        np.testing.assert_array_equal(vals, ref_vals)


def test_ranked_order_is_a_stable_sort_by_group_then_value_descending() -> None:
    from recommendations.engine.keys import ranked_order

    rng = np.random.default_rng(5)
    values = rng.choice(
        np.float32([-np.inf, -3.0, -1e-30, -0.0, 0.0, 1e-30, 0.5, 2.0, np.inf]), 20_000
    )
    drawn = rng.random(values.size) < 0.5
    values[drawn] = rng.normal(0, 100, int(drawn.sum())).astype(np.float32)
    groups = rng.integers(0, 2**16, values.size)
    groups[:3000] = 7  # a large group, full of ties
    expected = np.lexsort((np.arange(values.size), -(values + np.float32(0.0)), groups))
    np.testing.assert_array_equal(ranked_order(groups, values), expected)


def test_limits_inside_the_title_major_top_k_equal_masking_every_title_first() -> None:
    """Limited subscribers' thresholds and kept entries are checked pair by pair; the result
    is the one of setting every banned title to -inf and taking the top-k of each row."""
    from recommendations.engine.scoring import top_within_limits_t

    rng = np.random.default_rng(11)
    n_titles, b, n = 4000, 96, 200
    scores_t = rng.random((n_titles, b)).astype(np.float32)
    scores_t[rng.random(scores_t.shape) < 0.01] = -np.inf  # seen titles
    scores_t[:, 3] = 0.5  # ties everywhere, with a limit below
    maturity = rng.integers(0, 6, (n_titles, 3)).astype(np.int8)
    maturity[rng.random(maturity.shape) < 0.05] = UNKNOWN_LEVEL
    limits = np.full((b, 3), NO_LIMIT, np.int8)
    limited = rng.random(b) < 0.4
    limits[limited] = rng.integers(0, 5, (int(limited.sum()), 3))
    limits[3] = (1, NO_LIMIT, NO_LIMIT)
    limits[4] = (0, 0, 0)  # bans nearly everything: fewer allowed than asked
    limits[5, 0] = NO_LIMIT  # limited on the other dimensions only
    idx, vals = top_within_limits_t(scores_t, limits, maturity, n)

    rows = np.ascontiguousarray(scores_t.T)
    level = maturity[None, :, :]
    lim = limits[:, None, :]
    banned = ((lim < NO_LIMIT) & ((level > lim) | (level == UNKNOWN_LEVEL))).any(axis=2)
    rows[banned] = -np.inf
    # The definition: every title sorted by score (descending), ties by title index.
    order = np.lexsort((np.broadcast_to(np.arange(n_titles), rows.shape), -rows), axis=1)[:, :n]
    ref_idx, ref_vals = order, np.take_along_axis(rows, order, axis=1)
    np.testing.assert_array_equal(vals, ref_vals)
    np.testing.assert_array_equal(idx[np.isfinite(vals)], ref_idx[np.isfinite(ref_vals)])
    assert not banned[np.arange(b)[:, None], idx][np.isfinite(vals)].any()
    assert np.isfinite(vals[4]).sum() < n  # fewer allowed than asked: -inf places follow
    assert all(len(set(row.tolist())) == n for row in idx)  # no title twice in a row


def test_limited_columns_rank_the_same_beyond_the_radix_groups(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where there are more limited columns than ``ranked_order`` groups, a lexsort gives the
    same order."""
    from recommendations.engine import scoring

    rng = np.random.default_rng(12)
    scores_t = rng.random((3000, 40)).astype(np.float32)
    scores_t[rng.random(scores_t.shape) < 0.02] = -np.inf
    scores_t[:, 7] = 0.25  # ties
    maturity = rng.integers(0, 6, (3000, 2)).astype(np.int8)
    limits = rng.integers(0, 5, (40, 2)).astype(np.int8)
    limits[0] = (0, 0)  # fewer allowed than asked
    cols = np.arange(40)
    keyed = scoring._top_allowed_t(scores_t, cols, limits, maturity, 120)
    monkeypatch.setattr(scoring, "RADIX_GROUPS", 16)  # fewer than the 40 columns: lexsort
    sorted_ = scoring._top_allowed_t(scores_t, cols, limits, maturity, 120)
    np.testing.assert_array_equal(keyed[0], sorted_[0])
    np.testing.assert_array_equal(keyed[1], sorted_[1])
    assert np.isfinite(keyed[1][0]).sum() < 120


@pytest.mark.parametrize("dims", [3, 8, 9])
def test_limit_patterns_equal_unique_rows(dims: int) -> None:
    from recommendations.engine.scoring import _limit_patterns

    limits = np.random.default_rng(dims).integers(-1, 4, (500, dims)).astype(np.int8)
    patterns, which = _limit_patterns(limits)
    assert len({row.tobytes() for row in patterns}) == len(patterns)
    np.testing.assert_array_equal(patterns[which], limits)
    want, _ = np.unique(limits, axis=0, return_inverse=True)
    assert len(patterns) == len(want)


def test_rows_take_leftovers_of_a_full_microgenre_into_because_rows() -> None:
    n = 30
    genres, adjs, anchors = [9] * n, [0] * n, [0] * n
    for i in range(10, 25):  # 15 alike: a row of ROW_MAX, 5 left over
        genres[i], adjs[i] = 1, 2
    for i in range(20, 25):
        anchors[i] = 7
    for i in (25, 26, 27):
        genres[i] = 3
    genres[28] = genres[29] = 4  # two alike: too few for a row
    assert rows_of(genres, adjs, anchors) == [
        (ROW_TOP, 0, 0, 0, list(range(10))),
        (ROW_MICRO, 1, 2, 0, list(range(10, 20))),
        (ROW_GENRE, 3, 0, 0, [25, 26, 27]),
        (ROW_BECAUSE, 0, 0, 7, list(range(20, 25))),
    ]
    assert rows_of([], [], []) == []


def test_a_packed_block_reads_back_each_lists_rows_derived_from_its_codes() -> None:
    """The engine stores no rows: a list read back derives them from its codes — micro and
    genre rows, leftovers into "because" rows, the row cap, short and empty lists, negative
    (dimension) codes."""
    rng = np.random.default_rng(7)
    for _ in range(20):
        b, k = 30, 50
        genres = rng.integers(-2, int(rng.integers(1, 6)), (b, k))
        genres[rng.random((b, k)) < 0.1] = 0
        adjs = rng.integers(-1, int(rng.integers(1, 5)), (b, k))
        adjs[rng.random((b, k)) < 0.3] = 0
        anchors = rng.integers(0, int(rng.integers(1, 6)), (b, k)) * 1000
        lengths = rng.integers(0, k + 1, b)
        lengths[:3] = [0, 5, k]
        zeros = np.zeros((b, k), np.int64)
        packed = pack_block(
            [zeros, zeros, genres, adjs, zeros, anchors], zeros.astype(np.uint8), lengths
        )
        for i, n in enumerate(lengths.tolist()):
            got = unpack(packed[i].tobytes())
            assert (got.g, got.a, got.h) == (
                genres[i, :n].tolist(),
                adjs[i, :n].tolist(),
                anchors[i, :n].tolist(),
            )
            assert got.stored_rows is None
            assert got.rows == rows_of(got.g, got.a, got.h)


def test_genre_caps_counted_on_the_crowded_genres_only_give_the_dense_count() -> None:
    """Counting only the genres some list holds past the cap picks the same titles as running
    counts over every genre (the definition), invalid candidates and title-less genres too."""
    rng = np.random.default_rng(11)
    n_titles, n_genres, k = 400, 12, 20
    groups = np.zeros((n_titles, n_genres), bool)
    for _ in range(3):
        groups[np.arange(n_titles), (rng.zipf(1.6, n_titles) - 1) % n_genres] = True
    groups[rng.random(n_titles) < 0.1] = False
    cap = math.ceil(0.4 * k)
    for _ in range(20):
        idx = rng.integers(0, n_titles, (25, 60)).astype(np.int32)
        scores = -np.sort(-rng.random((25, 60)).astype(np.float32), axis=1)
        scores[rng.random((25, 60)) < 0.05] = -np.inf
        valid = np.isfinite(scores)
        g = groups[idx] & valid[:, :, None]
        over = (g & (np.cumsum(g, axis=1) > cap)).any(axis=2)
        _, _, within = diversify_counted(idx, scores, groups, k)
        assert within.tolist() == (valid & ~over).sum(axis=1).tolist()
        tier = np.where(valid & ~over, 0, np.where(valid, 1, 2))
        order = np.argsort(tier * 60 + np.arange(60), axis=1, kind="stable")[:, :k]
        expected = np.where(
            np.take_along_axis(valid, order, axis=1), np.take_along_axis(idx, order, axis=1), -1
        )
        picked, _ = diversify(idx, scores, groups, k)
        assert [sorted(row) for row in picked.tolist()] == [
            sorted(row) for row in expected.tolist()
        ]


@pytest.mark.parametrize("radix_groups", [1 << 16, 16])  # 16: fewer than the rows: lexsort
def test_positive_titles_ranked_as_by_a_lexsort(
    radix_groups: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Row, then weight descending (ties, -0.0 and 0.0 alike), then title: ``_rank_order``
    gives ``np.lexsort``'s order for entries in (row, title) order, as a sorted CSR holds them."""
    from recommendations.engine import explain

    monkeypatch.setattr(explain, "RADIX_GROUPS", radix_groups)
    rng = np.random.default_rng(7)
    rows = rng.integers(0, 300, 5000)
    cols = rng.integers(0, 10_000, 5000)
    by_row_and_title = np.lexsort((cols, rows))
    rows, cols = rows[by_row_and_title], cols[by_row_and_title]
    vals = (np.round(rng.normal(size=5000) * 4) / 4).astype(np.float32)
    vals[rng.random(5000) < 0.05] = np.float32(-0.0)
    assert explain._rank_order(rows, vals, cols, 300).tolist() == (
        np.lexsort((cols, -vals, rows)).tolist()
    )


@pytest.mark.parametrize(("k", "looked_up"), [(1, True), (2, True), (7, False)])
def test_feature_anchors_are_each_rows_most_positive_title_with_the_feature(
    k: int, looked_up: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Highest weight first, ties to the lower title; only positive weights; -1 where no
    ranked title has the feature or none is wanted — both when each wanted feature is looked
    up (fewer a row than a title has, ~2.4 here) and when each row's features are ranked."""
    import scipy.sparse as sp

    from recommendations.engine import explain
    from recommendations.engine.explain import feature_anchors

    calls: list[int] = []
    lookup = explain._anchors_looked_up
    monkeypatch.setattr(explain, "_anchors_looked_up", lambda *a: calls.append(1) or lookup(*a))
    rng = np.random.default_rng(5 + k)
    n_rows, n_titles, n_features = 40, 60, 12
    dense = np.round(rng.normal(size=(n_rows, n_titles)) * 2) / 2  # ties and negatives
    dense[rng.random(dense.shape) < 0.7] = 0
    weights = sp.csr_matrix(dense.astype(np.float32))
    presence = sp.csr_matrix(rng.random((n_titles, n_features)) < 0.2)
    features = rng.integers(-1, n_features, (n_rows, k))
    got = feature_anchors(weights, features, presence)
    has = presence.toarray()
    for u in range(n_rows):
        ranked = sorted(
            (t for t in range(n_titles) if dense[u, t] > 0), key=lambda t: (-dense[u, t], t)
        )
        for j, f in enumerate(features[u]):
            want = next((t for t in ranked if f >= 0 and has[t, f]), -1)
            assert got[u, j] == want
    assert bool(calls) == looked_up


def test_title_major_add_equals_np_add_at(monkeypatch: pytest.MonkeyPatch) -> None:
    """scipy's C loop and the ``np.add.at`` stand-in add the same floats to the same cells."""
    import scipy.sparse as sp

    from recommendations.engine import scoring

    rng = np.random.default_rng(5)
    additions = sp.random(40, 300, density=0.1, format="csr", dtype=np.float32, random_state=rng)
    base = rng.random((300, 40)).astype(np.float32)
    fast = base.copy()
    scoring.add_title_major(fast, additions.tocsc())
    monkeypatch.setattr(scoring._sparsetools, "csr_todense", None, raising=False)
    slow = base.copy()
    scoring.add_title_major(slow, additions.tocsc())
    np.testing.assert_array_equal(fast, slow)
    np.testing.assert_array_equal(fast, base + additions.toarray().T)


def test_sparse_product_gives_the_arrays_of_the_operator() -> None:
    """The numeric pass alone gives the same CSR arrays as ``@``; other dtypes use ``@``."""
    import scipy.sparse as sp

    from recommendations.engine.scoring import sparse_product

    rng = np.random.default_rng(9)
    a = sp.random(60, 500, density=0.05, format="csr", dtype=np.float32, random_state=rng)
    b = sp.random(500, 500, density=0.1, format="csr", dtype=np.float32, random_state=rng)
    a.data -= 0.5  # signed weights: some sums cancel
    for left in (a, a.astype(np.float64), sp.csr_matrix(a.shape, dtype=np.float32)):
        got, want = sparse_product(left, b), (left @ b).tocsr()
        np.testing.assert_array_equal(got.indptr, want.indptr)
        np.testing.assert_array_equal(got.indices, want.indices)
        np.testing.assert_array_equal(got.data, want.data)
