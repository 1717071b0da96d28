"""config.sqlite: write transactions queue on an OS lock beside the database file, taken before
BEGIN IMMEDIATE and given back on every way out of the transaction."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import DatabaseError, connections, transaction

ALIAS = "sqlite_write_lock_probe"


@pytest.fixture
def db_file(tmp_path: Path, django_db_blocker: object) -> Iterator[Path]:
    """A file SQLite database under ``ALIAS`` (IMMEDIATE, a short busy timeout), whatever the
    test run's own database is."""
    path = tmp_path / "probe.sqlite3"
    configured = connections.configure_settings(
        {
            "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
            ALIAS: {
                "ENGINE": "config.sqlite",
                "NAME": str(path),
                "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 2},
            },
        }
    )
    connections.settings[ALIAS] = configured[ALIAS]
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("CREATE TABLE t (n INTEGER)")
        yield path
        connections[ALIAS].close()
    del connections[ALIAS]
    del connections.settings[ALIAS]


def _lock_is_free(db: Path) -> bool:
    """What another process would see: can it take the lock right now?"""
    fd = os.open(f"{db}-writelock", os.O_RDONLY | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing the only descriptor also drops a lock just taken
    return True


def _insert(n: int) -> None:
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("INSERT INTO t (n) VALUES (%s)", [n])


def test_lock_is_held_for_the_transaction_and_freed_on_commit(db_file):
    assert _lock_is_free(db_file)
    with transaction.atomic(using=ALIAS):
        assert not _lock_is_free(db_file)
        _insert(1)
        with transaction.atomic(using=ALIAS):  # a savepoint: still the same lock
            _insert(2)
        assert not _lock_is_free(db_file)
    assert _lock_is_free(db_file)


def test_second_writer_waits_for_the_first_to_commit(db_file):
    holding, release = threading.Event(), threading.Event()
    order: list[str] = []

    def first() -> None:
        try:
            with transaction.atomic(using=ALIAS):
                _insert(1)
                holding.set()
                release.wait(10)
                order.append("first commits")
        finally:
            connections[ALIAS].close()

    def second() -> None:
        try:
            holding.wait(10)
            with transaction.atomic(using=ALIAS):
                order.append("second begins")
                _insert(2)
        finally:
            connections[ALIAS].close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    holding.wait(10)
    threads[1].join(0.3)
    assert threads[1].is_alive()  # queued behind the first writer, not failed
    assert order == []
    release.set()
    for thread in threads:
        thread.join(10)
    assert order == ["first commits", "second begins"]
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("SELECT n FROM t ORDER BY n")
        assert cursor.fetchall() == [(1,), (2,)]
    assert _lock_is_free(db_file)


def test_lock_is_freed_when_the_block_raises(db_file):
    held = []

    def write_then_fail() -> None:
        with transaction.atomic(using=ALIAS):
            _insert(1)
            held.append(not _lock_is_free(db_file))
            _ = 1 / 0

    with pytest.raises(ZeroDivisionError):
        write_then_fail()
    assert held == [True]
    assert _lock_is_free(db_file)
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM t")
        assert cursor.fetchone() == (0,)  # rolled back


def test_lock_is_freed_when_the_connection_closes_inside_the_block(db_file):
    with transaction.atomic(using=ALIAS):
        _insert(1)
        connections[ALIAS].close()
        assert _lock_is_free(db_file)
    assert _lock_is_free(db_file)
    with transaction.atomic(using=ALIAS):  # the next transaction takes it again
        assert not _lock_is_free(db_file)
    assert _lock_is_free(db_file)


def test_lock_is_freed_when_begin_fails(db_file):
    """A writer outside the backend (here the sqlite3 module) holds SQLite's own lock: BEGIN
    IMMEDIATE times out in the busy handler, and the OS lock is not kept."""
    other = sqlite3.connect(db_file, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseError, match="locked"), transaction.atomic(using=ALIAS):
            pass  # pragma: no cover - BEGIN fails before the body runs
        assert _lock_is_free(db_file)
    finally:
        other.execute("ROLLBACK")
        other.close()
    with transaction.atomic(using=ALIAS):
        _insert(1)
    assert _lock_is_free(db_file)


def test_no_lock_file_without_immediate_transactions_or_a_file(tmp_path):
    from config.sqlite.base import DatabaseWrapper

    def wrapper(name: str, options: dict[str, object]) -> DatabaseWrapper:
        settings = connections.configure_settings(
            {"default": {"ENGINE": "config.sqlite", "NAME": name, "OPTIONS": options}}
        )["default"]
        return DatabaseWrapper(settings, ALIAS)

    assert wrapper(str(tmp_path / "a.sqlite3"), {}).write_lock_path() is None  # DEFERRED
    immediate = {"transaction_mode": "IMMEDIATE"}
    assert wrapper(":memory:", immediate).write_lock_path() is None
    assert wrapper(str(tmp_path / "a.sqlite3"), immediate).write_lock_path() == str(
        tmp_path / "a.sqlite3-writelock"
    )
