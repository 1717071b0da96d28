"""Assignments (who tags what), taggings (one per tagger x title) and their saved versions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Title


class Assignment(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")

    class Source(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned by an editor")
        POOL = "pool", _("Claimed from the pool")

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="assignments")
    tagger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.ASSIGNED)
    priority = models.SmallIntegerField(default=0, help_text="Higher comes first.")
    due_date = models.DateField(null=True, blank=True)
    is_calibration = models.BooleanField(
        default=False, help_text="A calibration title, scored against an editor's reference answer."
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-priority", "due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["title", "tagger"], name="assignment_unique_tagger_title"
            ),
        ]
        indexes = [models.Index(fields=["tagger", "status"])]

    def __str__(self) -> str:
        return f"{self.tagger_id} -> {self.title_id} ({self.status})"


class TitleCoverage(models.Model):
    """How many taggers each title has: the pool's index, one row per title.

    "Next title" looks for titles short of their overlap. Counting assignments per title on
    every call grew with the whole assignment history (3.7 ms of PostgreSQL CPU per call at
    4,000 assignments); this row, read through the ``(-taggers, title)`` index, costs the
    same at any size. Database triggers (migration ``tagging.0003``) keep it: a row for each
    new title, +1/-1 for each assignment inserted, deleted or moved, so no writer (services,
    admin, imports, raw SQL) can leave it stale. The pool claim locks this row, which is
    what makes "never more taggers than the overlap" hold on PostgreSQL.
    """

    title = models.OneToOneField(
        Title, primary_key=True, on_delete=models.CASCADE, related_name="coverage"
    )
    taggers = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["-taggers", "title"], name="coverage_pool_order")]

    def __str__(self) -> str:
        return f"{self.title_id}: {self.taggers} tagger(s)"


class Tagging(models.Model):
    """A tagger's answer for one title. ``version`` increases on every save: a write that names
    an older version is refused (409), never silently applied."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="taggings")
    tagger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="taggings"
    )
    assignment = models.OneToOneField(
        Assignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="tagging"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    values = models.JSONField(default=dict, blank=True)
    #: ``{dimension_slug: [{"value": ..., "seconds": float}]}`` — player times pinned as evidence.
    evidence = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True, max_length=5000)
    version = models.PositiveIntegerField(default=1)
    seconds_spent = models.PositiveIntegerField(default=0)
    taxonomy_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    returned_comment = models.TextField(blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["title", "tagger"], name="tagging_unique_tagger_title"),
        ]
        indexes = [models.Index(fields=["status", "title"])]

    def __str__(self) -> str:
        return f"Tagging {self.pk} of {self.title_id} by {self.tagger_id} ({self.status})"


class TaggingRevision(models.Model):
    """Every saved version of a tagging: who, when, and what it said."""

    tagging = models.ForeignKey(Tagging, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Tagging.Status.choices)
    values = models.JSONField(default=dict)
    evidence = models.JSONField(default=dict)
    notes = models.TextField(blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(auto_now_add=True)

    # Not a column: the tag page's history sets the dimensions this version changed.
    changed: list[str]

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["tagging", "version"], name="tagging_revision_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"Tagging {self.tagging_id} v{self.version} ({self.status})"


# The editors' review models (issue 4) live in their own module; importing them registers them.
from .review_models import CalibrationAnswer, DimensionPolicy  # noqa: E402, F401
