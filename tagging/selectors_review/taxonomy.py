"""Taxonomy pages' reads: dimensions with their tags and usage counts, the change log and the
confusion report."""

from __future__ import annotations

from typing import Any

from catalog.models import Dimension, Tag, TaxonomyChange

from ..services.agreement.confusion import confusion_pairs
from ..services.agreement.data import answers_load, dimension_data
from .common import review_codebook


def taxonomy_changes(*, limit: int = 30) -> list[TaxonomyChange]:
    return list(
        TaxonomyChange.objects.select_related("changed_by", "dimension").order_by("-id")[:limit]
    )


def dimension_detail(*, dimension: Dimension) -> dict[str, Any]:
    tags = list(
        Tag.objects.filter(dimension=dimension).order_by("-active", "order", "level", "label")
    )
    return {"dimension": dimension, "tags": tags, "active_tags": [t for t in tags if t.active]}


def confusion_report(*, dimension_slug: str = "", top: int = 20) -> list[dict[str, Any]]:
    """For each tagged dimension with tags (multi- and single-select), the tag pairs taggers mix
    up most on the same title, with the tags' definitions side by side."""
    codebook = review_codebook()
    dims = [
        d for d in codebook.dimensions if d.kind in {Dimension.Kind.MULTI, Dimension.Kind.SINGLE}
    ]
    if dimension_slug:
        dims = [d for d in dims if d.slug == dimension_slug]
    answers = answers_load(dimensions=[d.slug for d in dims])
    tags = {(t.dimension_id, t.slug): t for t in Tag.objects.filter(dimension__in=dims)}
    report = []
    for dimension in dims:
        data = dimension_data(
            answers, dimension, tag_slugs=codebook.tag_slugs.get(dimension.slug, [])
        )
        pairs = confusion_pairs(data, top=top)
        if not pairs:
            continue
        report.append(
            {
                "dimension": dimension,
                "pairs": [
                    {
                        "a": tags.get((dimension.pk, p.tag_a)),
                        "b": tags.get((dimension.pk, p.tag_b)),
                        "a_slug": p.tag_a,
                        "b_slug": p.tag_b,
                        "count": p.count,
                        "either": p.titles_with_either,
                        "rate": p.rate,
                    }
                    for p in pairs
                ],
            }
        )
    return report
