"""The taggers' hot endpoints (next, draft, save, submit) answer exactly what the serializers
would, read fresh codebooks, and stay within their query budgets."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from catalog.models import Tag
from tagging.api.shapes import assignment_data, tagging_data
from tagging.models import Assignment, Tagging
from tagging.serializers import AssignmentSerializer, TaggingSerializer
from tests.catalog.factories import TitleFactory
from tests.tagging.factories import assign

pytestmark = pytest.mark.django_db

COMPLETE = {"genre": ["drama"], "tone": ["sincere"], "violence": 1, "sex": 0, "language": 2}


def _json(data: object) -> bytes:
    return JSONRenderer().render(data)


@pytest.fixture
def token_client(tagger):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=tagger).key}")
    return client


def test_plain_shapes_equal_the_serializers(tagger):
    parent = TitleFactory(kind="series", year=None)
    title = TitleFactory(kind="episode", parent=parent, year=1999, runtime_minutes=42)
    a = assign(tagger, title, priority=3, due_date=dt.date(2031, 5, 4), is_calibration=True)
    now = timezone.now()
    t = Tagging.objects.create(
        title=title,
        tagger=tagger,
        assignment=a,
        status="returned",
        values={"violence": 2},
        evidence={"violence": [{"value": 2, "seconds": 1.5}]},
        notes="n",
        version=4,
        seconds_spent=9,
        submitted_at=now,
        returned_comment="again",
        returned_at=now,
    )
    a = Assignment.objects.select_related("title", "tagger", "tagging").get(pk=a.pk)
    assert _json(assignment_data(a, tagging=a.tagging)) == _json(AssignmentSerializer(a).data)
    t = Tagging.objects.select_related("tagger").get(pk=t.pk)
    assert _json(tagging_data(t, tagger_username=tagger.username)) == _json(
        TaggingSerializer(t).data
    )
    b = assign(tagger)
    b = Assignment.objects.select_related("title", "tagger").get(pk=b.pk)
    assert _json(assignment_data(b, tagging=None)) == _json(AssignmentSerializer(b).data)


def test_each_response_is_the_stored_row(token_client, tagger):
    """No re-read after the writes: what the endpoints answer must still be what is stored."""
    TitleFactory()
    nxt = token_client.post("/api/v1/assignments/next/")
    assert nxt.status_code == 200
    stored = Assignment.objects.select_related("title", "tagger").get(pk=nxt.json()["id"])
    assert nxt.content == _json(AssignmentSerializer(stored).data)

    draft = token_client.post(
        "/api/v1/taggings/",
        {"title": nxt.json()["title"]["id"], "values": {"genre": ["drama"]}, "notes": "x"},
        format="json",
    )
    assert draft.status_code == 201

    def stored_tagging() -> object:
        # Parsed: PostgreSQL's jsonb stores object keys in its own order.
        return json.loads(_json(TaggingSerializer(Tagging.objects.get(pk=draft.json()["id"])).data))

    assert draft.json() == stored_tagging()
    saved = token_client.patch(
        f"/api/v1/taggings/{draft.json()['id']}/",
        {"version": 1, "values": COMPLETE, "seconds_spent": 30},
        format="json",
    )
    assert saved.status_code == 200
    assert saved.json() == stored_tagging()
    submitted = token_client.post(
        f"/api/v1/taggings/{draft.json()['id']}/submit/", {"version": 2}, format="json"
    )
    assert submitted.status_code == 200
    assert submitted.json() == stored_tagging()
    assert submitted.json()["status"] == "submitted"
    assert Assignment.objects.get(pk=nxt.json()["id"]).status == "submitted"
    again = token_client.post("/api/v1/assignments/next/")
    assert again.status_code == 204


def test_save_after_a_concurrent_save_reads_the_row_back(tagger):
    """The client's version is newer than the row the request read: the answer is re-read."""
    from tagging.services.taggings import tagging_create, tagging_save_draft

    a = assign(tagger)
    t = tagging_create(tagger=tagger, title=a.title, values={"genre": ["drama"]})
    loaded = Tagging.objects.get(pk=t.pk)  # version 1
    tagging_save_draft(tagging=Tagging.objects.get(pk=t.pk), user=tagger, version=1, notes="b")
    out = tagging_save_draft(tagging=loaded, user=tagger, version=2, values={"violence": 3})
    assert out.version == 3
    assert out.notes == "b"  # from the concurrent save, not the stale instance
    assert out.values == {"violence": 3}


def test_codebook_change_is_seen_by_the_next_save(token_client, tagger):
    """The codebook is cached per process; a change made outside the taxonomy services (a raw
    UPDATE, as the admin or a shell would) must still apply to the very next save."""
    a = assign(tagger)
    draft = token_client.post(
        "/api/v1/taggings/", {"title": a.title_id, "values": {"genre": ["western"]}}, format="json"
    )
    assert draft.status_code == 201  # the codebook is now cached with "western" active
    Tag.objects.filter(dimension__slug="genre", slug="western").update(active=False)
    res = token_client.patch(
        f"/api/v1/taggings/{draft.json()['id']}/",
        {"version": 1, "values": {"genre": ["western"]}},
        format="json",
    )
    assert res.status_code == 400
    assert "retired" in res.json()["errors"]["genre"][0]


def test_create_for_a_missing_title_names_the_field(token_client):
    res = token_client.post("/api/v1/taggings/", {"title": 987654}, format="json")
    assert res.status_code == 400
    assert res.json()["errors"] == {"title": ['Invalid pk "987654" - object does not exist.']}
    res = token_client.post("/api/v1/taggings/", {"title": "abc"}, format="json")
    assert res.status_code == 400
    assert res.json()["errors"] == {"title": ["Incorrect type. Expected pk value, received str."]}


def test_query_budgets(token_client):
    """One query for the token, user and roles; the rest is the endpoint's own reads and
    writes (BEGIN/COMMIT included)."""
    TitleFactory()
    with CaptureQueriesContext(connection) as q:
        nxt = token_client.post("/api/v1/assignments/next/")
    assert nxt.status_code == 200
    row_lock = 1 if connection.features.has_select_for_update_skip_locked else 0  # PostgreSQL
    assert len(q) <= 7 + row_lock, [x["sql"] for x in q.captured_queries]
    with CaptureQueriesContext(connection) as q:
        draft = token_client.post(
            "/api/v1/taggings/",
            {"title": nxt.json()["title"]["id"], "values": COMPLETE},
            format="json",
        )
    assert draft.status_code == 201
    assert len(q) <= 8, [x["sql"] for x in q.captured_queries]
    with CaptureQueriesContext(connection) as q:
        sub = token_client.post(
            f"/api/v1/taggings/{draft.json()['id']}/submit/", {"version": 1}, format="json"
        )
    assert sub.status_code == 200
    assert len(q) <= 8, [x["sql"] for x in q.captured_queries]
