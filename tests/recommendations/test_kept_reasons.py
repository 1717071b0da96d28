"""Kept reasons: a list's items that stayed keep their drivers, the others are explained."""

from __future__ import annotations

import numpy as np

from recommendations.engine.explain import MAX_ADJECTIVES, Drivers
from recommendations.engine.kept_reasons import drivers_reusing, kept_columns


def _drivers_of(idx: np.ndarray, offset: int) -> Drivers:
    """Drivers that name their item: noun = title + offset, and so on."""
    return Drivers(
        (idx + offset).astype(np.int32),
        np.repeat((idx + offset)[:, :, None], MAX_ADJECTIVES, axis=2).astype(np.int32),
        (idx + offset).astype(np.int32),
        (idx + offset).astype(np.float32),
    )


def test_kept_columns_find_each_item_in_the_same_subscribers_old_list() -> None:
    old = np.array([[5, 3, 9, -1], [1, 2, 3, 4]], np.int32)
    new = np.array([[9, 5, 7, -1], [4, 3, 2, 1]], np.int32)
    assert kept_columns(old, new).tolist() == [[2, 0, -1, -1], [3, 2, 1, 0]]


def test_kept_columns_never_match_another_subscribers_titles() -> None:
    old = np.array([[7, 8], [1, 2]], np.int32)
    new = np.array([[1, 2], [7, 8]], np.int32)
    assert kept_columns(old, new).tolist() == [[-1, -1], [-1, -1]]


def test_only_items_without_a_kept_column_are_explained() -> None:
    old = np.array([[10, 11, 12], [20, 21, 22]], np.int32)
    new = np.array([[11, 13, 10], [20, 21, 22]], np.int32)
    columns = kept_columns(old, new)
    columns[0, 2] = -1  # title 10 was re-tagged: explained again though it stayed
    calls = []

    def compute(rows: np.ndarray, items: np.ndarray) -> Drivers:
        calls.append((rows.tolist(), items.tolist()))
        return _drivers_of(items, 1000)

    out = drivers_reusing(new, _drivers_of(old, 0), columns, compute)
    assert calls == [([0], [[13, 10]])]
    assert out.noun.tolist() == [[11, 1013, 1010], [20, 21, 22]]
    assert out.adjectives[0, 1].tolist() == [1013] * MAX_ADJECTIVES
    assert out.anchor_code.tolist() == [[11, 1013, 1010], [20, 21, 22]]


def test_kept_columns_equal_a_search_row_by_row_across_table_batches() -> None:
    """Rows are matched a batch at a time through one reused table: many batches, pads on
    both sides, titles up to the largest index."""
    rng = np.random.default_rng(3)
    b, k, n_titles = 300, 12, 9000  # ~58 rows a batch: several batches
    old = np.array([rng.choice(n_titles, k, replace=False) for _ in range(b)], np.int32)
    new = np.array([rng.choice(n_titles, k, replace=False) for _ in range(b)], np.int32)
    keep = rng.random((b, k)) < 0.5
    new[keep] = old[:, ::-1][keep]  # half the items were in the old list, elsewhere
    old[rng.random((b, k)) < 0.1] = -1
    new[rng.random((b, k)) < 0.1] = -1
    new[0, 0], old[1, 0] = n_titles - 1, n_titles - 1
    want = [
        [list(o).index(t) if t >= 0 and t in list(o) else -1 for t in n]
        for o, n in zip(old.tolist(), new.tolist(), strict=True)
    ]
    assert kept_columns(old, new).tolist() == want
