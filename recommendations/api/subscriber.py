"""Subscriber endpoints: own list, feedback, profile; any subscriber's list for staff.

Thin: parse, authorise, call one selector or service, shape the JSON. Lists are read from
the precomputed ``RecommendationList`` only.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsSubscriber
from accounts.roles import Role, has_role

from ..models import Subscriber
from ..selectors_subscriber import (
    Card,
    ListState,
    Suggestions,
    list_state,
    subscriber_for_user,
    subscriber_get,
    subscriber_state,
    suggestions_for,
)
from ..services.feedback import feedback_event, feedback_record, feedback_title
from ..services.profile import PRESETS, maturity_dimensions, preset_of, profile_update


def _card_json(card: Card) -> dict[str, Any]:
    title = card.title
    return {
        "rank": card.rank,
        "score": round(card.score, 6),
        "reason": card.reason,
        "title": {
            "id": title.pk,
            "external_id": title.external_id,
            "title": title.title,
            "year": title.year,
        },
    }


def suggestions_json(suggestions: Suggestions) -> dict[str, Any]:
    items = [_card_json(card) for card in suggestions.cards]
    by_id = {card.title.pk: item for card, item in zip(suggestions.cards, items, strict=True)}
    return {
        "subscriber": suggestions.subscriber.user.get_username(),
        "generated_at": suggestions.generated_at.isoformat() if suggestions.generated_at else None,
        "tags_version": suggestions.tags_version,
        "pending": suggestions.pending,
        "items": items,
        "rows": [
            {"name": row.name, "items": [by_id[c.title.pk] for c in row.cards]}
            for row in suggestions.rows
        ],
    }


def cached_suggestions_body(subscriber: Subscriber, state: ListState) -> bytes:
    """The list as rendered JSON, reused while its state (list version, limits, hiding
    feedback, tags and taxonomy versions) and the language of its reasons are unchanged: a hit
    costs the one state query and a cache get, no titles loaded and nothing re-encoded."""
    key = "api:" + state.cache_key(language=get_language() or settings.LANGUAGE_CODE)
    body: bytes | None = cache.get(key)
    if body is None:
        data = suggestions_json(
            suggestions_for(subscriber=subscriber, taxonomy_version=state.taxonomy_version)
        )
        body = JSONRenderer().render(data)
        cache.set(key, body, getattr(settings, "SUBSCRIBER_HOME_CACHE_SECONDS", 600))
    return body


def _list_response(request: Request, subscriber: Subscriber, state: ListState) -> HttpResponse:
    body = cached_suggestions_body(subscriber, state)
    if request.accepted_renderer.format == "json":
        # The exact bytes DRF's JSON renderer wrote: sent as they are.
        return HttpResponse(body, content_type="application/json")
    return Response(json.loads(body))  # the browsable API renders it its own way


def _me(request: Request) -> Subscriber:
    subscriber = subscriber_for_user(user=request.user)
    if subscriber is None:  # IsSubscriber already refused; keeps the type checker honest
        raise Http404
    return subscriber


class MyRecommendationsView(APIView):
    """The caller's own list: ``items`` in rank order and the ``rows`` a home page shows."""

    permission_classes = [IsAuthenticated, IsSubscriber]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> HttpResponse:
        found = subscriber_state(user=request.user)
        if found is None:  # IsSubscriber already refused
            raise Http404
        return _list_response(request, *found)


class SubscriberRecommendationsView(APIView):
    """Any subscriber's list for editors and operators; a subscriber may only read their own
    (another's answers 404, so ids cannot be probed)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int) -> HttpResponse:
        try:
            subscriber = subscriber_get(pk=pk)
        except Subscriber.DoesNotExist:
            raise Http404 from None
        if (
            not has_role(request.user, Role.EDITOR, Role.OPERATOR)
            and subscriber.user_id != request.user.pk
        ):
            raise Http404
        return _list_response(request, subscriber, list_state(subscriber=subscriber))


class MyFeedbackView(APIView):
    """``{"title": id, "feedback": "like" | "not_interested" | "dislike" | "watched"}``
    (``event`` is accepted for ``feedback``). Queues the rebuild of the caller's list."""

    permission_classes = [IsAuthenticated, IsSubscriber]

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        subscriber = _me(request)
        title = feedback_title(data.get("title"))
        event = feedback_event(data.get("feedback", data.get("event")))
        viewing = feedback_record(subscriber=subscriber, title=title, event=event)
        return Response(
            {
                "id": viewing.pk,
                "title": title.pk,
                "event": viewing.event,
                "timestamp": viewing.timestamp.isoformat(),
            },
            status=status.HTTP_201_CREATED,
        )


class MyProfileView(APIView):
    """Maturity limits: ``{"max_levels": {"violence": 1, "sex": 0}, "preset": "kids"}``.
    PATCH merges ``max_levels`` (``null`` lifts a limit); ``preset`` replaces them first."""

    permission_classes = [IsAuthenticated, IsSubscriber]

    @staticmethod
    def _body(subscriber: Subscriber) -> dict[str, Any]:
        dimensions = maturity_dimensions()
        slugs = {d.slug for d in dimensions}
        levels = {k: v for k, v in (subscriber.max_levels or {}).items() if k in slugs}
        return {
            "max_levels": levels,
            "preset": preset_of(levels, slugs=slugs),
            "presets": {
                name: {k: v for k, v in caps.items() if k in slugs}
                for name, caps in PRESETS.items()
            },
            "dimensions": [{"slug": d.slug, "label": d.label_i18n} for d in dimensions],
        }

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(self._body(_me(request)))

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def patch(self, request: Request) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        subscriber = profile_update(
            subscriber=_me(request), max_levels=data.get("max_levels"), preset=data.get("preset")
        )
        return Response(self._body(subscriber))

    put = patch
