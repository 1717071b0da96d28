"""Sort keys that rank float32 scores descending inside one int64.

A float's bits, made order-preserving and reversed, take 32 bits of a key; a group (a
subscriber, a row) goes above them and an index below, so one sort of the keys orders by
group, then score descending, then index ascending — what a stable sort by score would give —
with no argsort and no lexsort. Used by the anchors' ranking; the top-k selection ranks by
``ranked_order``, three radix passes over the same key's parts.
"""

from __future__ import annotations

import numpy as np

#: Bits a key gives the score.
SCORE_BITS = 32


def descending_key(values: np.ndarray) -> np.ndarray:
    """(…,) int64 in [0, 2**32): smaller for a larger float32 value; -0.0 and 0.0 alike."""
    bits = (np.asarray(values, np.float32) + np.float32(0.0)).view(np.int32)
    ordered = (bits ^ ((bits >> 31) & 0x7FFFFFFF)).astype(np.int64)
    return np.int64(0x7FFFFFFF) - ordered


#: Groups ``ranked_order`` takes: its group pass sorts 16-bit keys.
RADIX_GROUPS = 1 << 16


def ranked_order(groups: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The permutation that orders entries by group (< ``RADIX_GROUPS``), then float32 value
    descending, ties kept in their present order — so, where each group's entries come by
    index ascending, the order one sort of (group, ``descending_key``, index) keys gives.

    Three stable passes over 16-bit parts (the key's low half, its high half, the group), each
    a radix sort in numpy (``kind="stable"`` on a 16-bit type); numpy sorts int64 keys by a
    comparison sort: 239k entries, 11.5 -> 5.7 ms on an AMD EPYC VM."""
    descending = descending_key(values)
    order = np.argsort(descending.astype(np.uint16), kind="stable")
    order = order[np.argsort((descending >> 16).astype(np.uint16)[order], kind="stable")]
    return order[np.argsort(groups.astype(np.uint16)[order], kind="stable")]
