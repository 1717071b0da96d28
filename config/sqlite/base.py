"""SQLite whose write transactions queue on an OS lock instead of SQLite's busy handler.

With ``transaction_mode: IMMEDIATE`` every write transaction takes SQLite's single write lock at
``BEGIN``. A writer that finds it held waits in SQLite's busy handler, which sleeps in fixed
steps (1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms, then 100 ms at a time) and retries: it
does not wake when the lock is released, so under twenty taggers at once a writer waits
several times longer than the lock is held, and that wait is most of the slowest requests'
time.

This backend takes a blocking ``flock`` on a file beside the database (``<name>-writelock``)
before ``BEGIN IMMEDIATE`` and releases it after ``COMMIT`` or ``ROLLBACK`` (also when the
transaction fails to start or the connection is closed): waiters sleep in the kernel and the
next one wakes the moment the lock is free. ``flock`` locks belong to an open file, so each
connection (one per thread) opens its own and threads of one process queue like processes do;
the kernel drops the lock of a process that dies. Writers that do not use this backend (the
``sqlite3`` shell, a write outside any ``atomic`` block) still meet SQLite's own lock and busy
timeout, which stay set as before. In-memory databases (tests) have one process: no lock file.

The wait for the OS lock has no timeout: a writer waits as long as the transaction ahead of it
lasts (as PostgreSQL's row locks do by default) instead of failing with "database is locked"
after the busy timeout — a long ``import_*`` transaction delays taggers' saves until it commits.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from typing import Any

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._write_lock_fd: int | None = None
        self._write_lock_pid = 0
        self._write_lock_held = False

    def write_lock_path(self) -> str | None:
        """The lock file, or None when write transactions do not queue on it."""
        mode = str(self.settings_dict["OPTIONS"].get("transaction_mode") or "").upper()
        if mode not in {"IMMEDIATE", "EXCLUSIVE"} or self.is_in_memory_db():
            return None
        return f"{self.settings_dict['NAME']}-writelock"

    def _write_lock_acquire(self) -> None:
        path = self.write_lock_path()
        if path is None or self._write_lock_held:
            return
        if self._write_lock_fd is None or self._write_lock_pid != os.getpid():
            # A forked child must not share its parent's open file (and so its lock).
            self._write_lock_fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
            self._write_lock_pid = os.getpid()
        fcntl.flock(self._write_lock_fd, fcntl.LOCK_EX)  # blocks without holding the GIL
        self._write_lock_held = True

    def _write_lock_release(self) -> None:
        if not self._write_lock_held:
            return
        self._write_lock_held = False
        # In a child forked mid-transaction the open file is the parent's: unlocking it would
        # release the parent's lock.
        if self._write_lock_fd is not None and self._write_lock_pid == os.getpid():
            fcntl.flock(self._write_lock_fd, fcntl.LOCK_UN)

    def _in_transaction(self) -> bool:
        try:
            return self.connection is not None and bool(self.connection.in_transaction)
        except sqlite3.Error:  # closed underneath: SQLite rolled the transaction back
            return False

    def _start_transaction_under_autocommit(self) -> None:
        self._write_lock_acquire()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._write_lock_release()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            if not self._in_transaction():
                self._write_lock_release()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            if not self._in_transaction():
                self._write_lock_release()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._write_lock_release()
            if self._write_lock_fd is not None:
                os.close(self._write_lock_fd)  # a child's copy: closing it leaves the parent's lock
                self._write_lock_fd = None
