from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from catalog.models import Dimension
from catalog.values import Codebook, values_clean
from tests.catalog.factories import mini_codebook

pytestmark = pytest.mark.django_db


@pytest.fixture
def codebook() -> Codebook:
    Dimension.objects.all().delete()  # independent of the shipped codebook
    mini_codebook()
    return Codebook.load()


def errors_of(values, codebook, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        values_clean(values, codebook=codebook, **kwargs)
    return info.value.message_dict


def test_valid_values_are_normalised(codebook):
    clean = values_clean(
        {
            "genre": ["thriller", "comedy"],
            "violence": "3",
            "period": "past",
            "book": True,
            "tone": [],
        },
        codebook=codebook,
    )
    assert clean == {"genre": ["comedy", "thriller"], "violence": 3, "period": "past", "book": True}


@pytest.mark.parametrize(
    ("values", "field", "fragment"),
    [
        ({"violence": 6}, "violence", "out of range"),
        ({"violence": -1}, "violence", "out of range"),
        ({"violence": True}, "violence", "whole number"),
        ({"violence": "lots"}, "violence", "whole number"),
        ({"genre": "comedy"}, "genre", "list"),
        ({"genre": ["comedy", "comedy"]}, "genre", "twice"),
        ({"genre": ["space-opera"]}, "genre", "Unknown tag"),
        ({"genre": ["western"]}, "genre", "retired"),
        ({"period": ["past"]}, "period", "one tag"),
        ({"book": "yes"}, "book", "true or false"),
        ({"mood": ["x"]}, "mood", "Unknown dimension"),
    ],
)
def test_bad_values_name_the_dimension(codebook, values, field, fragment):
    errors = errors_of(values, codebook)
    assert list(errors) == [field]
    assert fragment in errors[field][0]


def test_complete_values_require_required_dimensions(codebook):
    errors = errors_of({"tone": ["dark"]}, codebook, require_complete=True)
    assert set(errors) == {"genre", "violence"}


def test_values_must_be_an_object(codebook):
    assert "values" in errors_of(["comedy"], codebook)
