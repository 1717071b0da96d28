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
    # A few rows at a time, a (rows, T + 1) table of each title's column + 1 (0: absent; pads
    # land in the last column) is written from ``old``, read at ``new`` and cleared again —
    # ~1 MB, so it stays in cache: 121 -> 24 ms for 32k lists, against one binary search per
    # item over every row's sorted titles.
    n_titles = int(max(old.max(), new.max())) + 1
    width = n_titles + 1
    # At least 64 rows a batch: a huge catalogue makes a larger table, not 1-row batches.
    rows = max(64, TABLE_CELLS // width)
    dtype = np.int16 if old.shape[1] < np.iinfo(np.int16).max else np.int32
    table = np.zeros(min(rows, b) * width, dtype)
    marks = np.arange(1, old.shape[1] + 1, dtype=dtype)
    out = np.empty((b, k), np.int64)
    for lo in range(0, b, rows):
        before, after = old[lo : lo + rows], new[lo : lo + rows]
        # Flat cells (intp): half the time of indexing the 2-D table by (row, title) pairs. A
        # pad (-1) lands in the row before's last column, which no title uses.
        base = np.arange(0, before.shape[0] * width, width, dtype=np.intp)[:, None]
        marked = base + before
        table[marked] = marks
        out[lo : lo + len(after)] = np.where(
            after >= 0, table[base + after].astype(np.int64) - 1, -1
        )
        table[marked] = 0
    return out


#: Cells of ``kept_columns``' lookup table (int16: 1 MB).
TABLE_CELLS = 2**19


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
    # One flat index into each kept (b, k') array (cheaper than ``take_along_axis``'s); the
    # gathered copies are then blanked where nothing is kept.
    b, width = kept.noun.shape
    at = np.where(here, columns, 0)
    at += (np.arange(b, dtype=np.int64) * width)[:, None]
    miss = ~here
    out = Drivers(
        kept.noun.reshape(-1)[at].astype(np.int32, copy=False),
        kept.adjectives.reshape(b * width, kept.adjectives.shape[2])[at].astype(
            np.int32, copy=False
        ),
        kept.anchor.reshape(-1)[at].astype(np.int32, copy=False),
        kept.anchor_code.reshape(-1)[at].astype(np.float32, copy=False),
    )
    out.noun[miss] = -1
    out.adjectives[miss] = -1
    out.anchor[miss] = -1
    out.anchor_code[miss] = 0
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
