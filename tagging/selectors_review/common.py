"""Shared loading for the review selectors: the codebook with its tag order and the policies."""

from __future__ import annotations

from dataclasses import dataclass

from catalog.models import Dimension, Tag

from ..review_models import DimensionPolicy


@dataclass(frozen=True)
class ReviewCodebook:
    dimensions: list[Dimension]  # active, in form order
    tag_slugs: dict[str, list[str]]  # per dimension slug, all tags (retired too) in order
    tag_labels: dict[str, dict[str, str]]  # per dimension slug: slug -> label
    policies: dict[int, DimensionPolicy]  # by dimension id

    def by_slug(self, slug: str) -> Dimension | None:
        return next((d for d in self.dimensions if d.slug == slug), None)

    def weight(self, dimension: Dimension) -> float:
        policy = self.policies.get(dimension.pk)
        return policy.disagreement_weight if policy else 1.0

    def label(self, dimension_slug: str, value: object) -> str:
        if isinstance(value, bool):
            return str(value)
        return self.tag_labels.get(dimension_slug, {}).get(str(value), str(value))


def review_codebook(*, include_retired: bool = False) -> ReviewCodebook:
    """Three queries: dimensions, tags, policies."""
    dims = Dimension.objects.order_by("order", "slug")
    if not include_retired:
        dims = dims.filter(active=True)
    dimensions = list(dims)
    tag_slugs: dict[str, list[str]] = {d.slug: [] for d in dimensions}
    tag_labels: dict[str, dict[str, str]] = {d.slug: {} for d in dimensions}
    by_id = {d.pk: d.slug for d in dimensions}
    for tag in Tag.objects.filter(dimension_id__in=by_id).order_by("order", "level", "label"):
        slug = by_id[tag.dimension_id]
        tag_slugs[slug].append(tag.slug)
        tag_labels[slug][tag.slug] = tag.label_i18n
    policies = {p.dimension_id: p for p in DimensionPolicy.objects.filter(dimension_id__in=by_id)}
    return ReviewCodebook(dimensions, tag_slugs, tag_labels, policies)
