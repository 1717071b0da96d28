"""Ranking float32 scores descending within groups, by radix passes.

A float's bits, made order-preserving and reversed, give a 32-bit key that is smaller for a
larger score (``descending_key``). Stable radix passes over its two 16-bit halves, then over the
group, order entries by group, then score descending, ties in their present order
(``ranked_order``): what a stable sort by score within each group would give, with no
comparison sort. Used by the top-k selection and by the anchors' ranking.
"""

from __future__ import annotations

import numpy as np


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
    index ascending, ``np.lexsort((index, -values, groups))``.

    Three stable passes over 16-bit parts (the key's low half, its high half, the group), each
    a radix sort in numpy (``kind="stable"`` on a 16-bit type); numpy sorts int64 keys by a
    comparison sort: 239k entries, 11.5 -> 5.7 ms on an AMD EPYC VM."""
    descending = descending_key(values)
    order = np.argsort(descending.astype(np.uint16), kind="stable")
    order = order[np.argsort((descending >> 16).astype(np.uint16)[order], kind="stable")]
    return order[np.argsort(groups.astype(np.uint16)[order], kind="stable")]
