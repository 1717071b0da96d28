"""Recommendation reads for operators (status) and exports. Subscriber-page reads live in
``selectors_subscriber``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, Max, Min, Q
from django.utils import timezone

from catalog.models import OutboxEvent, Title
from catalog.selectors import tags_version, taxonomy_version

from .models import RebuildRun, RecommendationList, Subscriber
from .rendering import item_reason, list_items, renderer_for

EXPORT_BATCH = 2000


@dataclass(frozen=True)
class PipelineStatus:
    pending: int
    pending_by_kind: dict[str, int]
    oldest_pending_at: datetime | None
    claimed: int
    running: list[RebuildRun]
    recent: list[RebuildRun]
    last_rebuild: RebuildRun | None
    last_full_rebuild: RebuildRun | None
    subscribers: int
    lists: int
    stale_lists: int
    oldest_stale_generated_at: datetime | None
    tags_version: int
    taxonomy_version: int
    durations: dict[str, dict[str, str | float | int | None]]

    @property
    def oldest_stale_age(self) -> timedelta | None:
        if self.oldest_stale_generated_at is None:
            return None
        return timezone.now() - self.oldest_stale_generated_at

    @property
    def missing_lists(self) -> int:
        return max(0, self.subscribers - self.lists)


def pipeline_status(*, recent: int = 10) -> PipelineStatus:
    """Everything the operations page and the status endpoint show, in a handful of queries."""
    pending_qs = OutboxEvent.objects.filter(processed_at__isnull=True)
    by_kind = dict(pending_qs.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    agg = pending_qs.aggregate(oldest=Min("created_at"), claimed=Count("id", filter=~Q(claim="")))
    tv, xv = tags_version(), taxonomy_version()
    stale = RecommendationList.objects.filter(Q(tags_version__lt=tv) | Q(taxonomy_version__lt=xv))
    stale_agg = stale.aggregate(n=Count("pk"), oldest=Min("generated_at"))
    durations: dict[str, dict[str, str | float | int | None]] = {}
    since = timezone.now() - timedelta(days=1)
    for kind, avg, mx, n in (
        RebuildRun.objects.filter(status=RebuildRun.Status.DONE, finished_at__gte=since)
        .values_list("kind")
        .annotate(avg=Avg("duration_ms"), mx=Max("duration_ms"), n=Count("id"))
        .values_list("kind", "avg", "mx", "n")
    ):
        durations[kind] = {
            "label": str(RebuildRun.Kind(kind).label),
            "count": n,
            "avg_ms": avg,
            "max_ms": mx,
        }
    finished = RebuildRun.objects.filter(status=RebuildRun.Status.DONE, parent__isnull=True)
    return PipelineStatus(
        pending=sum(by_kind.values()),
        pending_by_kind=by_kind,
        oldest_pending_at=agg["oldest"],
        claimed=agg["claimed"],
        running=list(
            RebuildRun.objects.filter(status=RebuildRun.Status.RUNNING, parent__isnull=True)[:20]
        ),
        recent=list(
            RebuildRun.objects.filter(parent__isnull=True).exclude(
                status=RebuildRun.Status.RUNNING
            )[:recent]
        ),
        last_rebuild=finished.order_by("-finished_at").first(),
        last_full_rebuild=finished.filter(kind=RebuildRun.Kind.FULL)
        .order_by("-finished_at")
        .first(),
        subscribers=Subscriber.objects.count(),
        lists=RecommendationList.objects.count(),
        stale_lists=stale_agg["n"],
        oldest_stale_generated_at=stale_agg["oldest"],
        tags_version=tv,
        taxonomy_version=xv,
        durations=durations,
    )


def lists_for_export(
    *, language: str | None = None
) -> Iterator[tuple[str, list[tuple[int, str, float, str]]]]:
    """(username, [(rank, external_id, score, reason)]) per stored list, by username, streamed;
    reasons worded in ``language`` (default ``LANGUAGE_CODE``)."""
    language = language or settings.LANGUAGE_CODE
    external: dict[int, str] = {}
    names: dict[int, str] = {}
    for pk, external_id, name in Title.objects.values_list("id", "external_id", "title"):
        external[pk], names[pk] = external_id, name
    renderer = renderer_for(names=names, language=language)
    qs = RecommendationList.objects.select_related("subscriber__user").order_by(
        "subscriber__user__username"
    )
    rows: Any = qs.values_list("subscriber__user__username", "packed").iterator(
        chunk_size=EXPORT_BATCH
    )
    for username, stored in rows:
        items = list_items(stored)
        yield (
            username,
            [
                (rank, external.get(item.title_id, ""), item.score, item_reason(renderer, item))
                for rank, item in enumerate(items, start=1)
            ],
        )
