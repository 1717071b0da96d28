"""The operator status page and ``GET /api/v1/recommendations/status/``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from catalog.models import OutboxEvent
from catalog.outbox import outbox_record
from catalog.services import canonical_tags_set
from recommendations.models import RebuildRun, RecommendationList
from recommendations.services.rebuild import rebuild_all_inline
from tests.conftest import PASSWORD

from .pipeline_support import _fresh_engine_state, world_build  # noqa: F401

pytestmark = pytest.mark.django_db
URL = "/api/v1/recommendations/status/"


def test_status_reports_pending_rows_last_rebuild_and_stale_lists(
    operator: Any, api_client_for: Any
) -> None:
    world = world_build(n_titles=12, n_subscribers=3)
    rebuild_all_inline()
    RecommendationList.objects.update(generated_at=timezone.now() - timedelta(hours=2))
    with transaction.atomic():
        canonical_tags_set(
            title=world.titles[0], values={"genre": ["drama"], "violence": 1}, source="adjudicated"
        )
        outbox_record(kind=OutboxEvent.Kind.SUBSCRIBER, object_ids=[world.subscribers[0].pk])
    data = api_client_for(operator).get(URL).json()
    assert data["pending"] == 2
    assert data["pending_by_kind"] == {"title_tags": 1, "subscriber": 1}
    assert data["last_rebuild"]["kind"] == "full"
    assert data["last_rebuild"]["done"] == 3
    assert data["lists"] == data["subscribers"] == 3
    assert data["stale_lists"] == 3  # built before the newest tag revision
    assert 7000 < data["oldest_stale_list_age_seconds"] < 7400
    assert data["durations"]["full"]["count"] == 1


def test_status_shows_running_rebuild_progress(editor: Any, api_client_for: Any) -> None:
    RebuildRun.objects.create(kind=RebuildRun.Kind.FULL, total=10, done=4)
    data = api_client_for(editor).get(URL).json()
    assert data["running"][0]["done"] == 4
    assert data["running"][0]["total"] == 10
    assert data["pending"] == 0
    assert data["last_rebuild"] is None
    assert data["oldest_stale_list_age_seconds"] is None


@pytest.mark.parametrize("role", [Role.TAGGER, Role.SUBSCRIBER])
def test_status_is_for_editors_and_operators_only(
    role: Role, make_user: Any, api_client_for: Any
) -> None:
    assert api_client_for(make_user(role)).get(URL).status_code == 403
    assert Client().get(URL).status_code in (401, 403)


def test_operations_page_renders_and_htmx_gets_the_partial(operator: Any) -> None:
    RebuildRun.objects.create(kind=RebuildRun.Kind.FULL, total=10, done=4, detail="manual")
    client = Client()
    client.login(username=operator.username, password=PASSWORD)
    page = client.get(reverse("recommendations:status"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Operations" in html
    assert 'hx-trigger="every 3s"' in html
    assert "4 of 10" in html
    assert "<html" in html
    partial = client.get(reverse("recommendations:status"), HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    assert "4 of 10" in partial.content.decode()


def test_operator_can_queue_a_full_rebuild_from_the_page(
    operator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    world_build(n_titles=6, n_subscribers=2)
    client = Client()
    client.login(username=operator.username, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("recommendations:rebuild-all"))
    assert response.status_code == 302
    assert RecommendationList.objects.count() == 2


def test_editor_cannot_queue_a_rebuild(editor: Any) -> None:
    client = Client()
    client.login(username=editor.username, password=PASSWORD)
    assert client.post(reverse("recommendations:rebuild-all")).status_code == 403
