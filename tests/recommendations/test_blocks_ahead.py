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


class _Recorder:
    """A stand-in block writer: records which thread stored which block, on which connection."""

    def __init__(self, *_: object, fail_at: int | None = None) -> None:
        self.stored: list[tuple[int, int]] = []
        self.connections: list[object] = []
        self.fail_at = fail_at
        self.written = 0
        self._lock = threading.Lock()

    def store(self, block: int) -> None:
        from django.db import connection, connections

        if block == self.fail_at:
            raise RuntimeError("store failed")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        with self._lock:
            self.stored.append((block, threading.get_ident()))
            self.connections.append(connections["default"])  # this thread's own wrapper
            self.written += 1


@pytest.mark.django_db(transaction=True)
def test_blocks_are_stored_on_threads_of_their_own_each_on_its_own_connection() -> None:
    from recommendations.services import rebuild

    recorder = _Recorder()
    rebuild._store_side_by_side(iter(range(8)), recorder.store, 2)
    assert sorted(block for block, _ in recorder.stored) == list(range(8))
    assert threading.get_ident() not in {ident for _, ident in recorder.stored}
    # Each thread's connection is closed when it ends (none left open to the database; an
    # in-memory SQLite test database ignores close, so PostgreSQL, as in CI, tells).
    open_ones = [c for c in recorder.connections if c.connection is not None]  # type: ignore[attr-defined]
    assert all(c.vendor == "sqlite" for c in open_ones)  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_a_failed_store_stops_the_rest_and_reaches_the_caller() -> None:
    from recommendations.services import rebuild

    closed: list[bool] = []

    def blocks() -> Iterator[int]:
        try:
            yield from range(50)
        finally:
            closed.append(True)  # computing ahead stops too

    recorder = _Recorder(fail_at=3)
    with pytest.raises(RuntimeError, match="store failed"):
        rebuild._store_side_by_side(blocks(), recorder.store, 2)
    assert closed == [True]
    assert len(recorder.stored) < 49
    assert 3 not in {block for block, _ in recorder.stored}


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_blocks_are_stored_by_the_caller(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Other connections would not see the caller's uncommitted rows; outside one, the store
    threads take the blocks on PostgreSQL (SQLite takes one writer at a time: the caller)."""
    from django.db import connection, transaction

    from recommendations.services import rebuild

    recorders: list[_Recorder] = []
    monkeypatch.setattr(
        rebuild, "_BlockWriter", lambda *a: recorders.append(_Recorder()) or recorders[-1]
    )
    here = threading.get_ident()
    with transaction.atomic():
        assert rebuild.lists_store_blocks(state=None, blocks=iter(range(3)), overlap=True) == 3  # type: ignore[arg-type]
    assert {ident for _, ident in recorders[-1].stored} == {here}
    assert rebuild.lists_store_blocks(state=None, blocks=iter(range(3)), overlap=True) == 3  # type: ignore[arg-type]
    threads = {ident for _, ident in recorders[-1].stored}
    assert (here not in threads) if connection.vendor == "postgresql" else (threads == {here})
