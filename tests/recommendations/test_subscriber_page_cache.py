"""The home page is served whole from the cache while nothing it shows has changed; every
change it shows (feedback, limits, a new list, a relabelled tag, a message) shows at once."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from recommendations.models import Subscriber

from .subscriber_helpers import list_write, safe_values, tagged_title

pytestmark = pytest.mark.django_db
HOME = "/for-you/"


def _client(user: Any, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def test_a_second_view_is_one_state_query_and_a_cache_get(
    subscriber_user: Any, sub: Subscriber, django_assert_max_num_queries: Any
) -> None:
    list_write(sub, [tagged_title("Cached", safe_values())])
    client = _client(subscriber_user)
    client.get(HOME)  # sets the CSRF cookie the cached page's tokens need
    second = client.get(HOME).content  # rendered (tokens masked afresh) and kept
    # session, user, roles, list state: nothing else
    with django_assert_max_num_queries(4):
        third = client.get(HOME).content
    assert second == third  # the very same bytes: no render


def test_every_change_it_shows_applies_at_once(subscriber_user: Any, sub: Subscriber) -> None:
    keep = tagged_title("Keep Me", safe_values())
    drop = tagged_title("Drop Me", safe_values())
    rough = tagged_title("Rough One", safe_values(violence=4))
    list_write(sub, [keep, drop, rough])
    client = _client(subscriber_user)
    for _ in range(2):  # the second one from the cache
        html = client.get(HOME).content.decode()
        assert "Keep Me" in html
        assert "Drop Me" in html
        assert "Rough One" in html
    client.post(
        reverse("recommendations:feedback", args=[drop.pk]),
        {"feedback": "not_interested"},
        HTTP_HX_REQUEST="true",
    )
    assert "Drop Me" not in client.get(HOME).content.decode()
    client.post(reverse("recommendations:profile"), {"preset": "custom", "max_violence": "2"})
    html = client.get(HOME).content.decode()
    assert "Rough One" not in html
    assert "Keep Me" in html
    list_write(
        sub,
        [tagged_title("Brand New", safe_values())],
        generated_at=timezone.now() + timedelta(seconds=5),
    )
    html = client.get(HOME).content.decode()
    assert "Brand New" in html
    assert "Keep Me" not in html


def test_a_message_is_shown_once_and_never_cached(subscriber_user: Any, sub: Subscriber) -> None:
    title = tagged_title("Liked", safe_values())
    list_write(sub, [title])
    client = _client(subscriber_user)
    client.get(HOME)
    client.get(HOME)  # cached now
    client.post(reverse("recommendations:feedback", args=[title.pk]), {"feedback": "like"})
    assert "your suggestions are being updated" in client.get(HOME).content.decode()
    assert "your suggestions are being updated" not in client.get(HOME).content.decode()


def test_a_cached_page_carries_tokens_of_the_browser_that_asks(
    subscriber_user: Any, sub: Subscriber
) -> None:
    """Another browser of the same account has another CSRF secret: it gets its own page,
    whose token lets it post feedback."""
    title = tagged_title("Token", safe_values())
    list_write(sub, [title])
    first = _client(subscriber_user, enforce_csrf_checks=True)
    first.get(HOME)
    first.get(HOME)
    other = _client(subscriber_user, enforce_csrf_checks=True)
    other.get(HOME)
    html = other.get(HOME).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None
    response = other.post(
        reverse("recommendations:feedback", args=[title.pk]),
        {"feedback": "like", "csrfmiddlewaretoken": token.group(1)},
    )
    assert response.status_code == 302
    assert subscriber_user.get_username() in html
