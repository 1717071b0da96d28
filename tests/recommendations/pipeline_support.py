"""A small tagged catalogue with subscribers and history, for the engine pipeline tests."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction

from accounts.roles import Role
from accounts.services import user_create
from catalog.models import OutboxEvent, Title
from catalog.services import canonical_tags_set
from recommendations.models import Subscriber, ViewingEvent
from recommendations.services import state as engine_state

_n = itertools.count(1)
T0 = datetime(2024, 1, 1, tzinfo=UTC)

GENRES = ("comedy", "drama", "thriller")
TONES = ("quirky", "irreverent", "dark")


@pytest.fixture(autouse=True)
def _fresh_engine_state() -> Iterator[None]:
    """The working set is per process: never let one test see another's."""
    engine_state.state_forget()
    yield
    engine_state.state_forget()


def codebook_ensure() -> None:
    """The default codebook comes from a data migration; a transactional test's flush removes it."""
    import importlib

    from django.apps import apps as django_apps

    importlib.import_module("catalog.migrations.0002_default_codebook").create_codebook(
        django_apps, None
    )


@dataclass
class World:
    titles: list[Title]
    subscribers: list[Subscriber]


def subscriber_make(
    name: str | None = None, max_levels: dict[str, int] | None = None
) -> Subscriber:
    user, _ = user_create(username=name or f"viewer{next(_n)}", role=Role.SUBSCRIBER, password=None)
    return Subscriber.objects.create(user=user, max_levels=max_levels or {})


def title_make(values: dict[str, Any] | None, name: str | None = None) -> Title:
    n = next(_n)
    title = Title.objects.create(external_id=f"eng-{n}", title=name or f"Film {n}", year=2000)
    if values is not None:
        with transaction.atomic():
            canonical_tags_set(title=title, values=values, source="imported")
    return title


def event_add(
    subscriber: Subscriber,
    title: Title,
    event: str = "rated",
    rating: float | None = None,
    days: int = 0,
) -> ViewingEvent:
    return ViewingEvent.objects.create(
        subscriber=subscriber,
        title=title,
        event=event,
        rating=rating,
        timestamp=T0 + timedelta(days=days, seconds=next(_n)),
    )


def world_build(n_titles: int = 24, n_subscribers: int = 4) -> World:
    """Titles cycling through genre x tone x violence (the default codebook a migration
    creates), each subscriber rating a few."""
    codebook_ensure()
    titles = [
        title_make(
            {"genre": [GENRES[i % 3]], "tone": [TONES[(i // 3) % 3]], "violence": i % 6},
            name=f"Film {i:02d}",
        )
        for i in range(n_titles)
    ]
    subscribers = [subscriber_make() for _ in range(n_subscribers)]
    for s, sub in enumerate(subscribers):
        for j in range(4):
            event_add(
                sub, titles[(s * 5 + j * 3) % n_titles], rating=5.0 if j % 2 == 0 else 2.0, days=j
            )
    OutboxEvent.objects.update(processed_at=T0)  # the setup itself is not under test
    return World(titles, subscribers)
