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
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
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
