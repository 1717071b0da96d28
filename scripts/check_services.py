"""Before the suite: with CI=true, PostgreSQL and Redis must be configured and answering.

Fails loudly (exit 1, one line why) rather than letting the suite fall back to SQLite."""

from __future__ import annotations

import os
import sys
from urllib.parse import urlparse


def main() -> int:
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    ci = os.environ.get("CI", "").lower() == "true"
    if not ci and not database_url and not redis_url:
        print(
            "services: SQLite and the embedded broker (set DATABASE_URL/REDIS_URL for PostgreSQL/Redis)"
        )
        return 0
    problems = []
    if ci and not database_url.startswith(("postgres://", "postgresql://")):
        problems.append("CI=true needs DATABASE_URL pointing at PostgreSQL")
    if ci and not redis_url.startswith("redis://"):
        problems.append("CI=true needs REDIS_URL pointing at Redis")
    if database_url.startswith(("postgres://", "postgresql://")):
        import psycopg

        url = urlparse(database_url)
        try:
            psycopg.connect(database_url.replace(url.path, "/postgres"), connect_timeout=5).close()
        except psycopg.Error as exc:
            problems.append(f"PostgreSQL at {url.hostname}:{url.port} does not answer: {exc}")
    if redis_url.startswith("redis://"):
        import redis

        try:
            redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
        except redis.RedisError as exc:
            problems.append(f"Redis at {redis_url} does not answer: {exc}")
    if problems:
        for problem in problems:
            print(f"services: {problem}", file=sys.stderr)
        return 1
    print(f"services: PostgreSQL {bool(database_url)} and Redis {bool(redis_url)} answer")
    return 0


if __name__ == "__main__":
    sys.exit(main())
