"""Kept reasons: a patched list explains only the items that moved.

An item's drivers (``explain.drivers``) depend on its subscriber (profile, positive history,
anchor codes) and on its own title's tags, not on the rest of the list. When a title is
re-tagged, a subscriber who did not watch it keeps the same profile and history, so every item
still in that subscriber's list, other than a re-tagged title, keeps the drivers it had: only
the re-tagged titles and the items that entered the list are explained again.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .explain import Drivers


def kept_columns(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """(b, k) int64: each item of the lists ``new`` (b, k) title indices (-1 pads), its column
    in ``old`` (b, k') — the same subscribers' lists before — or -1 where it was not there."""
    b, k = new.shape
    if b == 0 or k == 0 or old.shape[1] == 0:
        return np.full((b, k), -1, np.int64)
    order = np.argsort(old, axis=1)
    # One search over every row at once: each row's titles offset above the previous row's.
    span = np.int64(max(int(old.max()), int(new.max())) + 2)
    base = np.arange(b, dtype=np.int64)[:, None] * span
    flat = (np.take_along_axis(old, order, axis=1) + base + 1).ravel()
    keys = (new + base + 1).ravel()
    at = np.minimum(np.searchsorted(flat, keys), flat.size - 1)
    found = (flat[at] == keys) & (new.ravel() >= 0)
    return np.where(found, order.ravel()[at], -1).reshape(b, k)


def drivers_reusing(
    idx: np.ndarray,
    kept: Drivers,
    columns: np.ndarray,
    compute: Callable[[np.ndarray, np.ndarray], Drivers],
) -> Drivers:
    """Drivers of the lists ``idx`` (b, k): an item with a column (``columns`` (b, k), -1 none)
    takes ``kept``'s drivers there; the others are ``compute(rows, items)``'s, called once for
    the rows needing some with their (r, m) title indices to explain (-1 pads)."""
    here = columns >= 0
    at = np.where(here, columns, 0)
    out = Drivers(
        np.where(here, np.take_along_axis(kept.noun, at, axis=1), -1).astype(np.int32),
        np.where(
            here[:, :, None], np.take_along_axis(kept.adjectives, at[:, :, None], axis=1), -1
        ).astype(np.int32),
        np.where(here, np.take_along_axis(kept.anchor, at, axis=1), -1).astype(np.int32),
        np.where(here, np.take_along_axis(kept.anchor_code, at, axis=1), 0).astype(np.float32),
    )
    need = (idx >= 0) & (columns < 0)
    rows = np.flatnonzero(need.any(axis=1))
    if rows.size:
        width = int(need[rows].sum(axis=1).max())
        # Per row, the columns needing drivers first (in list order), then the others.
        order = np.argsort(~need[rows], axis=1, kind="stable")[:, :width]
        wanted = np.take_along_axis(need[rows], order, axis=1)
        items = np.where(wanted, np.take_along_axis(idx[rows], order, axis=1), -1)
        fresh = compute(rows, items)
        i, j = np.broadcast_to(rows[:, None], order.shape)[wanted], order[wanted]
        out.noun[i, j] = fresh.noun[wanted]
        out.adjectives[i, j] = fresh.adjectives[wanted]
        out.anchor[i, j] = fresh.anchor[wanted]
        out.anchor_code[i, j] = fresh.anchor_code[wanted]
    return out
