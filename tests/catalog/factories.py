"""Small, self-contained taxonomy and titles for tests (independent of the shipped codebook)."""

from __future__ import annotations

import factory

from catalog.models import Dimension, Tag, Title


class TitleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Title

    external_id = factory.Sequence(lambda n: f"t{n}")
    title = factory.Sequence(lambda n: f"Title {n}")
    year = 2001


def mini_codebook() -> dict[str, Dimension]:
    """genre (multi), tone (multi), violence (ordinal, maturity), period (single), book (boolean)."""
    dims = {
        "genre": Dimension.objects.create(
            slug="genre", label="Genre", kind="multi", required=True, order=1
        ),
        "tone": Dimension.objects.create(slug="tone", label="Tone", kind="multi", order=2),
        "violence": Dimension.objects.create(
            slug="violence",
            label="Violence",
            kind="ordinal",
            required=True,
            is_maturity=True,
            order=3,
        ),
        "period": Dimension.objects.create(
            slug="period", label="Time period", kind="single", order=4
        ),
        "book": Dimension.objects.create(
            slug="book", label="Based on a book", kind="boolean", order=5
        ),
    }
    for slug in ("comedy", "drama", "thriller"):
        Tag.objects.create(dimension=dims["genre"], slug=slug, label=slug.title())
    Tag.objects.create(dimension=dims["genre"], slug="western", label="Western", active=False)
    for slug in ("quirky", "irreverent", "dark"):
        Tag.objects.create(dimension=dims["tone"], slug=slug, label=slug.title())
    for level in range(6):
        Tag.objects.create(
            dimension=dims["violence"], slug=str(level), label=f"Level {level}", level=level
        )
    for slug in ("past", "present", "future"):
        Tag.objects.create(dimension=dims["period"], slug=slug, label=slug.title())
    return dims
