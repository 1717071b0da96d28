"""A stored list packed as fixed-width little-endian arrays (``RecommendationList.packed``).

A block of lists is packed at once into one numpy record per list, every record of the block
the same size (its lists padded to the same slots), so no number is formatted and the block's
bytes are one ``tobytes()``. Layout (format 2), in this order::

    head     uint8[8]   format (2), items n, item slots k, rows, row slots R, member
                        slots M, anchor slots A, flags
    title    int32[k]   title ids in rank order
    scores   int32 + uint16[k]  the first score x 10 000, then each item's drop from the
                        previous one (scores are in descending order); int32[k] when they are
                        not, or a drop is past uint16 (flag 2)
    codes    int16[3,k] genre, adjective, adjective tag codes; int32 when one is past int16
                        (flag 1)
    anchor   uint8[k]   the anchor's place in the anchor table + 1 (0: none)
    code     uint8[k]   the anchor's code (rating in half stars 1..10, 20 liked, 22 watched)
    anchors  int32[A]   each list's distinct anchor title ids
    rows     codes[2,R] genre, adjective codes; uint8[R] anchor place + 1; uint8[R] kind;
                        uint8[R] member count (only with flag 4, rows stored)
    members  uint8[M]   the rows' item positions, row after row (flag 4)

Only the first n items, ``rows`` rows and each list's own anchors count. The engine stores no
rows: they follow from the items' codes and are derived when read (``rows``); lists written
with explicit rows (``pack_one``: tests, data migrations) keep them. A 50-item list with 14
anchors is 768 bytes (format 1, every number int32, the anchor per item and rows stored, was
1,436): PostgreSQL fits five rows instead of three in a page filled to the table's fillfactor,
and 32k upserts into a 100k-row table take 0.59–0.64 s instead of 1.0–1.2 s. Format 1 lists still read.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, overload

import numpy as np

from .rows import KINDS, Row, rows_of

FORMAT = 2
#: Positions, counts and anchor places are stored as uint8.
MAX_SLOTS = 255
INT32_MAX = 2**31 - 1
INT16_MAX = 2**15 - 1
DROP_MAX = 2**16 - 1
#: ``head[7]`` bits.
WIDE_CODES = 1
WIDE_SCORES = 2
ROWS_STORED = 4
_HEAD = struct.Struct("<8B")
_V1_HEAD = struct.Struct("<6i")


def layout(k: int, rows: int, members: int, anchors: int = 0, flags: int = 0) -> np.dtype:
    """The record of one packed list with ``k`` item, ``rows`` row, ``members`` member and
    ``anchors`` anchor slots, code and score widths by ``flags``."""
    if max(k, rows, members, anchors) > MAX_SLOTS:
        raise ValueError(f"a packed list holds at most {MAX_SLOTS} items, rows or members")
    code = "<i4" if flags & WIDE_CODES else "<i2"
    scores: list[Any] = (
        [("score", "<i4", (k,))] if flags & WIDE_SCORES else [("top", "<i4"), ("drop", "<u2", (k,))]
    )
    return np.dtype(
        [
            ("head", "u1", (8,)),
            ("title", "<i4", (k,)),
            *scores,
            ("codes", code, (3, k)),
            ("anchor", "u1", (k,)),
            ("code", "u1", (k,)),
            ("anchors", "<i4", (anchors,)),
            ("row_codes", code, (2, rows)),
            ("row_anchor", "u1", (rows,)),
            ("kind", "u1", (rows,)),
            ("count", "u1", (rows,)),
            ("members", "u1", (members,)),
        ]
    )


def record_size(k: int, rows: int, members: int, anchors: int, flags: int) -> int:
    """``layout(...).itemsize`` by arithmetic (no dtype built for a read)."""
    code = 4 if flags & WIDE_CODES else 2
    scores = 4 * k if flags & WIDE_SCORES else 4 + 2 * k
    return 8 + 4 * k + scores + (3 * code + 2) * k + 4 * anchors + (2 * code + 3) * rows + members


@dataclass(frozen=True)
class PackedLists(Sequence[tuple[int, bytes]]):
    """A block of packed lists: ``subscriber_ids`` (b,) int64 and ``data`` (b,) records of one
    ``layout``. Reads as a sequence of ``(subscriber_id, bytes)``."""

    subscriber_ids: np.ndarray
    data: np.ndarray

    def __len__(self) -> int:
        return int(self.subscriber_ids.shape[0])

    @overload
    def __getitem__(self, i: int) -> tuple[int, bytes]: ...
    @overload
    def __getitem__(self, i: slice) -> PackedLists: ...
    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return PackedLists(self.subscriber_ids[i], self.data[i])
        return int(self.subscriber_ids[i]), self.data[i].tobytes()

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        blob, width = self.data.tobytes(), self.data.dtype.itemsize
        for i, sid in enumerate(self.subscriber_ids.tolist()):
            yield sid, blob[i * width : (i + 1) * width]


def _int32(values: np.ndarray) -> np.ndarray:
    """``values`` unchanged when they fit the stored int32 (an assignment would wrap them)."""
    if values.size and (values.max() > INT32_MAX or values.min() < -INT32_MAX):
        raise ValueError("a packed list's ids, scores and codes are int32")
    return values


def _fits(values: np.ndarray, low: int, high: int) -> bool:
    return not values.size or (int(values.min()) >= low and int(values.max()) <= high)


def _anchor_table(anchors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each list's distinct anchors: ``anchors`` (b, w) title ids (0: none) -> (b, w) their
    places in the list's table + 1 (0 for none) and the (b, A) table, A = the most any list
    has (at least 1)."""
    b, w = anchors.shape
    # Sorted (id, column) keys: the ids in order, each mention's column carried along.
    col_bits = max(1, (w - 1).bit_length())
    keys = np.sort(anchors << col_bits | np.arange(w), axis=1)
    ids, order = keys >> col_bits, keys & ((1 << col_bits) - 1)
    new = ids != 0
    new[:, 1:] &= ids[:, 1:] != ids[:, :-1]  # the first of each run of one id
    rank = np.cumsum(new, axis=1, dtype=np.int32)  # place + 1 of each sorted entry's id
    places = np.zeros((b, w), np.int64)
    flat = (np.arange(b)[:, None] * w + order).ravel()
    places.reshape(-1)[flat] = np.where(ids != 0, rank, 0).ravel()
    table = np.zeros((b, max(int(rank[:, -1].max(initial=0)) if w else 0, 1)), np.int64)
    rows, cols = np.nonzero(new)
    table[rows, rank[rows, cols] - 1] = ids[rows, cols]
    return places, table


def _pack(
    items: Sequence[np.ndarray],
    code: np.ndarray,
    lengths: np.ndarray,
    row_kind: np.ndarray,
    row_codes: np.ndarray,
    n_rows: np.ndarray,
    members: np.ndarray,
    counts: np.ndarray,
    *,
    rows_stored: bool = False,
) -> np.ndarray:
    b, k = code.shape
    r, m = row_kind.shape[1], members.shape[1]
    title, score, genre, adj, adj2, anchor = (np.asarray(c, np.int64) for c in items)
    _int32(title)
    _int32(score)
    _int32(anchor)
    valid = np.arange(k)[None, :] < lengths[:, None]
    # Drops from each score to the next (the first item's from itself): all valid items'
    # drops in 0..DROP_MAX, else every score is stored whole.
    drop = np.zeros((b, k), np.int64)
    if k:
        drop[:, 1:] = score[:, :-1] - score[:, 1:]
    drop = np.where(valid, drop, 0)
    flags = (0 if _fits(drop, 0, DROP_MAX) else WIDE_SCORES) | (ROWS_STORED if rows_stored else 0)
    codes = np.stack([genre, adj, adj2], axis=1)  # (b, 3, k)
    row_tags = row_codes[:, :, :2].transpose(0, 2, 1)  # (b, 2, R)
    if not (
        _fits(_int32(codes), -INT16_MAX, INT16_MAX)
        and _fits(_int32(row_tags), -INT16_MAX, INT16_MAX)
    ):
        flags |= WIDE_CODES
    mentions = np.concatenate([np.where(valid, anchor, 0), row_codes[:, :, 2]], axis=1)
    places, table = _anchor_table(_int32(mentions))
    a = table.shape[1]
    out = np.zeros(b, layout(k, r, m, a, flags))
    out["head"] = np.stack(
        [
            np.full(b, FORMAT),
            lengths,
            np.full(b, k),
            n_rows,
            np.full(b, r),
            np.full(b, m),
            np.full(b, a),
            np.full(b, flags),
        ],
        axis=1,
    )
    out["title"] = title
    if flags & WIDE_SCORES:
        out["score"] = score
    else:
        out["top"] = score[:, 0] if k else 0
        out["drop"] = drop
    out["codes"] = codes
    out["anchor"] = places[:, :k]
    out["code"] = code
    out["anchors"] = table
    out["row_codes"] = row_tags
    out["row_anchor"] = places[:, k:]
    out["kind"] = row_kind
    out["count"] = counts
    out["members"] = members
    return out


def pack_block(items: Sequence[np.ndarray], code: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(b,) records: ``items`` six (b, k) int64 columns (title, score, genre, adjective,
    adjective, anchor) and ``code`` (b, k), of which the first ``lengths`` (b,) count. No rows:
    readers derive them from the codes."""
    b = code.shape[0]
    none = np.zeros((b, 0), np.int64)
    return _pack(
        items, code, lengths, none, none.reshape(b, 0, 3), np.zeros(b, np.int64), none, none
    )


def pack_one(
    items: Sequence[Sequence[int]],
    code: Sequence[int],
    rows: Sequence[Sequence[int]] | None = None,
) -> bytes:
    """One list from plain values: six item columns and the anchor codes, and rows stored as
    given, each ``(kind index, genre, adjective, anchor)`` followed by its positions (a row may
    name any positions; used by data migrations and tests); None stores none (derived when
    read, as for the engine's lists)."""
    n = len(code)
    stored = rows is not None
    rows = rows or []
    members = [p for row in rows for p in row[4:]]
    columns = np.asarray(items, np.int64).reshape(6, 1, n)
    row_codes = np.asarray([row[1:4] for row in rows], np.int64).reshape(1, len(rows), 3)
    out = _pack(
        list(columns),
        np.asarray(code, np.uint8).reshape(1, n),
        np.array([n]),
        np.asarray([row[0] for row in rows], np.uint8).reshape(1, len(rows)),
        row_codes,
        np.array([len(rows)]),
        np.asarray(members, np.uint8).reshape(1, len(members)),
        np.asarray([len(row) - 4 for row in rows], np.uint8).reshape(1, len(rows)),
        rows_stored=stored,
    )
    return out.tobytes()


@dataclass(frozen=True)
class Unpacked:
    """A packed list read back: the six item columns and codes (each n long), and its rows as
    (kind, genre, adjective, anchor, positions): stored ones, else derived from the codes when
    first asked for (``rows.rows_of``)."""

    t: list[int]
    s: list[int]
    g: list[int]
    a: list[int]
    b: list[int]
    h: list[int]
    c: list[int]
    stored_rows: list[Row] | None = None

    @cached_property
    def rows(self) -> list[Row]:
        return self.stored_rows if self.stored_rows is not None else rows_of(self.g, self.a, self.h)


def _empty() -> Unpacked:
    return Unpacked([], [], [], [], [], [], [], [])


def _stored_rows(
    n: int,
    kinds: Sequence[int],
    counts: Sequence[int],
    members: Sequence[int],
    codes: Sequence[tuple[int, int, int]],
) -> list[Row]:
    """Rows stored with a list (either format): per row its kind index, member count and
    (genre, adjective, anchor); members row after row. Positions past n and unknown kinds
    are dropped."""
    rows, member = [], 0
    for kind, count, (g, a, h) in zip(kinds, counts, codes, strict=True):
        positions = [p for p in members[member : member + count] if p < n]
        member += count
        if kind < len(KINDS):
            rows.append((KINDS[kind], g, a, h, positions))
    return rows


_structs: dict[str, struct.Struct] = {}


def _struct(fmt: str) -> struct.Struct:
    found = _structs.get(fmt)
    if found is None:
        found = _structs[fmt] = struct.Struct(fmt)
    return found


def unpack(data: bytes | memoryview | None) -> Unpacked:
    """A packed list's values; anything malformed (or empty) reads as an empty list."""
    if not data or len(data) < _HEAD.size:
        return _empty()
    if data[0] == 1:
        return _unpack_v1(data)
    fmt, n, k, n_rows, r, m, a, flags = _HEAD.unpack_from(data)
    if fmt != FORMAT:
        return _empty()
    if not (n <= k and n_rows <= r) or flags & ~(WIDE_CODES | WIDE_SCORES | ROWS_STORED):
        return _empty()
    if len(data) != record_size(k, r, m, a, flags):
        return _empty()
    at = _HEAD.size
    c = "i" if flags & WIDE_CODES else "h"

    def read(fmt: str) -> tuple[Any, ...]:
        nonlocal at
        s = _struct("<" + fmt)
        values = s.unpack_from(data, at)
        at += s.size
        return values

    t = list(read(f"{k}i")[:n])
    if flags & WIDE_SCORES:
        scores = list(read(f"{k}i")[:n])
    else:
        top, *drops = read(f"i{k}H")
        scores, value = [], top
        for d in drops[:n]:
            value -= d
            scores.append(value)
    codes = read(f"{3 * k}{c}")
    places, anchor_codes = read(f"{k}B"), read(f"{k}B")
    anchor_ids = (0, *read(f"{a}i"))
    row_codes = read(f"{2 * r}{c}")
    row_places, kinds, counts = read(f"{r}B"), read(f"{r}B"), read(f"{r}B")
    members = read(f"{m}B")
    if max(places[:n], default=0) > a or max(row_places[:n_rows], default=0) > a:
        return _empty()
    rows = None
    if flags & ROWS_STORED:
        per_row = [
            (row_codes[j], row_codes[r + j], anchor_ids[row_places[j]]) for j in range(n_rows)
        ]
        rows = _stored_rows(n, kinds[:n_rows], counts[:n_rows], members, per_row)
    return Unpacked(
        t,
        scores,
        list(codes[:n]),
        list(codes[k : k + n]),
        list(codes[2 * k : 2 * k + n]),
        [anchor_ids[p] for p in places[:n]],
        list(anchor_codes[:n]),
        rows,
    )


def _unpack_v1(data: bytes | memoryview) -> Unpacked:
    """Format 1: every number int32, the anchor and its code per item (lists written before
    format 2; replaced as lists are rebuilt)."""
    if len(data) < _V1_HEAD.size:
        return _empty()
    _, n, k, n_rows, r, m = _V1_HEAD.unpack_from(data)
    if not (0 <= n <= k and 0 <= n_rows <= r) or min(k, r, m) < 0:
        return _empty()
    size = _V1_HEAD.size + 4 * (6 * k + 3 * r) + k + 2 * r + m
    if len(data) != size:
        return _empty()
    values = _struct(f"<{6 * k + 3 * r}i").unpack_from(data, _V1_HEAD.size)
    tail = bytes(data[_V1_HEAD.size + 4 * (6 * k + 3 * r) :])
    t, sc, g, a, b, h = (list(values[j * k : j * k + n]) for j in range(6))
    base = 6 * k
    per_row = [
        (values[base + j], values[base + r + j], values[base + 2 * r + j]) for j in range(n_rows)
    ]
    kinds, counts = tail[k : k + n_rows], tail[k + r : k + r + n_rows]
    rows = _stored_rows(n, kinds, counts, tail[k + 2 * r :], per_row)
    return Unpacked(t, sc, g, a, b, h, list(tail[:n]), rows)
