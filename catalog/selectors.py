"""Catalogue reads."""

from __future__ import annotations

from django.db.models import Max, Prefetch, QuerySet

from .models import CanonicalTagsRevision, Dimension, Tag, TaxonomyChange


def tags_version() -> int:
    """The newest canonical-tags revision id (0 before any): lists record it to measure staleness."""
    return CanonicalTagsRevision.objects.aggregate(v=Max("id"))["v"] or 0


def taxonomy_version() -> int:
    """The newest taxonomy change id (0 for the shipped codebook)."""
    return TaxonomyChange.objects.aggregate(v=Max("id"))["v"] or 0


def taxonomy_list(*, include_retired: bool = False) -> QuerySet[Dimension]:
    """Dimensions in form order with their tags prefetched (two queries)."""
    tags = Tag.objects.order_by("order", "level", "label")
    dimensions = Dimension.objects.order_by("order", "slug")
    if not include_retired:
        tags = tags.filter(active=True)
        dimensions = dimensions.filter(active=True)
    return dimensions.prefetch_related(Prefetch("tags", queryset=tags))
