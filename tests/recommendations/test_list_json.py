"""The stored items' text from token tables is the JSON of the stored shape."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import numpy as np

from recommendations.engine.explain import SCORE_SCALE, Drivers, Explainer
from recommendations.engine.list_json import (
    ITEM_KEYS,
    items_json,
    number_tokens,
    token_places,
    token_table,
)
from recommendations.engine.scoring import BlockResult
from recommendations.engine.vectors import MULTI, DimensionSpec, TagSpec, build_title_vectors
from recommendations.services.state import ComputedBlock, lists_serialize


def test_items_json_equals_the_json_encoders_text_for_any_lengths() -> None:
    rng = np.random.default_rng(3)
    b, k = 40, 6
    lengths = rng.integers(0, k + 1, b)
    lengths[:2] = [0, k]
    values = [rng.integers(-300_000, 300_000, (b, k)) for _ in ITEM_KEYS]
    places = token_places(lengths, k)
    texts = items_json([number_tokens(v, places) for v in values])
    for i, n in enumerate(lengths.tolist()):
        want = {key: v[i, :n].tolist() for key, v in zip(ITEM_KEYS, values, strict=True)}
        assert texts[i] == json.dumps(want, separators=(",", ":"))


def test_a_token_table_indexes_like_its_texts() -> None:
    table = token_table(["7", "12"])
    assert table.tolist() == [["7,", "12,"], ["7", "12"], ["", ""]]


def test_lists_serialize_writes_the_stored_shape_of_each_list() -> None:
    genres = [f"g{i}" for i in range(5)]
    dims = [DimensionSpec("genre", MULTI, "Genre", tags=tuple(TagSpec(g, g) for g in genres))]
    titles = build_title_vectors([{"genre": [genres[i % 5]]} for i in range(8)], dims)
    explainer = Explainer(titles, tag_ids=np.array([101, 102, 103, 104, 105]))
    state: Any = SimpleNamespace(
        title_ids=np.arange(11, 19, dtype=np.int64), subscriber_ids=np.array([5, 6, 7])
    )
    idx = np.array([[3, 0, 7], [5, -1, -1], [-1, -1, -1]], np.int32)
    scores = np.where(idx >= 0, np.float32(0.123456), -np.inf).astype(np.float32)
    noun = np.where(idx >= 0, idx % 5, -1).astype(np.int32)
    adjectives = np.stack([noun, np.full_like(noun, -1)], axis=2)
    anchor = np.array([[1, -1, 2], [4, -1, -1], [-1, -1, -1]], np.int32)
    code = np.where(anchor >= 0, 4.5, 0).astype(np.float32)
    block = ComputedBlock(
        np.arange(3),
        BlockResult(idx, scores, np.ones(3, np.float32)),
        Drivers(noun, adjectives, anchor, code),
    )
    entries = lists_serialize(state, block, explainer)
    assert [sid for sid, _, _ in entries] == [5, 6, 7]
    ids, tag = np.append(state.title_ids, 0), np.array([101, 102, 103, 104, 105, 0])
    for i, (_, items, _) in enumerate(entries):
        n = int((idx[i] >= 0).sum())
        want = {
            "t": ids[idx[i, :n]].tolist(),
            "s": [round(0.123456 * SCORE_SCALE)] * n,
            "g": tag[noun[i, :n]].tolist(),
            "a": tag[adjectives[i, :n, 0]].tolist(),
            "b": [0] * n,
            "h": ids[anchor[i, :n]].tolist(),
            "c": [9 if a >= 0 else 0 for a in anchor[i, :n].tolist()],
        }
        assert json.loads(items) == want
        assert items == json.dumps(want, separators=(",", ":"))
