"""Editor endpoints: agreement per dimension and per title, adjudication with optimistic locking
and the outbox row."""

from __future__ import annotations

from datetime import timedelta

import krippendorff
import numpy as np
import pytest
from django.utils import timezone

from accounts.roles import Role
from catalog.models import CanonicalTags, CanonicalTagsRevision, OutboxEvent

from .review_support import make_title, review_codebook, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def dims():
    return review_codebook()


@pytest.fixture
def three_taggers(make_user):
    return [make_user(Role.TAGGER, username=f"t{i}") for i in range(3)]


def test_agreement_matches_the_package_for_an_ordinal_dimension(
    dims, three_taggers, editor, api_client_for
):
    levels = np.array(
        [[0, 1, 2, 3, 4, 5, 2, 1], [0, 1, 3, 3, 4, 4, 2, np.nan], [1, 1, 2, np.nan, 5, 5, 1, 0]]
    )
    for u in range(levels.shape[1]):
        title = make_title()
        for c, tagger in enumerate(three_taggers):
            if not np.isnan(levels[c, u]):
                submit(title, tagger, {"violence": int(levels[c, u])})
    body = (
        api_client_for(editor)
        .get("/api/v1/agreement/", {"dimension": "violence", "bootstrap": 200})
        .json()
    )
    assert body["dimension"] == "violence"
    assert body["level_of_measurement"] == "ordinal"
    assert body["alpha"] == pytest.approx(
        krippendorff.alpha(levels, level_of_measurement="ordinal"), abs=1e-4
    )
    assert body["units"] == 8
    assert body["taggers"] == 3
    lo, hi = body["ci"]
    assert lo <= body["alpha"] <= hi


def test_agreement_of_a_multi_select_dimension_has_per_tag_and_set_alphas(
    dims, three_taggers, editor, api_client_for
):
    answers = [
        (["comedy"], ["comedy"]),
        (["drama"], ["drama", "thriller"]),
        (["thriller"], ["comedy"]),
        ([], ["horror"]),
    ]
    for a, b in answers:
        title = make_title()
        submit(title, three_taggers[0], {"genre": a} if a else {})
        submit(title, three_taggers[1], {"genre": b})
    body = api_client_for(editor).get("/api/v1/agreement/?dimension=genre&bootstrap=0").json()
    assert set(body["per_tag"]) == {"comedy", "drama", "thriller", "horror"}
    comedy = np.array([[1, 0, 0, 0], [1, 0, 1, 0]], dtype=float)
    assert body["per_tag"]["comedy"] == pytest.approx(
        krippendorff.alpha(comedy, level_of_measurement="nominal"), abs=1e-4
    )
    assert body["set_alpha"] == body["alpha"]
    assert body["set_distance"] == "masi"
    assert body["ci"] is None


def test_agreement_filters_by_date_tagger_and_title(dims, three_taggers, editor, api_client_for):
    old = timezone.now() - timedelta(days=40)
    t1, t2 = make_title(), make_title()
    submit(t1, three_taggers[0], {"violence": 1}, when=old)
    submit(t1, three_taggers[1], {"violence": 1}, when=old)
    submit(t2, three_taggers[0], {"violence": 1})
    submit(t2, three_taggers[1], {"violence": 4})
    submit(t2, three_taggers[2], {"violence": 4})
    client = api_client_for(editor)
    since = (timezone.now() - timedelta(days=7)).date().isoformat()
    assert (
        client.get("/api/v1/agreement/", {"dimension": "violence", "since": since}).json()["units"]
        == 1
    )
    by_tagger = client.get(
        "/api/v1/agreement/", {"dimension": "violence", "taggers": "t1,t2"}
    ).json()
    assert by_tagger["units"] == 1
    assert by_tagger["taggers"] == 2
    assert (
        client.get("/api/v1/agreement/", {"dimension": "violence", "titles": str(t1.pk)}).json()[
            "units"
        ]
        == 1
    )


@pytest.mark.parametrize("query", [{}, {"dimension": "nope"}])
def test_agreement_names_the_dimension_field_when_missing_or_unknown(
    dims, editor, api_client_for, query
):
    response = api_client_for(editor).get("/api/v1/agreement/", query)
    assert response.status_code == 400
    assert "dimension" in response.json()["errors"]


def test_title_agreement_shows_each_taggers_answer_and_the_proposal(
    dims, three_taggers, editor, api_client_for
):
    title = make_title()
    submit(title, three_taggers[0], {"violence": 1, "genre": ["comedy", "drama"], "period": "past"})
    submit(title, three_taggers[1], {"violence": 2, "genre": ["comedy"], "period": "past"})
    submit(
        title,
        three_taggers[2],
        {"violence": 4, "genre": ["comedy", "thriller"], "period": "future"},
    )
    body = api_client_for(editor).get(f"/api/v1/titles/{title.pk}/agreement/").json()
    assert body["proposal"] == {"violence": 2, "genre": ["comedy"], "period": "past"}
    violence = next(d for d in body["dimensions"] if d["dimension"] == "violence")
    assert sorted(a["value"] for a in violence["answers"]) == [1, 2, 4]
    # mean pairwise |gap|/5 over (1,2),(1,4),(2,4) = (1+3+2)/3/5 = 0.4
    assert violence["disagreement"] == pytest.approx(0.4)
    assert body["canonical"]["version"] == 0


def test_put_canonical_tags_versions_them_and_writes_the_outbox_row(
    dims, editor, api_client_for, django_capture_on_commit_callbacks
):
    title = make_title()
    client = api_client_for(editor)
    before = OutboxEvent.objects.count()
    response = client.put(
        f"/api/v1/titles/{title.pk}/canonical-tags/",
        {"values": {"violence": 2, "genre": ["drama"]}, "reason": "majority", "version": 0},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 1
    assert response.json()["source"] == "adjudicated"
    assert OutboxEvent.objects.count() == before + 1
    assert OutboxEvent.objects.last().kind == OutboxEvent.Kind.TITLE_TAGS
    revision = CanonicalTagsRevision.objects.get(title=title)
    assert revision.changed_by == editor
    assert revision.reason == "majority"
    stale = client.put(
        f"/api/v1/titles/{title.pk}/canonical-tags/",
        {"values": {"violence": 3}, "version": 0},
        format="json",
    )
    assert stale.status_code == 409
    assert CanonicalTags.objects.get(title=title).values["violence"] == 2


def test_put_canonical_tags_rejects_unknown_values_by_dimension(dims, editor, api_client_for):
    title = make_title()
    response = api_client_for(editor).put(
        f"/api/v1/titles/{title.pk}/canonical-tags/",
        {"values": {"violence": 9, "genre": ["nope"]}},
        format="json",
    )
    assert response.status_code == 400
    assert {"violence", "genre"} <= set(response.json()["errors"])
    assert not CanonicalTags.objects.filter(title=title).exists()


@pytest.mark.parametrize("role", [Role.TAGGER, Role.SUBSCRIBER, Role.OPERATOR])
def test_only_editors_reach_the_review_endpoints(dims, make_user, api_client_for, role):
    title = make_title()
    client = api_client_for(make_user(role))
    assert client.get("/api/v1/agreement/?dimension=violence").status_code == 403
    assert client.get(f"/api/v1/titles/{title.pk}/agreement/").status_code == 403
    assert (
        client.put(
            f"/api/v1/titles/{title.pk}/canonical-tags/", {"values": {}}, format="json"
        ).status_code
        == 403
    )


def test_anonymous_requests_are_refused(dims, client):
    assert client.get("/api/v1/agreement/?dimension=violence").status_code in {401, 403}
