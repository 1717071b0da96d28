"""``GET /api/v1/recommendations/status/`` for editors and operators."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsEditorOrOperator
from recommendations.models import RebuildRun
from recommendations.selectors import pipeline_status


def _run(run: RebuildRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "id": run.pk,
        "kind": run.kind,
        "status": run.status,
        "total": run.total,
        "done": run.done,
        "detail": run.detail,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "duration_ms": run.duration_ms,
    }


class RecommendationStatusView(APIView):
    """The rebuild pipeline at a glance: pending outbox rows, rebuilds, list freshness."""

    permission_classes = [IsEditorOrOperator]

    @extend_schema(
        responses=inline_serializer(
            "RecommendationStatus",
            fields={
                "pending": serializers.IntegerField(),
                "pending_by_kind": serializers.DictField(child=serializers.IntegerField()),
                "oldest_pending_at": serializers.DateTimeField(allow_null=True),
                "running": serializers.ListField(child=serializers.DictField()),
                "last_rebuild": serializers.DictField(allow_null=True),
                "last_full_rebuild": serializers.DictField(allow_null=True),
                "subscribers": serializers.IntegerField(),
                "lists": serializers.IntegerField(),
                "stale_lists": serializers.IntegerField(),
                "oldest_stale_list_age_seconds": serializers.FloatField(allow_null=True),
                "tags_version": serializers.IntegerField(),
                "taxonomy_version": serializers.IntegerField(),
                "durations": serializers.DictField(),
            },
        )
    )
    def get(self, request: Request) -> Response:
        status = pipeline_status()
        age = status.oldest_stale_age
        return Response(
            {
                "pending": status.pending,
                "pending_by_kind": status.pending_by_kind,
                "oldest_pending_at": status.oldest_pending_at,
                "claimed": status.claimed,
                "running": [_run(r) for r in status.running],
                "recent": [_run(r) for r in status.recent],
                "last_rebuild": _run(status.last_rebuild),
                "last_full_rebuild": _run(status.last_full_rebuild),
                "subscribers": status.subscribers,
                "lists": status.lists,
                "missing_lists": status.missing_lists,
                "stale_lists": status.stale_lists,
                "oldest_stale_list_age_seconds": age.total_seconds() if age is not None else None,
                "tags_version": status.tags_version,
                "taxonomy_version": status.taxonomy_version,
                "durations": status.durations,
            }
        )
