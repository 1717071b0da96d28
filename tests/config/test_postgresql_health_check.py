"""config.postgresql: the per-request health check of a kept connection needs no round trip
while the connection is idle and intact, and still replaces one the server has closed."""

from __future__ import annotations

import select
import time

import psycopg
import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the PostgreSQL backend's health check"
    ),
]


def _new_request() -> None:
    """What Django does at every request start for a kept connection."""
    connection.health_check_done = False


def test_an_idle_intact_connection_is_checked_without_a_query(monkeypatch):
    connection.ensure_connection()
    connection.health_check_enabled = True
    calls = []
    monkeypatch.setattr(connection, "is_usable", lambda: calls.append(1) or True)
    _new_request()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert calls == []
    assert connection.health_check_done


def test_a_connection_the_server_closed_is_replaced_before_use():
    connection.ensure_connection()
    connection.health_check_enabled = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    sock = connection.connection.fileno()
    deadline = time.monotonic() + 5
    while not select.select([sock], [], [], 0.05)[0] and time.monotonic() < deadline:
        pass
    _new_request()
    with connection.cursor() as cursor:  # no error: the dead connection was replaced
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
