"""Maturity limits: presets, validation against the maturity dimensions, rebuild on change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from catalog.models import OutboxEvent
from recommendations.models import Subscriber
from recommendations.services.profile import profile_update

pytestmark = pytest.mark.django_db
PROFILE = "/api/v1/me/profile/"


def test_presets_set_the_codebooks_maturity_dimensions(sub: Subscriber) -> None:
    profile_update(subscriber=sub, preset="kids")
    assert sub.max_levels == {"violence": 1, "sex": 0, "language": 1}
    profile_update(subscriber=sub, preset="teen")
    assert sub.max_levels == {"violence": 3, "sex": 2, "language": 3}
    profile_update(subscriber=sub, preset="adult")
    assert sub.max_levels == {}


def test_limits_merge_and_null_lifts_one(sub: Subscriber) -> None:
    profile_update(subscriber=sub, max_levels={"violence": 2, "sex": 0})
    profile_update(subscriber=sub, max_levels={"sex": None, "language": 4})
    sub.refresh_from_db()
    assert sub.max_levels == {"violence": 2, "language": 4}


@pytest.mark.parametrize(
    ("levels", "field"),
    [
        ({"gore": 2}, "max_levels.gore"),  # ordinal but not a maturity dimension
        ({"genre": 1}, "max_levels.genre"),
        ({"nonsense": 1}, "max_levels.nonsense"),
        ({"violence": 6}, "max_levels.violence"),
        ({"violence": -1}, "max_levels.violence"),
        ({"violence": 2.5}, "max_levels.violence"),
        ({"violence": True}, "max_levels.violence"),
        ({"violence": "high"}, "max_levels.violence"),
    ],
)
def test_bad_limits_are_refused_naming_the_field(
    sub: Subscriber, levels: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        profile_update(subscriber=sub, max_levels=levels)
    assert field in excinfo.value.message_dict
    sub.refresh_from_db()
    assert sub.max_levels == {}
    assert not OutboxEvent.objects.exists()


def test_a_change_queues_a_rebuild_and_a_no_op_does_not(sub: Subscriber) -> None:
    profile_update(subscriber=sub, max_levels={"violence": 2})
    assert OutboxEvent.objects.filter(kind="subscriber", object_id=sub.pk).count() == 1
    profile_update(subscriber=sub, max_levels={"violence": 2})
    assert OutboxEvent.objects.count() == 1


def test_api_get_and_patch(
    subscriber_user: Any, sub: Subscriber, api_client_for: Callable[..., Any]
) -> None:
    client = api_client_for(subscriber_user)
    body = client.get(PROFILE).json()
    assert body["max_levels"] == {}
    assert body["preset"] == "adult"
    assert {d["slug"] for d in body["dimensions"]} == {"violence", "sex", "language"}
    body = client.patch(PROFILE, {"max_levels": {"violence": 1, "sex": 0}}, format="json").json()
    assert body["max_levels"] == {"violence": 1, "sex": 0}
    assert body["preset"] == "custom"
    body = client.patch(PROFILE, {"preset": "kids"}, format="json").json()
    assert body["preset"] == "kids"
    assert body["max_levels"] == {"violence": 1, "sex": 0, "language": 1}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"max_levels": {"violence": 9}}, "max_levels.violence"),
        ({"max_levels": {"romance": 1}}, "max_levels.romance"),
        ({"max_levels": [1, 2]}, "max_levels"),
        ({"preset": "toddler"}, "preset"),
    ],
)
def test_api_400_names_the_field(
    payload: dict[str, Any],
    field: str,
    subscriber_user: Any,
    sub: Subscriber,
    api_client_for: Callable[..., Any],
) -> None:
    response = api_client_for(subscriber_user).patch(PROFILE, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_profile_page_saves_a_preset_and_custom_levels(
    subscriber_user: Any, sub: Subscriber
) -> None:
    client = Client()
    client.force_login(subscriber_user)
    page = client.get(reverse("recommendations:profile")).content.decode()
    assert "Kids" in page
    assert "Teen" in page
    assert "Adult" in page
    assert "Violence" in page
    response = client.post(reverse("recommendations:profile"), {"preset": "teen"})
    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.max_levels == {"violence": 3, "sex": 2, "language": 3}
    client.post(
        reverse("recommendations:profile"),
        {"preset": "custom", "max_violence": "2", "max_sex": "", "max_language": "5"},
    )
    sub.refresh_from_db()
    assert sub.max_levels == {"violence": 2, "language": 5}
    response = client.post(
        reverse("recommendations:profile"), {"preset": "custom", "max_violence": "8"}
    )
    assert response.status_code == 400
    sub.refresh_from_db()
    assert sub.max_levels == {"violence": 2, "language": 5}
