"""Suite-wide fixtures. In CI (CI=true) the suite refuses to run without PostgreSQL and Redis."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser

from accounts.roles import Role
from accounts.services import user_create

PASSWORD = "correct-horse-battery"


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("CI", "").lower() != "true":
        return
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not redis_url.startswith(
        "redis://"
    ):
        raise pytest.UsageError(
            "CI=true: DATABASE_URL (PostgreSQL) and REDIS_URL (Redis) must be set"
        )
    # Fail at once, loudly, when Redis is set but dead, instead of timing out test by test.
    import redis

    redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()


@pytest.fixture(autouse=True)
def _fresh_cache(settings: Any) -> None:
    """Each test gets an empty in-process cache, so cached pages never leak between tests."""
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()  # locmem caches with the same LOCATION share one dict across instances


@pytest.fixture(autouse=True)
def _fresh_engine_state() -> None:
    """The engine keeps a per-process working set; each test starts without one."""
    from recommendations.services.state import state_forget

    state_forget()


@pytest.fixture(autouse=True)
def _eager_celery(settings: Any) -> Iterator[None]:
    """Unit tests run tasks inline; integration tests start a real worker instead."""
    from config import celery_app

    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def make_user(db: None) -> Callable[..., AbstractUser]:
    counter = iter(range(1, 10_000))

    def make(
        role: Role | str = Role.TAGGER, username: str | None = None, password: str = PASSWORD
    ) -> AbstractUser:
        role = Role(role)
        user, _ = user_create(
            username=username or f"{role.value}{next(counter)}", role=role, password=password
        )
        return user

    return make


@pytest.fixture
def tagger(make_user: Callable[..., AbstractUser]) -> AbstractUser:
    return make_user(Role.TAGGER)


@pytest.fixture
def editor(make_user: Callable[..., AbstractUser]) -> AbstractUser:
    return make_user(Role.EDITOR)


@pytest.fixture
def operator(make_user: Callable[..., AbstractUser]) -> AbstractUser:
    return make_user(Role.OPERATOR)


@pytest.fixture
def subscriber_user(make_user: Callable[..., AbstractUser]) -> AbstractUser:
    return make_user(Role.SUBSCRIBER)


@pytest.fixture
def api_client_for() -> Callable[[AbstractUser], Any]:
    """A DRF client authenticated as the given user."""
    from rest_framework.test import APIClient

    def make(user: AbstractUser) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
