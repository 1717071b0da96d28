"""Helpers for the editors' review tests: a small codebook of their own and submitted taggings
written directly (with a chosen submission time), independent of the shipped codebook."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from catalog.models import Dimension, Tag, Title
from tagging.models import Tagging


def review_codebook() -> dict[str, Dimension]:
    """genre and tone (multi), violence (ordinal), period (single), book (boolean)."""
    Dimension.objects.all().delete()
    dims = {
        "genre": Dimension.objects.create(slug="genre", label="Genre", kind="multi", order=1),
        "tone": Dimension.objects.create(slug="tone", label="Tone", kind="multi", order=2),
        "violence": Dimension.objects.create(
            slug="violence", label="Violence", kind="ordinal", order=3, is_maturity=True
        ),
        "period": Dimension.objects.create(
            slug="period", label="Time period", kind="single", order=4
        ),
        "book": Dimension.objects.create(
            slug="book", label="Based on a book", kind="boolean", order=5
        ),
    }
    for i, slug in enumerate(("comedy", "drama", "thriller", "horror")):
        Tag.objects.create(dimension=dims["genre"], slug=slug, label=slug.title(), order=i)
    for i, slug in enumerate(("quirky", "irreverent", "dark", "sincere")):
        Tag.objects.create(
            dimension=dims["tone"],
            slug=slug,
            label=slug.title(),
            order=i,
            definition=f"Definition of {slug}",
        )
    for level in range(6):
        Tag.objects.create(
            dimension=dims["violence"],
            slug=str(level),
            label=f"Level {level}",
            level=level,
            order=level,
        )
    for i, slug in enumerate(("past", "present", "future")):
        Tag.objects.create(dimension=dims["period"], slug=slug, label=slug.title(), order=i)
    return dims


_counter = iter(range(1, 10**9))


def make_title(name: str | None = None) -> Title:
    n = next(_counter)
    return Title.objects.create(external_id=f"rv{n}", title=name or f"Review title {n}", year=2000)


def submit(
    title: Title,
    tagger: Any,
    values: dict[str, Any],
    *,
    when: datetime | None = None,
    seconds: int = 600,
    notes: str = "",
    evidence: dict[str, Any] | None = None,
) -> Tagging:
    return Tagging.objects.create(
        title=title,
        tagger=tagger,
        values=values,
        status=Tagging.Status.SUBMITTED,
        submitted_at=when or timezone.now() - timedelta(hours=1),
        seconds_spent=seconds,
        notes=notes,
        evidence=evidence or {},
    )
