"""PostgreSQL whose per-request connection health check costs no round trip when it can tell.

Web processes keep their connections (``CONN_MAX_AGE``) with ``CONN_HEALTH_CHECKS``, so a
connection the server dropped (a restart, an administrator's ``pg_terminate_backend``) is
replaced before a request uses it rather than failing that request. Django checks with a
``SELECT 1`` at the start of every request: a round trip to another process, one of about six
a tagger's request makes, each waiting to be scheduled on the shared cores under load.

A connection the server closed has something to read — the server's goodbye message or the end
of the stream — while an idle, healthy one has nothing. So when the connection is idle (no
transaction) and its socket has nothing to read, it is healthy; anything else (data waiting,
a transaction left open, a broken connection) gets Django's ``SELECT 1`` check as before. A
peer that vanished without a word (a network partition) is not seen here — nor, until it
times out, by ``SELECT 1`` — and the request that finds it fails and closes it, as without
health checks.

``prepared_cursor()`` (through ``config.db.prepared_cursor``) gives the few statements every
request runs — the user and roles, the taggers' reads and saves — a server-side prepared
statement per connection: PostgreSQL parses and plans each once instead of on every call.
Planning was half of the database's CPU on the taggers' loop (the user-with-roles read: 0.87 ms
of backend CPU planned each time, 0.06 ms prepared). Django's own cursors bind on the client and
never prepare, so nothing else changes. Behind a transaction-mode pooler, that pooler must
track prepared statements (PgBouncer ≥ 1.21, ``max_prepared_statements``).
"""

from __future__ import annotations

import select
from typing import Any

from django.db.backends.postgresql import base
from django.db.backends.utils import CursorWrapper
from psycopg import pq


class PreparingCursor(base.ServerBindingCursor):  # type: ignore[misc, name-defined]
    """Binds parameters on the server and prepares every statement it runs."""

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        kwargs.setdefault("prepare", True)
        return super().execute(query, params, **kwargs)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        if params.get("prepare_threshold") is None:
            # Django turns psycopg's preparing off (None); only ``PreparingCursor`` prepares
            # (client-binding cursors never do), and it asks each time, so any number will do.
            params["prepare_threshold"] = 5
        return params

    def prepared_cursor(self) -> CursorWrapper:
        """A cursor (wrapped as ``cursor()``'s, so query logging and tests see it) whose
        statements are prepared once per connection."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        self.validate_thread_sharing()
        with self.wrap_database_errors:
            cursor = PreparingCursor(self.connection)
        return self.make_debug_cursor(cursor) if self.queries_logged else self.make_cursor(cursor)

    def _idle_with_nothing_to_read(self) -> bool:
        conn = self.connection
        if conn is None or conn.closed or conn.broken:
            return False
        if conn.info.transaction_status != pq.TransactionStatus.IDLE:
            return False
        try:
            readable, _, _ = select.select([conn.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.health_check_enabled  # type: ignore[attr-defined]
            and not self.health_check_done  # type: ignore[has-type]
            and not self.pool  # type: ignore[attr-defined]
            and self._idle_with_nothing_to_read()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
