"""Fixtures shared by the subscriber tests."""

from __future__ import annotations

from typing import Any

import pytest

from recommendations.models import Subscriber
from recommendations.selectors_subscriber import subscriber_for_user


@pytest.fixture
def sub(subscriber_user: Any) -> Subscriber:
    """The Subscriber row of ``subscriber_user`` (created on first use, as the pages do)."""
    subscriber = subscriber_for_user(user=subscriber_user)
    assert subscriber is not None
    return subscriber
