from __future__ import annotations

import pytest

from catalog.models import Dimension
from catalog.services import canonical_tags_set
from tests.catalog.factories import TitleFactory, mini_codebook

pytestmark = pytest.mark.django_db


def test_titles_can_be_listed_searched_and_filtered(api_client_for, editor):
    Dimension.objects.all().delete()
    mini_codebook()
    fargo = TitleFactory(title="Fargo", year=1996, synopsis="A snowy crime caper")
    TitleFactory(title="Heat", year=1995)
    canonical_tags_set(title=fargo, values={"genre": ["thriller"]}, source="imported")
    client = api_client_for(editor)
    assert client.get("/api/v1/titles/").json()["count"] == 2
    assert [t["title"] for t in client.get("/api/v1/titles/?search=snowy").json()["results"]] == [
        "Fargo"
    ]
    assert [t["title"] for t in client.get("/api/v1/titles/?year_max=1995").json()["results"]] == [
        "Heat"
    ]
    assert [t["title"] for t in client.get("/api/v1/titles/?genre=thriller").json()["results"]] == [
        "Fargo"
    ]
    detail = client.get(f"/api/v1/titles/{fargo.pk}/").json()
    assert detail["external_id"] == fargo.external_id


def test_missing_title_is_a_404_in_the_error_shape(api_client_for, tagger):
    response = api_client_for(tagger).get("/api/v1/titles/999999/")
    assert response.status_code == 404
    assert set(response.json()) == {"detail", "errors"}


def test_taxonomy_lists_dimensions_with_kinds_and_definitions(api_client_for, subscriber_user):
    Dimension.objects.all().delete()
    mini_codebook()
    body = api_client_for(subscriber_user).get("/api/v1/taxonomy/").json()
    by_slug = {d["slug"]: d for d in body["dimensions"]}
    assert by_slug["violence"]["kind"] == "ordinal"
    assert [t["level"] for t in by_slug["violence"]["tags"]] == [0, 1, 2, 3, 4, 5]
    assert "western" not in [t["slug"] for t in by_slug["genre"]["tags"]]  # retired tags hidden


def test_taggers_cannot_probe_canonical_tags_through_the_genre_filter(api_client_for, tagger):
    Dimension.objects.all().delete()
    mini_codebook()
    fargo = TitleFactory(title="Fargo")
    canonical_tags_set(title=fargo, values={"genre": ["thriller"]}, source="imported")
    response = api_client_for(tagger).get("/api/v1/titles/?genre=thriller")
    assert response.status_code == 403
    assert "canonical" in response.json()["detail"]
