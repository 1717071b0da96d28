"""config.db.prepared_cursor: the hot statements are prepared once per PostgreSQL connection
(parsed and planned once), are still seen by Django's query logging, and return the same rows;
Django's own queries stay unprepared; on SQLite it is a plain cursor."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config.db import prepared_cursor

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_a_prepared_cursor_runs_parameters_and_is_logged():
    with CaptureQueriesContext(connection) as queries, prepared_cursor() as cursor:
        cursor.execute("SELECT username FROM auth_user WHERE id = %s", [-1])
        assert cursor.fetchone() is None
        cursor.execute("SELECT CAST(%s AS integer) + 1", [41])
        assert cursor.fetchone()[0] == 42
    assert len(queries) == 2


@on_postgresql
@pytest.mark.django_db
def test_token_requests_reuse_one_prepared_user_statement(tagger):
    token = Token.objects.create(user=tagger)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/assignments/").status_code == 200
    user_reads = [s for s in _prepared() if "authtoken_token" in s]
    assert len(user_reads) == 1
    assert "$1" in user_reads[0]

    assert client.get("/api/v1/assignments/").status_code == 200
    assert [s for s in _prepared() if "authtoken_token" in s] == user_reads
    bad = APIClient(HTTP_AUTHORIZATION="Token not-a-key")
    assert bad.get("/api/v1/assignments/").status_code in (
        401,
        403,
    )  # DRF: 403 when session auth is first


@on_postgresql
@pytest.mark.django_db
def test_orm_queries_are_not_prepared():
    before = len(_prepared())
    for _ in range(10):
        User.objects.filter(username="nobody").exists()
    assert len(_prepared()) == before
