"""Titles, the taxonomy that describes them, their canonical tags, and the change outbox.

Tag values share one JSON shape everywhere (taggings, canonical tags, calibration answers):
``{dimension_slug: value}`` where value is a list of tag slugs (multi-select), one tag slug
(single-select), an integer level 0-5 (ordinal) or a boolean (boolean).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Title(models.Model):
    class Kind(models.TextChoices):
        MOVIE = "movie", _("Movie")
        SERIES = "series", _("Series")
        EPISODE = "episode", _("Episode")

    external_id = models.CharField(max_length=64, unique=True)
    title = models.CharField(max_length=300)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.MOVIE)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="episodes",
        help_text="The series an episode belongs to.",
    )
    runtime_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    synopsis = models.TextField(blank=True)
    media_url = models.URLField(
        max_length=500, blank=True, help_text="A playable video or trailer."
    )
    poster_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "year"]
        indexes = [models.Index(fields=["title"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title


class _Translatable(models.Model):
    """Label and definition with per-language overrides in ``translations``
    (``{"fr": {"label": ..., "definition": ..., "examples": ...}}``)."""

    label = models.CharField(max_length=120)
    definition = models.TextField(blank=True)
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True

    def localized(self, field: str, language: str | None = None) -> Any:
        language = (language or get_language() or "en")[:2]
        value = self.translations.get(language, {}).get(field)
        return value if value else getattr(self, field)

    @property
    def label_i18n(self) -> str:
        return str(self.localized("label"))

    @property
    def definition_i18n(self) -> str:
        return str(self.localized("definition"))


class Dimension(_Translatable):
    class Kind(models.TextChoices):
        MULTI = "multi", _("Multi-select")
        SINGLE = "single", _("Single-select")
        ORDINAL = "ordinal", _("Ordinal scale 0-5")
        BOOLEAN = "boolean", _("Yes / no")

    slug = models.SlugField(max_length=64, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    required = models.BooleanField(default=False)
    order = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    is_maturity = models.BooleanField(
        default=False,
        help_text="Subscribers may cap this ordinal dimension (violence, sex, language).",
    )
    weight = models.FloatField(
        default=1.0, help_text="How much this dimension counts for recommendations."
    )

    class Meta:
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.label

    @property
    def is_ordinal(self) -> bool:
        return self.kind == self.Kind.ORDINAL


class Tag(_Translatable):
    """A value of a dimension: a genre, a tone… or, for ordinal dimensions, an anchored level."""

    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="tags")
    slug = models.SlugField(max_length=64)
    examples = models.TextField(blank=True)
    level = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Ordinal dimensions only."
    )
    order = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["dimension", "order", "level", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "slug"], name="tag_unique_slug_per_dimension"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension.slug}:{self.slug}"


class TaxonomyChange(models.Model):
    """Every taxonomy change, in order. Its id is the taxonomy version; ``undo`` holds what is
    needed to reverse it (for a merge: the rows that were remapped)."""

    class Action(models.TextChoices):
        CREATE = "create", _("Create")
        EDIT = "edit", _("Edit")
        RENAME = "rename", _("Rename")
        MERGE = "merge", _("Merge")
        RETIRE = "retire", _("Retire")
        RESTORE = "restore", _("Restore")
        REORDER = "reorder", _("Reorder")
        UNDO = "undo", _("Undo")

    action = models.CharField(max_length=16, choices=Action.choices)
    dimension = models.ForeignKey(Dimension, null=True, blank=True, on_delete=models.SET_NULL)
    summary = models.CharField(max_length=300)
    undo = models.JSONField(default=dict, blank=True)
    undone = models.BooleanField(default=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"v{self.pk} {self.action}: {self.summary}"


class CanonicalTags(models.Model):
    """A title's adjudicated tags: the ones the recommender uses."""

    class Source(models.TextChoices):
        ADJUDICATED = "adjudicated", _("Adjudicated by an editor")
        AUTOMATIC = "automatic", _("Set automatically on agreement")
        IMPORTED = "imported", _("Imported")

    title = models.OneToOneField(Title, on_delete=models.CASCADE, related_name="canonical")
    values = models.JSONField(default=dict)
    version = models.PositiveIntegerField(default=1)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.IMPORTED)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "canonical tags"

    def __str__(self) -> str:
        return f"Canonical tags of {self.title_id} v{self.version}"


class CanonicalTagsRevision(models.Model):
    """History of canonical tags: who changed them, when, why. The newest id is the catalogue's
    ``tags_version`` that recommendation lists record."""

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="canonical_revisions")
    version = models.PositiveIntegerField()
    values = models.JSONField(default=dict)
    source = models.CharField(max_length=16, choices=CanonicalTags.Source.choices)
    reason = models.CharField(max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["title", "version"], name="canonical_revision_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"Canonical tags of {self.title_id} v{self.version} ({self.source})"


class OutboxEvent(models.Model):
    """A change that recommendation lists must follow, written in the same transaction as the
    change (transactional outbox). The recommendations worker claims, coalesces and marks them."""

    class Kind(models.TextChoices):
        TITLE_TAGS = "title_tags", _("A title's canonical tags changed")
        TAXONOMY = "taxonomy", _("The taxonomy changed")
        SUBSCRIBER = "subscriber", _("A subscriber's history, feedback or profile changed")
        FULL = "full", _("Everything must be rebuilt")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    object_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=36, blank=True, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["processed_at", "id"], name="outbox_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"
