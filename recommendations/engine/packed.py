"""A stored list packed as fixed-width little-endian arrays (``RecommendationList.packed``).

A block of lists is packed at once into one numpy record per list, every record of the block
the same size (its lists padded to the same slots), so no number is formatted and the block's
bytes are one ``tobytes()``. Layout, in this order::

    header  int32[6]   FORMAT, items n, item slots k, rows, row slots, member slots
    items   int32[6,k] title id, score x 10 000, genre, adjective, adjective, anchor title id
    rows    int32[3,R] genre, adjective, anchor title id of each row
    code    uint8[k]   anchor code (rating in half stars 1..10, 20 liked, 22 watched; 0 none)
    kind    uint8[R]   row kind, an index into ``KINDS``
    count   uint8[R]   how many members each row has
    members uint8[M]   the rows' item positions, row after row

Only the first n items and the first ``rows`` rows count. With 50 items, 8 row slots and 50
member slots a list is 1,436 bytes: the row stays under PostgreSQL's 2 kB TOAST threshold, so
it is neither compressed nor stored out of line.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np

FORMAT = 1
#: Row kinds by their stored index.
KINDS = ("top", "micro", "genre", "because")
#: Positions and counts are stored as uint8.
MAX_SLOTS = 255
INT32_MAX = 2**31 - 1
_HEAD = struct.Struct("<6i")


def layout(k: int, rows: int, members: int) -> np.dtype:
    """The record of one packed list with ``k`` item, ``rows`` row and ``members`` slots."""
    if max(k, rows, members) > MAX_SLOTS:
        raise ValueError(f"a packed list holds at most {MAX_SLOTS} items, rows or members")
    return np.dtype(
        [
            ("head", "<i4", (6,)),
            ("items", "<i4", (6, k)),
            ("rows", "<i4", (3, rows)),
            ("code", "u1", (k,)),
            ("kind", "u1", (rows,)),
            ("count", "u1", (rows,)),
            ("members", "u1", (members,)),
        ]
    )


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


def pack_block(
    items: Sequence[np.ndarray],
    code: np.ndarray,
    lengths: np.ndarray,
    row_kind: np.ndarray,
    row_codes: np.ndarray,
    n_rows: np.ndarray,
    row_of: np.ndarray,
) -> np.ndarray:
    """(b,) records: ``items`` six (b, k) int64 columns (title, score, genre, adjective,
    adjective, anchor) and ``code`` (b, k), of which the first ``lengths`` (b,) count; rows as
    ``row_kind`` (b, R) kind indices, ``row_codes`` (b, R, 3) genre, adjective and anchor,
    ``n_rows`` (b,); ``row_of`` (b, k) each item's row (-1: none; an item is in one row at
    most, so k member slots are enough). Members are stored in (row, position) order."""
    b, k = code.shape
    r = row_kind.shape[1]
    out = np.zeros(b, layout(k, r, k))
    out["head"] = np.stack(
        [np.full(b, FORMAT), lengths, np.full(b, k), n_rows, np.full(b, r), np.full(b, k)], axis=1
    )
    packed_items = out["items"]
    for j, column in enumerate(items):
        packed_items[:, j] = _int32(column)
    out["code"] = code
    out["rows"] = row_codes.transpose(0, 2, 1)
    out["kind"] = row_kind
    # Each list's positions by row, in rank order within a row (a stable sort of small ints
    # is a radix sort); positions in no row sort last, past the members the counts cover.
    member_rows = np.where(row_of >= 0, row_of, r).astype(np.uint8)
    out["members"] = np.argsort(member_rows, axis=1, kind="stable")
    slots = np.arange(b)[:, None] * (r + 1) + member_rows
    out["count"] = np.bincount(slots.ravel(), minlength=b * (r + 1)).reshape(b, r + 1)[:, :r]
    return out


def pack_one(
    items: Sequence[Sequence[int]], code: Sequence[int], rows: Sequence[Sequence[int]]
) -> bytes:
    """One list from plain values: six item columns and the anchor codes, rows as
    ``(kind index, genre, adjective, anchor)`` followed by their positions (a row may name any
    positions; used by data migrations and tests)."""
    n = len(code)
    members = [p for row in rows for p in row[4:]]
    out = np.zeros(1, layout(n, len(rows), len(members)))
    out["head"] = (FORMAT, n, n, len(rows), len(rows), len(members))
    if n:
        out["items"][0] = _int32(np.asarray(items, np.int64).reshape(6, n))
        out["code"][0] = code
    if rows:
        out["rows"][0] = _int32(np.asarray([row[1:4] for row in rows], np.int64).T)
        out["kind"][0] = [row[0] for row in rows]
        out["count"][0] = [len(row) - 4 for row in rows]
    if members:
        out["members"][0] = members
    return out.tobytes()


@dataclass(frozen=True)
class Unpacked:
    """A packed list read back: the six item columns and codes (each n long), and its rows as
    (kind, genre, adjective, anchor, positions)."""

    t: list[int]
    s: list[int]
    g: list[int]
    a: list[int]
    b: list[int]
    h: list[int]
    c: list[int]
    rows: list[tuple[str, int, int, int, list[int]]]


_ints: dict[tuple[int, int], struct.Struct] = {}


def unpack(data: bytes | memoryview | None) -> Unpacked:
    """A packed list's values; anything malformed (or empty) reads as an empty list."""
    if not data or len(data) < _HEAD.size:
        return Unpacked([], [], [], [], [], [], [], [])
    fmt, n, k, n_rows, r, m = _HEAD.unpack_from(data)
    if fmt != FORMAT or not (0 <= n <= k and 0 <= n_rows <= r) or min(k, r, m) < 0:
        return Unpacked([], [], [], [], [], [], [], [])
    size = _HEAD.size + 4 * (6 * k + 3 * r) + k + 2 * r + m
    if len(data) != size:
        return Unpacked([], [], [], [], [], [], [], [])
    ints = _ints.get((k, r))
    if ints is None:
        ints = _ints[(k, r)] = struct.Struct(f"<{6 * k + 3 * r}i")
    values = ints.unpack_from(data, _HEAD.size)
    at = _HEAD.size + ints.size
    tail = bytes(data[at:])
    t, sc, g, a, b, h = (list(values[j * k : j * k + n]) for j in range(6))
    rows = []
    base, member = 6 * k, k + 2 * r
    for j in range(n_rows):
        count = tail[k + r + j]
        kind = tail[k + j]
        positions = [p for p in tail[member : member + count] if p < n]
        member += count
        if kind < len(KINDS):
            rows.append(
                (
                    KINDS[kind],
                    values[base + j],
                    values[base + r + j],
                    values[base + 2 * r + j],
                    positions,
                )
            )
    return Unpacked(t, sc, g, a, b, h, list(tail[:n]), rows)
