"""Matching import values to tags, and creating the missing ones (``--create-missing``, genres).

A value matches a tag of its dimension by slug or label (case-insensitive) or by its slugified
form, so "Sci-Fi", "sci-fi" and "Science fiction" (the label) all find the same tag.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Max
from django.utils.text import slugify

from ..models import Dimension, Tag, TaxonomyChange

TAG_SLUG_MAX = 64
TAG_LABEL_MAX = 120

CANNOT_SLUGIFY = "“%(value)s” cannot be made into a tag (no letters or digits)"
LABEL_TOO_LONG = "“%(value)s…” is too long for a tag label (at most 120 characters)"
RETIRED = "the %(dimension)s tag “%(slug)s” is retired"


@dataclass
class TagMatcher:
    """The tags of one dimension, indexed by every name an import may use for them."""

    dimension: Dimension
    by_name: dict[str, Tag] = field(default_factory=dict)

    @classmethod
    def load(cls, dimension: Dimension) -> TagMatcher:
        matcher = cls(dimension=dimension)
        for tag in Tag.objects.filter(dimension=dimension).order_by("id"):
            matcher.add(tag)
        return matcher

    def add(self, tag: Tag) -> None:
        # Slugs win over labels: a tag's own slug is never shadowed by another tag's label.
        for name in (tag.label.strip().lower(), slugify(tag.label)):
            self.by_name.setdefault(name, tag)
        self.by_name[tag.slug.lower()] = tag

    def match(self, value: str) -> Tag | None:
        key = value.strip().lower()
        return self.by_name.get(key) or self.by_name.get(slugify(key))

    def creatable(self, value: str) -> str | None:
        """Why ``value`` cannot become a new tag of this dimension, or None when it can."""
        if not slugify(value):
            return CANNOT_SLUGIFY % {"value": value}
        if len(value.strip()) > TAG_LABEL_MAX:
            return LABEL_TOO_LONG % {"value": value.strip()[:40]}
        return None


def new_tag_slug(value: str) -> str:
    return slugify(value)[:TAG_SLUG_MAX].strip("-")


def tags_create(*, matcher: TagMatcher, values: Iterable[str], reason: str) -> list[Tag]:
    """Create a tag for each value the matcher does not know (labels as written in the file),
    record one taxonomy change for them, and return the created tags. Runs inside the
    importer's transaction."""
    created: list[Tag] = []
    dimension = matcher.dimension
    order = (Tag.objects.filter(dimension=dimension).aggregate(m=Max("order"))["m"] or 0) + 1
    for value in values:
        if matcher.match(value) is not None:
            continue  # two spellings of one new tag in the same file
        label = value.strip()
        tag = Tag(dimension=dimension, slug=new_tag_slug(label), label=label, order=order)
        order += 1
        created.append(tag)
        matcher.add(tag)
    if not created:
        return []
    Tag.objects.bulk_create(created)
    # Re-read the ids: bulk_create only fills them on backends that return rows.
    by_slug = {
        t.slug: t
        for t in Tag.objects.filter(dimension=dimension, slug__in=[t.slug for t in created])
    }
    created = [by_slug[t.slug] for t in created]
    for tag in created:
        matcher.add(tag)
    names = ", ".join(t.label for t in created)
    TaxonomyChange.objects.create(
        action=TaxonomyChange.Action.CREATE,
        dimension=dimension,
        summary=f"{reason}: created {dimension.slug} tag(s) {names}"[:300],
        undo={"created_tag_ids": [t.pk for t in created]},
    )
    return created
