"""Tagging test helpers: a tagger with an assignment on a title, over the mini codebook."""

from __future__ import annotations

from catalog.models import Dimension
from tagging.models import Assignment
from tests.catalog.factories import TitleFactory, mini_codebook


def use_mini_codebook() -> None:
    """Replace the shipped codebook by the small test one (genre+violence required)."""
    Dimension.objects.all().delete()
    mini_codebook()


def assign(tagger, title=None, **kwargs) -> Assignment:
    return Assignment.objects.create(title=title or TitleFactory(), tagger=tagger, **kwargs)
