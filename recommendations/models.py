"""Subscribers, what they watched and said, and their precomputed recommendation lists."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Title

from .engine.packed import unpack


class Subscriber(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriber"
    )
    #: Maturity caps per ordinal dimension slug, e.g. ``{"violence": 1, "sex-nudity": 0}``.
    max_levels = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Subscriber {self.user_id}"


class ViewingEvent(models.Model):
    class Event(models.TextChoices):
        WATCHED = "watched", _("Watched")
        RATED = "rated", _("Rated")
        LIKED = "liked", _("Liked")
        DISLIKED = "disliked", _("Disliked")
        NOT_INTERESTED = "not_interested", _("Not interested")

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="events")
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="viewing_events")
    event = models.CharField(max_length=16, choices=Event.choices)
    rating = models.DecimalField(max_digits=2, decimal_places=1, null=True, blank=True)
    timestamp = models.DateTimeField()

    class Meta:
        ordering = ["-timestamp"]
        constraints = [
            # Re-importing the same history is a no-op.
            models.UniqueConstraint(
                fields=["subscriber", "title", "event", "timestamp"], name="viewing_event_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["subscriber", "timestamp"]),
            models.Index(fields=["title", "subscriber"]),
        ]

    def __str__(self) -> str:
        return f"{self.subscriber_id} {self.event} {self.title_id}"


class JSONTextField(models.JSONField):  # type: ignore[type-arg]
    """JSON kept as PostgreSQL ``json`` (the text, validated) rather than ``jsonb``: what lists
    were stored as from migration 0003 to 0004 (kept for those migrations; nothing uses it now).
    """

    def db_type(self, connection: Any) -> str | None:
        return "json" if connection.vendor == "postgresql" else super().db_type(connection)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        # psycopg decodes ``json`` columns itself (Django only turns that off for jsonb).
        return (
            value
            if value is None or not isinstance(value, str | bytes)
            else super().from_db_value(value, expression, connection)
        )


class RecommendationList(models.Model):
    """One row per subscriber, replaced whole by a single UPDATE: a reader sees the old list or
    the new one, never half.

    Stored as language-neutral codes, worded when read (``recommendations.rendering``), packed
    as fixed-width little-endian arrays in ``packed`` (layout in ``engine.packed``): per item, in
    rank order, the title id, the score × 10 000 (an integer; stored as the first score and each
    item's drop from the one before), the driving genre code, two adjective codes (int16 while
    they fit), the anchor (a place in the list's table of anchor title ids) and the anchor code
    (rating in half stars 1..10, 20 liked, 22 watched; 0 none). Rows (top, micro, genre,
    because) follow from those codes and are derived when read (``engine.rows``). A tag code is
    a Tag id (minus the Dimension id for boolean features); 0 means none.

    Packed, a 50-item list is ~768 bytes written with no number formatted (1,436 in format 1,
    which still reads), so the row stays under PostgreSQL's 2 kB TOAST threshold (inline, never
    compressed) and five fit a page at the table's fillfactor. Nothing queries inside it. Empty
    bytes read as an empty list.
    """

    # The subscriber is the key, and the database holds no foreign key: checking one locked the
    # subscriber's row for every list inserted (14.7 -> 7.1 us a row with the surrogate id
    # gone too, measured). Deleting a subscriber still deletes its list (the ORM's cascade); a
    # list stored by a rebuild racing that deletion is pruned by ``lists_orphaned_delete``.
    subscriber = models.OneToOneField(
        Subscriber,
        on_delete=models.CASCADE,
        related_name="recommendation_list",
        primary_key=True,
        db_constraint=False,
    )
    packed = models.BinaryField(default=bytes)
    tags_version = models.BigIntegerField(default=0)
    taxonomy_version = models.BigIntegerField(default=0)
    history_version = models.BigIntegerField(default=0, help_text="Newest viewing event id it saw.")
    generated_at = models.DateTimeField()
    build_ms = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"List of {self.subscriber_id} ({len(self.title_ids)} items)"

    @property
    def title_ids(self) -> list[int]:
        """The listed title ids in rank order."""
        return unpack(self.packed).t


class RebuildRun(models.Model):
    """A rebuild the worker ran or is running, for the operator's status page."""

    class Kind(models.TextChoices):
        FULL = "full", _("Full")
        CHUNK = "chunk", _("Chunk of a full rebuild")
        INCREMENTAL = "incremental", _("Incremental")

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="chunks"
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    detail = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.kind} rebuild {self.pk} ({self.status}, {self.done}/{self.total})"
