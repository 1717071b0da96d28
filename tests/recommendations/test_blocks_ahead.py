"""Blocks computed ahead on a helper thread while the caller stores the previous one."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import pytest

from recommendations.services.ahead import Ahead
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
    ahead = blocks_ahead(_blocks(10, threads), depth=2)
    assert next(ahead) == 0
    ahead.close()
    # Closing waited for the helper: it computed at most the queue's depth and the block in
    # hand, and computes nothing more.
    computed = len(threads)
    assert computed <= 1 + 2 + 1
    time.sleep(0.05)
    assert len(threads) == computed


def test_the_helper_computes_several_blocks_ahead_of_a_slow_caller() -> None:
    threads: list[int] = []
    ahead = blocks_ahead(_blocks(10, threads), depth=3)
    assert next(ahead) == 0
    deadline = time.monotonic() + 5
    while len(threads) < 1 + 3 + 1 and time.monotonic() < deadline:
        time.sleep(0.005)  # the caller "storing" block 0
    # Blocks 1-3 wait in the queue and block 4 is computed, waiting for room.
    assert len(threads) == 5
    assert list(ahead) == list(range(1, 10))


def test_ahead_hands_over_what_is_ready_then_the_rest_and_an_error_in_order() -> None:
    release = threading.Event()

    def items() -> Iterator[int]:
        yield 0
        yield 1
        release.wait(5)
        yield 2
        raise RuntimeError("compute failed")

    with Ahead(items(), depth=4) as ahead:
        deadline = time.monotonic() + 5
        ready: list[int] = []
        while len(ready) < 2 and time.monotonic() < deadline:
            ready += ahead.ready()  # never waits: 2 is held back
        assert ready == [0, 1]
        assert ahead.ready() == []
        release.set()
        got: list[int] = []
        with pytest.raises(RuntimeError, match="compute failed"):
            got.extend(ahead)
        assert got == [2]


def test_side_by_side_computations_score_on_one_thread_each() -> None:
    """Two threads of chunks on two cores, beside another computation, made four threads:
    within ``side_by_side`` each keeps to its caller's thread, and the pool is back after."""
    from recommendations.engine import scoring

    def where(_: int) -> int:
        time.sleep(0.01)  # long enough that a pool would use both of its threads
        return threading.get_ident()

    here = threading.get_ident()
    scoring.set_threads(2)
    try:
        with scoring.side_by_side():
            assert set(scoring.thread_map(where, range(4))) == {here}
        assert here not in scoring.thread_map(where, range(4))
    finally:
        scoring.set_threads(min(2, os.cpu_count() or 1))
