"""Editor endpoints: agreement per dimension, one title's agreement, and adjudication into the
title's canonical tags. Editors (and superusers) only: everyone else gets 403."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsEditor, signed_in_user
from catalog.models import CanonicalTags, Dimension, Title

from ..selectors_review.agreement import agreement_dimension, title_agreement
from ..services.adjudication import canonical_tags_adjudicate

DIMENSION_REQUIRED = _("Name a dimension by its slug, e.g. ?dimension=violence.")
DIMENSION_UNKNOWN = _("Unknown dimension “%(slug)s”.")
UNKNOWN_TAGGERS = _("Unknown tagger(s): %(names)s.")
BAD_IDS = _("Expected title ids separated by commas.")


class AgreementView(APIView):
    """Krippendorff's alpha of one dimension over submitted taggings, with a 95 % bootstrap CI
    (and per-tag binary alphas plus a set alpha for multi-select dimensions)."""

    permission_classes = [IsEditor]

    class FilterSerializer(serializers.Serializer):
        dimension = serializers.CharField(required=False, allow_blank=True)
        since = serializers.DateTimeField(required=False, help_text="submitted at or after")
        until = serializers.DateTimeField(required=False, help_text="submitted at or before")
        taggers = serializers.CharField(required=False, help_text="usernames, comma-separated")
        titles = serializers.CharField(required=False, help_text="title ids, comma-separated")
        bootstrap = serializers.IntegerField(
            required=False, min_value=0, max_value=5000, default=1000
        )
        set_distance = serializers.ChoiceField(
            choices=["masi", "jaccard"], required=False, default="masi"
        )

        def to_internal_value(self, data: Any) -> Any:
            # Plain dates are accepted too: since=2026-01-01 means from that day's start.
            data = data.copy()
            for key, end in (("since", time.min), ("until", time.max)):
                value = data.get(key, "")
                if value and len(value) == 10:
                    try:
                        day = datetime.strptime(value, "%Y-%m-%d").replace(
                            tzinfo=timezone.get_current_timezone()
                        )
                    except ValueError:
                        continue
                    data[key] = datetime.combine(day.date(), end, tzinfo=day.tzinfo).isoformat()
            return super().to_internal_value(data)

    @extend_schema(
        parameters=[
            OpenApiParameter("dimension", str, required=True),
            OpenApiParameter("since", str),
            OpenApiParameter("until", str),
            OpenApiParameter("taggers", str),
            OpenApiParameter("titles", str),
            OpenApiParameter("bootstrap", int),
            OpenApiParameter("set_distance", str, enum=["masi", "jaccard"]),
        ],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response:
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        slug = (data.get("dimension") or "").strip()
        if not slug:
            raise DjangoValidationError({"dimension": [DIMENSION_REQUIRED]})
        dimension = Dimension.objects.filter(slug=slug).first()
        if dimension is None:
            raise DjangoValidationError({"dimension": [DIMENSION_UNKNOWN % {"slug": slug}]})
        tagger_ids = None
        if data.get("taggers"):
            names = [n.strip() for n in data["taggers"].split(",") if n.strip()]
            found = dict(
                get_user_model().objects.filter(username__in=names).values_list("username", "pk")
            )
            missing = [n for n in names if n not in found]
            if missing:
                raise DjangoValidationError(
                    {"taggers": [UNKNOWN_TAGGERS % {"names": ", ".join(missing)}]}
                )
            tagger_ids = list(found.values())
        title_ids = None
        if data.get("titles"):
            try:
                title_ids = [int(x) for x in data["titles"].split(",") if x.strip()]
            except ValueError as exc:
                raise DjangoValidationError({"titles": [BAD_IDS]}) from exc
        result = agreement_dimension(
            dimension=dimension,
            since=data.get("since"),
            until=data.get("until"),
            tagger_ids=tagger_ids,
            title_ids=title_ids,
            bootstrap=data["bootstrap"],
            set_metric=data["set_distance"],
        )
        return Response(result)


def _title_payload(title: Title) -> dict[str, Any]:
    report = title_agreement(title=title)
    canonical: CanonicalTags | None = report["canonical"]
    return {
        "title": {
            "id": title.pk,
            "external_id": title.external_id,
            "title": title.title,
            "year": title.year,
        },
        "score": report["score"],
        "canonical": {
            "values": canonical.values if canonical else {},
            "version": canonical.version if canonical else 0,
            "source": canonical.source if canonical else None,
        },
        "proposal": report["proposal"],
        "dimensions": [
            {
                "dimension": d["slug"],
                "kind": d["kind"],
                "agreement": d["agreement"],
                "disagreement": d["disagreement"],
                "proposal": d["proposal"],
                "split": d["split"],
                "canonical": d["canonical"],
                "answers": [
                    {
                        "tagging": a["tagging_id"],
                        "tagger": a["tagger"],
                        "value": a["value"],
                        "evidence": a["evidence"],
                    }
                    for a in d["answers"]
                ],
            }
            for d in report["dimensions"]
        ],
        "taggings": [
            {
                "id": t.pk,
                "tagger": t.tagger.get_username(),
                "submitted_at": t.submitted_at,
                "notes": t.notes,
                "seconds_spent": t.seconds_spent,
            }
            for t in report["taggings"]
        ],
    }


class TitleAgreementView(APIView):
    """Per-dimension agreement of one title and each tagger's answer, with the consensus
    proposal and the current canonical tags."""

    permission_classes = [IsEditor]

    @extend_schema(responses={200: dict})
    def get(self, request: Request, pk: int) -> Response:
        return Response(_title_payload(get_object_or_404(Title, pk=pk)))


class CanonicalTagsView(APIView):
    """PUT ``{"values": {...}, "reason"?: str, "version"?: int}``: adjudicate. ``version`` is the
    canonical version you loaded (0 when there were none); a stale one answers 409."""

    permission_classes = [IsEditor]

    class InputSerializer(serializers.Serializer):
        values = serializers.JSONField()
        reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
        version = serializers.IntegerField(
            required=False, min_value=0, allow_null=True, default=None
        )

    @extend_schema(request=InputSerializer, responses={200: dict})
    def put(self, request: Request, pk: int) -> Response:
        title = get_object_or_404(Title, pk=pk)
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        canonical = canonical_tags_adjudicate(
            title=title,
            values=body.validated_data["values"],
            editor=signed_in_user(request),
            reason=body.validated_data["reason"],
            version=body.validated_data["version"],
        )
        return Response(
            {
                "title": title.pk,
                "values": canonical.values,
                "version": canonical.version,
                "source": canonical.source,
                "updated_by": request.user.get_username(),
                "updated_at": canonical.updated_at,
            }
        )

    @extend_schema(responses={200: dict})
    def get(self, request: Request, pk: int) -> Response:
        title = get_object_or_404(Title, pk=pk)
        canonical = CanonicalTags.objects.filter(title=title).first()
        return Response(
            {
                "title": title.pk,
                "values": canonical.values if canonical else {},
                "version": canonical.version if canonical else 0,
                "source": canonical.source if canonical else None,
            }
        )
