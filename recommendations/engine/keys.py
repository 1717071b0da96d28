"""Sort keys that rank float32 scores descending inside one int64.

A float's bits, made order-preserving and reversed, take 32 bits of a key; a group (a
subscriber, a row) goes above them and an index below, so one sort of the keys orders by
group, then score descending, then index ascending — what a stable sort by score would give —
with no argsort and no lexsort. Used by the top-k selection and by the anchors' ranking.
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


def key_value(keys: np.ndarray) -> np.ndarray:
    """The float32 values ``descending_key`` made ``keys`` from (keys shifted down to their
    score bits, the bits above cleared)."""
    ordered = (np.int64(0x7FFFFFFF) - (keys & 0xFFFFFFFF)).astype(np.int32)
    return (ordered ^ ((ordered >> 31) & 0x7FFFFFFF)).view(np.float32)
