"""Blocks computed ahead on a helper thread while the caller stores the previous one."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from recommendations.services.rebuild import blocks_ahead


def _blocks(n: int, threads: list[int], fail_at: int | None = None) -> Iterator[int]:
    for i in range(n):
        threads.append(threading.get_ident())
        if i == fail_at:
            raise RuntimeError("compute failed")
        yield i


def test_blocks_come_in_order_the_first_computed_by_the_caller() -> None:
    threads: list[int] = []
    assert list(blocks_ahead(_blocks(4, threads))) == [0, 1, 2, 3]
    # The first block may read the database: it is computed in the caller's thread.
    assert threads[0] == threading.get_ident()
    assert all(t != threading.get_ident() for t in threads[1:])


def test_no_blocks() -> None:
    assert list(blocks_ahead(_blocks(0, []))) == []


def test_a_failure_computing_ahead_reaches_the_caller_after_the_blocks_before_it() -> None:
    got: list[int] = []
    with pytest.raises(RuntimeError, match="compute failed"):
        got.extend(blocks_ahead(_blocks(5, [], fail_at=2)))
    assert got == [0, 1]


def test_stopping_early_leaves_nothing_computing() -> None:
    threads: list[int] = []
    ahead = blocks_ahead(_blocks(10, threads))
    assert next(ahead) == 0
    ahead.close()
    # Block 1 was being computed ahead; closing waited for it and asked for nothing more.
    assert len(threads) == 2
