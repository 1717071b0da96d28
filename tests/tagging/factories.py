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


def load_default_codebook() -> None:
    """Recreate the shipped codebook (tests with ``transaction=True`` flush migration data)."""
    import importlib

    from django.apps import apps

    if Dimension.objects.filter(slug="genre", tags__slug="drama").exists():
        return
    migration = importlib.import_module("catalog.migrations.0002_default_codebook")
    migration.create_codebook(apps, None)
