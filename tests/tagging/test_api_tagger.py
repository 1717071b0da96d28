"""Every tagger rule through the HTTP API, against the shipped codebook."""

from __future__ import annotations

import json

import pytest

from accounts.roles import Role
from catalog.models import CanonicalTags, Tag
from tagging.models import Assignment, Tagging, TaggingRevision
from tests.catalog.factories import TitleFactory
from tests.tagging.factories import assign

pytestmark = pytest.mark.django_db

COMPLETE = {"genre": ["drama"], "tone": ["sincere"], "violence": 1, "sex": 0, "language": 2}


@pytest.fixture
def client(api_client_for, tagger):
    return api_client_for(tagger)


def create(client, title, **body):
    return client.post("/api/v1/taggings/", {"title": title.pk, **body}, format="json")


# --- assignments ---------------------------------------------------------------------------


def test_tagger_lists_only_own_assignments(client, tagger, make_user):
    mine = assign(tagger)
    assign(make_user(Role.TAGGER))
    res = client.get("/api/v1/assignments/")
    assert res.status_code == 200
    assert [row["id"] for row in res.json()["results"]] == [mine.pk]
    assert res.json()["results"][0]["title"]["id"] == mine.title_id


def test_editor_lists_all_assignments_and_filters(api_client_for, editor, tagger, make_user):
    other = make_user(Role.TAGGER)
    assign(tagger)
    assign(other)
    res = api_client_for(editor).get("/api/v1/assignments/", {"tagger": other.username})
    assert [row["tagger"] for row in res.json()["results"]] == [other.username]
    assert api_client_for(editor).get("/api/v1/assignments/").json()["count"] == 2


def test_editor_assigns_one_or_a_list(api_client_for, editor, tagger, make_user):
    other = make_user(Role.TAGGER)
    t1, t2 = TitleFactory(), TitleFactory()
    client = api_client_for(editor)
    res = client.post(
        "/api/v1/assignments/",
        {"title": t1.pk, "tagger": tagger.username, "priority": 3, "due_date": "2030-01-31"},
        format="json",
    )
    assert res.status_code == 201, res.json()
    assert res.json()["priority"] == 3
    assert res.json()["due_date"] == "2030-01-31"
    res = client.post(
        "/api/v1/assignments/",
        [{"title": t2.pk, "tagger": tagger.username}, {"title": t2.pk, "tagger": other.username}],
        format="json",
    )
    assert res.status_code == 201
    assert len(res.json()) == 2
    assert Assignment.objects.filter(title=t2).count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": 999999, "tagger": "T"}, "title"),
        ({"title": "T1", "tagger": "nobody"}, "tagger"),
        ({"tagger": "T"}, "title"),
        ({"title": "T1", "tagger": "T", "priority": "high"}, "priority"),
        ({"title": "T1", "tagger": "T", "color": "red"}, "color"),
    ],
)
def test_bad_assignment_names_the_field(api_client_for, editor, tagger, body, field):
    title = TitleFactory()
    body = {
        k: (title.pk if v == "T1" else tagger.username if v == "T" else v) for k, v in body.items()
    }
    res = api_client_for(editor).post("/api/v1/assignments/", body, format="json")
    assert res.status_code == 400
    assert field in res.json()["errors"]
    assert not Assignment.objects.exists()


def test_a_list_with_one_bad_row_creates_nothing(api_client_for, editor, tagger):
    title = TitleFactory()
    res = api_client_for(editor).post(
        "/api/v1/assignments/",
        [
            {"title": title.pk, "tagger": tagger.username},
            {"title": title.pk, "tagger": tagger.username},
        ],
        format="json",
    )
    assert res.status_code == 400
    assert "1.title" in res.json()["errors"]
    assert not Assignment.objects.exists()


def test_assigning_to_a_non_tagger_is_refused(api_client_for, editor, subscriber_user):
    res = api_client_for(editor).post(
        "/api/v1/assignments/",
        {"title": TitleFactory().pk, "tagger": subscriber_user.username},
        format="json",
    )
    assert res.status_code == 400
    assert "tagger" in res.json()["errors"]


def test_taggers_cannot_assign(client, tagger):
    res = client.post(
        "/api/v1/assignments/",
        {"title": TitleFactory().pk, "tagger": tagger.username},
        format="json",
    )
    assert res.status_code == 403


def test_next_returns_the_queue_then_the_pool_then_204(client, tagger, make_user, settings):
    settings.TAGGING_OVERLAP = 2
    queued = assign(tagger, priority=1)
    res = client.post("/api/v1/assignments/next/")
    assert res.status_code == 200
    assert res.json()["id"] == queued.pk
    assert res.json()["title"]["title"] == queued.title.title
    assert res.json()["tagging"] is None
    Assignment.objects.filter(pk=queued.pk).update(status="submitted")
    pool_title = TitleFactory()
    res = client.post("/api/v1/assignments/next/")
    assert res.status_code == 200
    assert res.json()["title"]["id"] == pool_title.pk
    assert res.json()["source"] == "pool"
    Assignment.objects.filter(tagger=tagger).update(status="submitted")
    assert client.post("/api/v1/assignments/next/").status_code == 204


def test_next_includes_the_existing_tagging(client, tagger):
    a = assign(tagger)
    tagging_id = create(client, a.title).json()["id"]
    res = client.post("/api/v1/assignments/next/")
    assert res.json()["tagging"] == {"id": tagging_id, "status": "draft", "version": 1}


def test_pool_never_exceeds_the_overlap_through_the_api(api_client_for, make_user, settings):
    settings.TAGGING_OVERLAP = 2
    titles = TitleFactory.create_batch(3)
    taggers = [make_user(Role.TAGGER) for _ in range(8)]
    codes = [api_client_for(t).post("/api/v1/assignments/next/").status_code for t in taggers]
    assert codes == [200] * 6 + [204] * 2
    for title in titles:
        assert Assignment.objects.filter(title=title).count() == 2


def test_editors_cannot_take_next(api_client_for, editor):
    assert api_client_for(editor).post("/api/v1/assignments/next/").status_code == 403


# --- taggings: create, read ----------------------------------------------------------------


def test_create_a_draft(client, tagger):
    a = assign(tagger)
    res = create(client, a.title, values={"violence": 2, "genre": ["drama"]}, notes="first look")
    assert res.status_code == 201, res.json()
    body = res.json()
    assert body["version"] == 1
    assert body["status"] == "draft"
    assert body["values"] == {"violence": 2, "genre": ["drama"]}
    assert body["tagger"] == tagger.username


def test_second_create_for_the_same_title_is_409_and_changes_nothing(client, tagger):
    a = assign(tagger)
    create(client, a.title, values={"violence": 2})
    res = create(client, a.title, values={"violence": 5})
    assert res.status_code == 409
    assert "version" in res.json()["detail"]
    assert Tagging.objects.get().values == {"violence": 2}


def test_no_self_assignment(client):
    res = create(client, TitleFactory())
    assert res.status_code == 400
    assert "title" in res.json()["errors"]
    assert not Tagging.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"values": {"violence": 6}}, "violence"),
        ({"values": {"violence": -1}}, "violence"),
        ({"values": {"violence": "four"}}, "violence"),
        ({"values": {"violence": True}}, "violence"),
        ({"values": {"genre": ["not-a-genre"]}}, "genre"),
        ({"values": {"genre": "drama"}}, "genre"),
        ({"values": {"mood": ["dark"]}}, "mood"),
        ({"values": {"time-period": ["future"]}}, "time-period"),
        ({"values": {"based-on-book": "yes"}}, "based-on-book"),
        ({"values": ["drama"]}, "values"),
        ({"notes": {"a": 1}}, "notes"),
        ({"notes": "x" * 5001}, "notes"),
        ({"evidence": {"violence": [{"seconds": "soon"}]}}, "evidence.violence"),
        ({"seconds_spent": -3}, "seconds_spent"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_stores_nothing(client, tagger, body, field):
    a = assign(tagger)
    res = create(client, a.title, **body)
    assert res.status_code == 400, res.json()
    assert field in res.json()["errors"]
    assert res.json()["detail"]
    assert not Tagging.objects.exists()


def test_retired_tag_is_refused(client, tagger):
    Tag.objects.filter(dimension__slug="genre", slug="western").update(active=False)
    a = assign(tagger)
    res = create(client, a.title, values={"genre": ["western"]})
    assert res.status_code == 400
    assert "retired" in res.json()["errors"]["genre"][0]


def test_oversized_payload_is_400(client, tagger):
    a = assign(tagger)
    payload = json.dumps({"title": a.title_id, "notes": "x" * (300 * 1024)})
    res = client.generic("POST", "/api/v1/taggings/", payload, content_type="application/json")
    assert res.status_code == 400
    assert "body" in res.json()["errors"]
    assert not Tagging.objects.exists()


def test_markup_in_notes_is_stored_as_text(client, tagger):
    a = assign(tagger)
    res = create(client, a.title, notes="<script>alert(1)</script>")
    assert res.status_code == 201
    assert res.json()["notes"] == "<script>alert(1)</script>"  # JSON is not HTML; pages escape it


# --- blind double-coding -------------------------------------------------------------------


def test_another_taggers_tagging_is_404_for_read_write_and_submit(
    client, tagger, make_user, api_client_for
):
    other = make_user(Role.TAGGER)
    a = assign(other)
    theirs = create(api_client_for(other), a.title, values={"violence": 4}).json()["id"]
    assign(tagger, title=a.title)
    assert client.get(f"/api/v1/taggings/{theirs}/").status_code == 404
    assert client.get(f"/api/v1/taggings/{theirs}/history/").status_code == 404
    res = client.patch(f"/api/v1/taggings/{theirs}/", {"version": 1, "values": {}}, format="json")
    assert res.status_code == 404
    assert client.post(f"/api/v1/taggings/{theirs}/submit/").status_code == 404
    assert client.get("/api/v1/taggings/").json()["count"] == 0
    assert client.get("/api/v1/taggings/", {"title": a.title_id}).json()["count"] == 0


def test_tagger_api_never_carries_canonical_tags_or_others_answers(
    client, tagger, make_user, api_client_for
):
    other = make_user(Role.TAGGER)
    title = TitleFactory()
    CanonicalTags.objects.create(title=title, values={"genre": ["western"], "violence": 5})
    create(
        api_client_for(other),
        assign(other, title=title).title,
        notes="OTHER-SECRET",
        values={"violence": 4},
    )
    assign(tagger, title=title)
    for res in (
        client.get("/api/v1/assignments/"),
        client.post("/api/v1/assignments/next/"),
        create(client, title),
        client.get("/api/v1/taggings/"),
    ):
        text = res.content.decode()
        assert "OTHER-SECRET" not in text
        assert "western" not in text


def test_editor_sees_every_tagging(api_client_for, editor, tagger, client):
    a = assign(tagger)
    tid = create(client, a.title).json()["id"]
    assert api_client_for(editor).get(f"/api/v1/taggings/{tid}/").status_code == 200
    assert (
        api_client_for(editor)
        .patch(f"/api/v1/taggings/{tid}/", {"version": 1}, format="json")
        .status_code
        == 403
    )


# --- patch, optimistic locking, submit -----------------------------------------------------


def test_patch_with_current_version_saves_and_records_history(client, tagger):
    a = assign(tagger)
    tid = create(client, a.title).json()["id"]
    res = client.patch(
        f"/api/v1/taggings/{tid}/", {"version": 1, "values": {"violence": 3}}, format="json"
    )
    assert res.status_code == 200
    assert res.json()["version"] == 2
    history = client.get(f"/api/v1/taggings/{tid}/history/").json()
    assert [h["version"] for h in history] == [2, 1]
    assert history[0]["values"] == {"violence": 3}
    assert history[0]["saved_by"] == tagger.username


def test_stale_patch_is_409_and_stores_nothing(client, tagger):
    a = assign(tagger)
    tid = create(client, a.title).json()["id"]
    assert (
        client.patch(
            f"/api/v1/taggings/{tid}/", {"version": 1, "values": {"violence": 3}}, format="json"
        ).status_code
        == 200
    )
    res = client.patch(
        f"/api/v1/taggings/{tid}/", {"version": 1, "values": {"violence": 5}}, format="json"
    )
    assert res.status_code == 409
    assert res.json()["detail"]
    tagging = Tagging.objects.get()
    assert tagging.values == {"violence": 3}
    assert tagging.version == 2
    assert TaggingRevision.objects.count() == 2


def test_patch_without_version_is_400(client, tagger):
    a = assign(tagger)
    tid = create(client, a.title).json()["id"]
    res = client.patch(f"/api/v1/taggings/{tid}/", {"values": {"violence": 3}}, format="json")
    assert res.status_code == 400
    assert "version" in res.json()["errors"]


def test_bad_patch_stores_nothing(client, tagger):
    a = assign(tagger)
    tid = create(client, a.title, values={"violence": 1}).json()["id"]
    res = client.patch(
        f"/api/v1/taggings/{tid}/", {"version": 1, "values": {"violence": 9}}, format="json"
    )
    assert res.status_code == 400
    assert "violence" in res.json()["errors"]
    assert Tagging.objects.get().version == 1


def test_submit_validates_required_dimensions(client, tagger):
    a = assign(tagger)
    tid = create(client, a.title, values={"genre": ["drama"]}).json()["id"]
    res = client.post(f"/api/v1/taggings/{tid}/submit/", {"version": 1}, format="json")
    assert res.status_code == 400
    assert set(res.json()["errors"]) == {"tone", "violence", "sex", "language"}
    assert Tagging.objects.get().status == "draft"


def test_submit_then_read_only_409(client, tagger):
    a = assign(tagger)
    tid = create(client, a.title, values=COMPLETE).json()["id"]
    res = client.post(f"/api/v1/taggings/{tid}/submit/", {"version": 1}, format="json")
    assert res.status_code == 200
    assert res.json()["status"] == "submitted"
    assert res.json()["submitted_at"]
    res = client.patch(
        f"/api/v1/taggings/{tid}/", {"version": 2, "values": {"violence": 5}}, format="json"
    )
    assert res.status_code == 409
    assert "read-only" in res.json()["detail"]
    assert client.post(f"/api/v1/taggings/{tid}/submit/").status_code == 409
    assert Tagging.objects.get().values["violence"] == 1
    assert Assignment.objects.get().status == "submitted"


def test_stale_submit_is_409(client, tagger):
    a = assign(tagger)
    tid = create(client, a.title, values=COMPLETE).json()["id"]
    client.patch(f"/api/v1/taggings/{tid}/", {"version": 1, "notes": "n"}, format="json")
    res = client.post(f"/api/v1/taggings/{tid}/submit/", {"version": 1}, format="json")
    assert res.status_code == 409
    assert Tagging.objects.get().status == "draft"


def test_unauthenticated_is_refused():
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/taggings/").status_code in {401, 403}
