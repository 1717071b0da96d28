"""A rebuild split between forked processes leaves the parent the same working set as one
process computing every list: the children write the per-list arrays it shares with them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from recommendations.services import rebuild
from recommendations.services import state as engine_state
from tests.recommendations.engine_support import N_SUBS, synthetic_state


def _compute_only(*, state: Any, blocks: Any, **_: Any) -> int:
    """Stands in for ``lists_store_blocks``: computing the blocks fills the shared arrays;
    nothing is serialised or written (no database in the children)."""
    return sum(len(block.positions) for block in blocks)


def _arrays(state: engine_state.EngineState) -> dict[str, np.ndarray]:
    return {name: np.array(getattr(state, name)) for name in engine_state.LIST_ARRAYS}


def _assert_same(got: dict[str, np.ndarray], want: dict[str, np.ndarray]) -> None:
    for name, value in want.items():
        np.testing.assert_array_equal(got[name], value, err_msg=name)


@pytest.fixture(autouse=True)
def _no_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rebuild, "lists_store_blocks", _compute_only)


def test_every_row_by_two_processes_equals_one_process() -> None:
    everyone = np.arange(N_SUBS)
    alone = synthetic_state(np.random.default_rng(3))
    rebuild.lists_rebuild(state=alone, positions=everyone)  # in this process
    forked = synthetic_state(np.random.default_rng(3))
    assert rebuild._rebuild_forked(forked, everyone, None, None, 2, None) == N_SUBS
    _assert_same(_arrays(forked), _arrays(alone))
    assert forked.reason_kept is not None
    assert forked.reason_kept.all()


def test_some_rows_keep_the_other_rows_as_they_were() -> None:
    state = synthetic_state(np.random.default_rng(4))
    rebuild.lists_rebuild(state=state, positions=np.arange(N_SUBS))
    before = _arrays(state)
    some = np.arange(0, N_SUBS, 3)
    assert rebuild._rebuild_forked(state, some, None, None, 2, None) == some.size
    _assert_same(_arrays(state), before)  # recomputed rows come out the same; others are kept
