"""Models of the editors' review (issue 4): per-dimension review policy and calibration answers.

They live beside ``tagging/models.py`` (imported there so Django registers them) to keep the
review's data apart from the tagger's.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Dimension, Title

#: The fewest submitted taggings the automatic rule may ever apply on (agreement needs two).
AUTO_MIN_TAGGERS = 2


class DimensionPolicy(models.Model):
    """How editors review one dimension: when agreement is good enough to set canonical tags
    without them, and how much the dimension's disagreements weigh in the queue."""

    dimension = models.OneToOneField(
        Dimension, on_delete=models.CASCADE, related_name="review_policy"
    )
    auto_threshold = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_(
            "Title-level agreement (0-1) at or above which the consensus becomes the canonical "
            "value automatically. Empty: always wait for an editor."
        ),
    )
    min_taggers = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(AUTO_MIN_TAGGERS)],
        help_text=_("Submitted taggings needed before the automatic rule applies."),
    )
    disagreement_weight = models.FloatField(
        default=1.0,
        validators=[MinValueValidator(0.0)],
        help_text=_("Weight of this dimension when ranking the disagreement queue."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "dimension policies"

    def __str__(self) -> str:
        return f"Policy of {self.dimension_id}"


class CalibrationAnswer(models.Model):
    """An editor's reference answer for a calibration title: taggers who get the title in their
    queue (unannounced) are scored against it."""

    title = models.OneToOneField(Title, on_delete=models.CASCADE, related_name="calibration_answer")
    values = models.JSONField(default=dict)
    notes = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Calibration answer for {self.title_id}"
