"""Lists packed for storage read back as the values they were packed from."""

from __future__ import annotations

import struct
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from recommendations.engine.explain import SCORE_SCALE, Drivers, Explainer
from recommendations.engine.packed import (
    KINDS,
    WIDE_CODES,
    WIDE_SCORES,
    layout,
    pack_one,
    record_size,
    unpack,
)
from recommendations.engine.rows import rows_of
from recommendations.engine.scoring import BlockResult
from recommendations.engine.vectors import MULTI, DimensionSpec, TagSpec, build_title_vectors
from recommendations.services.state import ComputedBlock, lists_serialize
from recommendations.services.store import copy_binary


def _block() -> tuple[Any, ComputedBlock, Explainer, np.ndarray]:
    genres = [f"g{i}" for i in range(5)]
    dims = [DimensionSpec("genre", MULTI, "Genre", tags=tuple(TagSpec(g, g) for g in genres))]
    titles = build_title_vectors([{"genre": [genres[i % 5]]} for i in range(8)], dims)
    explainer = Explainer(titles, tag_ids=np.array([101, 102, 103, -104, 105]))
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
    return state, block, explainer, idx


def test_lists_serialize_packs_the_codes_of_each_list() -> None:
    state, block, explainer, idx = _block()
    d = block.drivers
    packed = lists_serialize(state, block, explainer)
    assert [sid for sid, _ in packed] == [5, 6, 7]
    assert len({len(data) for _, data in packed}) == 1  # one record size for the block
    ids, tag = np.append(state.title_ids, 0), np.array([101, 102, 103, -104, 105, 0])
    for i, (_, data) in enumerate(packed):
        n = int((idx[i] >= 0).sum())
        values = unpack(data)
        assert values.t == ids[idx[i, :n]].tolist()
        assert values.s == [round(0.123456 * SCORE_SCALE)] * n
        assert values.g == tag[d.noun[i, :n]].tolist()
        assert values.a == tag[d.adjectives[i, :n, 0]].tolist()
        assert values.b == [0] * n
        assert values.h == ids[d.anchor[i, :n]].tolist()
        assert values.c == [9 if a >= 0 else 0 for a in d.anchor[i, :n].tolist()]
        assert values.rows == rows_of(values.g, values.a, values.h)
    assert unpack(packed[2][1]).t == []
    assert packed[1:][0] == packed[1]


def test_a_50_item_list_stays_under_the_toast_threshold() -> None:
    assert layout(50, 0, 0, anchors=14).itemsize == 768  # the engine's: rows derived when read
    assert layout(50, 8, 50, anchors=14).itemsize == 874  # rows stored
    widest = layout(50, 8, 50, anchors=50, flags=WIDE_CODES | WIDE_SCORES)
    assert widest.itemsize < 2000
    for flags in range(4):
        for k, r, m, a in ((50, 8, 50, 14), (0, 0, 0, 1), (3, 2, 7, 5)):
            assert record_size(k, r, m, a, flags) == layout(k, r, m, a, flags).itemsize


def test_wide_scores_and_codes_and_shared_anchors_read_back() -> None:
    """Scores out of order or dropping past uint16 are stored whole, codes past int16 as
    int32; items and rows naming one anchor share its table entry."""
    cases = [
        ([9000, 8000, 7000], [101, -104, 0]),  # narrow
        ([7000, 8000, 9000], [101, -104, 0]),  # rising: whole scores
        ([90000, 1000, -5], [101, -104, 0]),  # a drop past uint16: whole scores
        ([9000, 8000, 7000], [40000, -104, 0]),  # a code past int16
        ([-(2**31) + 1, -(2**31) + 1, -(2**31) + 1], [2**31 - 1, 0, 0]),
    ]
    for scores, genres in cases:
        data = pack_one(
            [[5, 6, 7], scores, genres, [0, 3, 0], [0, 0, -9], [8, 0, 8]],
            [10, 0, 20],
            [[KINDS.index("because"), 0, 0, 8, 0, 2], [KINDS.index("genre"), 101, 0, 9, 1]],
        )
        values = unpack(data)
        assert (values.t, values.s, values.g, values.a, values.b) == (
            [5, 6, 7],
            scores,
            genres,
            [0, 3, 0],
            [0, 0, -9],
        )
        assert (values.h, values.c) == ([8, 0, 8], [10, 0, 20])
        assert values.rows == [("because", 0, 0, 8, [0, 2]), ("genre", 101, 0, 9, [1])]


def test_format_1_lists_still_read() -> None:
    k, r, m = 2, 1, 2
    head = struct.pack("<6i", 1, 2, k, 1, r, m)
    ints = struct.pack(f"<{6 * k + 3 * r}i", 5, 6, 9000, 8000, 1, 2, 3, 0, 0, 0, 8, 0, 101, 0, 8)
    tail = bytes([10, 0, KINDS.index("because"), 2, 0, 1])
    values = unpack(head + ints + tail)
    assert (values.t, values.s, values.g, values.h, values.c) == (
        [5, 6],
        [9000, 8000],
        [1, 2],
        [8, 0],
        [10, 0],
    )
    assert values.rows == [("because", 101, 0, 8, [0, 1])]


def test_pack_one_reads_back_with_rows_naming_any_positions() -> None:
    data = pack_one(
        [[5, 6, 7], [9000, 8000, 7000], [1, 2, 3], [4, 0, 0], [0, 0, 0], [8, 0, 9]],
        [10, 0, 20],
        [[KINDS.index("top"), 0, 0, 0, 0, 1], [KINDS.index("because"), 0, 0, 8, 1, 2]],
    )
    values = unpack(data)
    assert (values.t, values.s, values.g, values.c) == (
        [5, 6, 7],
        [9000, 8000, 7000],
        [1, 2, 3],
        [10, 0, 20],
    )
    assert values.rows == [("top", 0, 0, 0, [0, 1]), ("because", 0, 0, 8, [1, 2])]


def test_malformed_or_empty_bytes_read_as_an_empty_list() -> None:
    good = pack_one([[5], [1], [0], [0], [0], [0]], [0], [])
    for data in (b"", None, good[:-1], good + b"\0", b"\3" + good[1:]):
        assert unpack(data).t == []
    assert unpack(memoryview(good)).t == [5]


def test_copy_stream_of_a_block_equals_the_stream_of_its_entries() -> None:
    state, block, explainer, _ = _block()
    packed = lists_serialize(state, block, explainer)
    stream = copy_binary(packed)
    assert stream == copy_binary(list(packed))
    assert stream.startswith(b"PGCOPY\n\xff\r\n\x00")
    assert stream.endswith(b"\xff\xff")
    fields, id_length, sid, length = struct.unpack_from("!hiqi", stream, 19)
    assert (fields, id_length, sid, length) == (2, 8, 5, len(packed[0][1]))


def test_a_value_past_int32_is_refused_rather_than_wrapped() -> None:
    state, block, explainer, _ = _block()
    state.title_ids = state.title_ids + 2**31
    with pytest.raises(ValueError, match="int32"):
        lists_serialize(state, block, explainer)
