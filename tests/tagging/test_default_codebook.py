"""The codebook a fresh migrate creates (catalog/migrations/0002_default_codebook.py)."""

from __future__ import annotations

import pytest

from catalog.models import Dimension, Tag
from catalog.values import Codebook, values_clean

pytestmark = pytest.mark.django_db

MOVIELENS_GENRES = {
    "action",
    "adventure",
    "animation",
    "children",
    "comedy",
    "crime",
    "documentary",
    "drama",
    "fantasy",
    "film-noir",
    "horror",
    "musical",
    "mystery",
    "romance",
    "sci-fi",
    "thriller",
    "war",
    "western",
}
ORDINALS = {"violence", "sex", "language", "gore", "romance", "suspense", "plot-conclusiveness"}


def test_dimensions_and_kinds_match_the_agreement():
    kinds = dict(Dimension.objects.values_list("slug", "kind"))
    assert kinds == {
        "genre": "multi",
        "tone": "multi",
        "theme": "multi",
        "setting": "multi",
        **dict.fromkeys(ORDINALS, "ordinal"),
        "time-period": "single",
        "audience": "single",
        "based-on-book": "boolean",
        "true-story": "boolean",
    }
    assert set(Dimension.objects.filter(required=True).values_list("slug", flat=True)) == {
        "genre",
        "tone",
        "violence",
        "sex",
        "language",
    }
    assert set(Dimension.objects.filter(is_maturity=True).values_list("slug", flat=True)) == {
        "violence",
        "sex",
        "language",
    }


def test_genres_include_movielens_genres_and_about_25_in_all():
    genres = set(Tag.objects.filter(dimension__slug="genre").values_list("slug", flat=True))
    assert genres >= MOVIELENS_GENRES | {"romantic-comedy"}
    assert 22 <= len(genres) <= 30


def test_tones_include_the_agreed_ones():
    tones = set(Tag.objects.filter(dimension__slug="tone").values_list("slug", flat=True))
    assert tones >= {
        "emotional",
        "sincere",
        "humorous",
        "irreverent",
        "confident",
        "quirky",
        "dark",
        "suspenseful",
        "uplifting",
        "romantic",
        "cerebral",
        "gritty",
    }


@pytest.mark.parametrize("slug", sorted(ORDINALS))
def test_every_ordinal_level_has_an_anchor_and_french(slug):
    levels = list(Tag.objects.filter(dimension__slug=slug).order_by("level"))
    assert [t.level for t in levels] == [0, 1, 2, 3, 4, 5]
    assert [t.slug for t in levels] == ["0", "1", "2", "3", "4", "5"]
    for tag in levels:
        assert len(tag.definition) > 30, tag
        assert tag.translations["fr"]["label"]
        assert len(tag.translations["fr"]["definition"]) > 30
    assert len({t.definition for t in levels}) == 6


def test_every_row_has_a_definition_and_a_french_label():
    for dimension in Dimension.objects.all():
        assert dimension.definition
        assert dimension.translations["fr"]["label"]
        assert dimension.translations["fr"]["definition"]
        for tag in dimension.tags.all():
            assert tag.definition, tag
            assert tag.translations["fr"]["label"], tag


def test_a_complete_answer_validates_against_the_codebook():
    values = {
        "genre": ["drama", "romantic-comedy"],
        "tone": ["quirky"],
        "violence": 0,
        "sex": 1,
        "language": 2,
        "plot-conclusiveness": 5,
        "time-period": "contemporary",
        "audience": "adults",
        "based-on-book": True,
    }
    assert values_clean(values, codebook=Codebook.load(), require_complete=True)["violence"] == 0


def test_localized_labels_switch_to_french():
    tag = Tag.objects.get(dimension__slug="genre", slug="sci-fi")
    assert tag.localized("label", "fr") == "Science-fiction"
    assert tag.localized("label", "en") == "Science fiction"
