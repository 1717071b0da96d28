"""Feedback writes history and the rebuild's outbox row in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest

from catalog.models import OutboxEvent
from recommendations.models import Subscriber, ViewingEvent
from recommendations.services.feedback import feedback_record

from .subscriber_helpers import safe_values, tagged_title

pytestmark = pytest.mark.django_db
FEEDBACK = "/api/v1/me/feedback/"


def test_feedback_writes_an_event_and_an_outbox_row(
    sub: Subscriber, django_capture_on_commit_callbacks: Any
) -> None:
    title = tagged_title("Heat", safe_values())
    with django_capture_on_commit_callbacks() as callbacks:
        event = feedback_record(subscriber=sub, title=title, event="not_interested")
    assert event.event == ViewingEvent.Event.NOT_INTERESTED
    assert event.subscriber == sub
    row = OutboxEvent.objects.get()
    assert row.kind == OutboxEvent.Kind.SUBSCRIBER
    assert row.object_id == sub.pk
    assert row.processed_at is None
    assert len(callbacks) == 1  # the drain is enqueued only once the write commits


def test_no_event_survives_when_the_outbox_write_fails(sub: Subscriber) -> None:
    title = tagged_title("Heat", safe_values())
    with (
        mock.patch(
            "recommendations.services.feedback.outbox_record", side_effect=RuntimeError("disk full")
        ),
        pytest.raises(RuntimeError),
    ):
        feedback_record(subscriber=sub, title=title, event="liked")
    assert not ViewingEvent.objects.exists()


@pytest.mark.parametrize(
    ("word", "stored"),
    [
        ("like", "liked"),
        ("not_interested", "not_interested"),
        ("dislike", "disliked"),
        ("watched", "watched"),
    ],
)
def test_api_accepts_each_feedback(
    word: str,
    stored: str,
    subscriber_user: Any,
    sub: Subscriber,
    api_client_for: Callable[..., Any],
) -> None:
    title = tagged_title("Heat", safe_values())
    response = api_client_for(subscriber_user).post(
        FEEDBACK, {"title": title.pk, "feedback": word}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["event"] == stored
    assert ViewingEvent.objects.get(subscriber=sub, title=title).event == stored
    assert OutboxEvent.objects.filter(kind="subscriber", object_id=sub.pk).exists()


def test_api_accepts_event_as_an_alias(
    subscriber_user: Any, sub: Subscriber, api_client_for: Callable[..., Any]
) -> None:
    title = tagged_title("Heat", safe_values())
    response = api_client_for(subscriber_user).post(
        FEEDBACK, {"title": title.pk, "event": "like"}, format="json"
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"feedback": "like"}, "title"),
        ({"title": 999999, "feedback": "like"}, "title"),
        ({"title": "abc", "feedback": "like"}, "title"),
        ({"title": "TITLE"}, "feedback"),
        ({"title": "TITLE", "feedback": "love"}, "feedback"),
    ],
)
def test_api_400_names_the_field(
    payload: dict[str, Any],
    field: str,
    subscriber_user: Any,
    sub: Subscriber,
    api_client_for: Callable[..., Any],
) -> None:
    title = tagged_title("Heat", safe_values())
    payload = {k: (title.pk if v == "TITLE" else v) for k, v in payload.items()}
    response = api_client_for(subscriber_user).post(FEEDBACK, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not ViewingEvent.objects.exists()
    assert not OutboxEvent.objects.exists()
