"""Tagger endpoints: the queue (assignments), the atomic "next title" claim, and taggings
(create draft, read, patch with optimistic locking, submit, history).

Decisions (documented in the README):
- ``POST /taggings/`` for a title the caller already tags is a 409 naming the existing tagging:
  a retried or duplicated create never overwrites a draft; PATCH it with its version instead.
- A submitted tagging is read-only: PATCH or submit answer 409 until an editor returns it.
- No self-assignment: a tagger can only tag titles assigned to them (by an editor, or claimed
  through ``/assignments/next/``, which respects the overlap). Anything else is a 400 on
  ``title``.
- ``values`` in a PATCH replaces the whole answer (the form always sends all of it).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsEditor, IsTagger, IsTaggerOrEditor, signed_in_user
from accounts.roles import Role, has_role

from ..selectors import (
    assignments_visible_to,
    tagging_get,
    tagging_get_own,
    tagging_history,
    taggings_visible_to,
)
from ..serializers import (
    AssignmentInputSerializer,
    AssignmentSerializer,
    TaggingCreateInputSerializer,
    TaggingPatchInputSerializer,
    TaggingRevisionSerializer,
    TaggingSerializer,
    TaggingSubmitInputSerializer,
)
from ..services.assignments import assignment_create, assignment_next
from ..services.taggings import tagging_create, tagging_save_draft, tagging_submit
from .shapes import assignment_data, tagging_data

TOO_LARGE = _("The request body is larger than the 256 KiB allowed.")
EXPECTED_OBJECT_OR_LIST = _("Expected an object or a list of objects.")


def _data(request: Request) -> Any:
    """``request.data`` with an oversized body turned into a 400 in the API's error shape."""
    try:
        return request.data
    except RequestDataTooBig as exc:
        raise DjangoValidationError({"body": [TOO_LARGE]}) from exc


class _Paginated(APIView):
    def paginate(self, request: Request, queryset: Any, serializer: Any) -> Response:
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(serializer(page, many=True).data)


class AssignmentListView(_Paginated):
    """GET: the caller's queue (editors: everyone's), filter by status, tagger, title.
    POST (editors): assign one ``{"title", "tagger"}`` or a list of them."""

    def get_permissions(self) -> list[BasePermission]:
        return [IsEditor()] if self.request.method == "POST" else [IsTaggerOrEditor()]

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str),
            OpenApiParameter("tagger", str, description="username"),
            OpenApiParameter("title", int),
        ],
        responses=AssignmentSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        qs = assignments_visible_to(signed_in_user(request)).order_by("-priority", "due_date", "id")
        params = request.query_params
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        if params.get("tagger"):
            qs = qs.filter(tagger__username=params["tagger"])
        if params.get("title", "").isdigit():
            qs = qs.filter(title_id=int(params["title"]))
        return self.paginate(request, qs, AssignmentSerializer)

    @extend_schema(
        request=AssignmentInputSerializer, responses={201: AssignmentSerializer(many=True)}
    )
    def post(self, request: Request) -> Response:
        data = _data(request)
        many = isinstance(data, list)
        if not many and not isinstance(data, dict):
            raise DjangoValidationError({"non_field_errors": [EXPECTED_OBJECT_OR_LIST]})
        serializer = AssignmentInputSerializer(data=data, many=many)
        if not serializer.is_valid():
            if not many:
                raise DRFValidationError(serializer.errors)
            raise DRFValidationError(
                {
                    f"{i}.{key}": msgs
                    for i, row in enumerate(serializer.errors)
                    for key, msgs in row.items()
                }
            )
        rows = serializer.validated_data if many else [serializer.validated_data]
        created = []
        with transaction.atomic():  # a list is all-or-nothing
            for index, row in enumerate(rows):
                try:
                    created.append(assignment_create(assigned_by=signed_in_user(request), **row))
                except DjangoValidationError as exc:
                    if not many:
                        raise
                    raise DjangoValidationError(
                        {f"{index}.{key}": msgs for key, msgs in exc.message_dict.items()}
                    ) from exc
        out = AssignmentSerializer(created, many=True).data
        return Response(out if many else out[0], status=status.HTTP_201_CREATED)


class AssignmentNextView(APIView):
    """The next title of the caller's queue, or one claimed from the pool; 204 when no work."""

    permission_classes = [IsTagger]

    @extend_schema(request=None, responses={200: AssignmentSerializer, 204: None})
    def post(self, request: Request) -> Response:
        assignment = assignment_next(tagger=signed_in_user(request))
        if assignment is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        # assignment_next fetched the title and the tagging with the assignment.
        return Response(assignment_data(assignment, tagging=getattr(assignment, "tagging", None)))


class TaggingListView(_Paginated):
    """GET: the caller's taggings (editors: all). POST (taggers): start a draft."""

    def get_permissions(self) -> list[BasePermission]:
        return [IsTagger()] if self.request.method == "POST" else [IsTaggerOrEditor()]

    @extend_schema(
        parameters=[OpenApiParameter("status", str), OpenApiParameter("title", int)],
        responses=TaggingSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        qs = taggings_visible_to(signed_in_user(request)).order_by("-updated_at", "id")
        params = request.query_params
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        if params.get("title", "").isdigit():
            qs = qs.filter(title_id=int(params["title"]))
        return self.paginate(request, qs, TaggingSerializer)

    @extend_schema(request=TaggingCreateInputSerializer, responses={201: TaggingSerializer})
    def post(self, request: Request) -> Response:
        serializer = TaggingCreateInputSerializer(data=_data(request))
        serializer.is_valid(raise_exception=True)
        user = signed_in_user(request)
        tagging = tagging_create(tagger=user, **serializer.validated_data)
        return Response(
            tagging_data(tagging, tagger_username=user.username), status=status.HTTP_201_CREATED
        )


class TaggingDetailView(APIView):
    """GET a tagging you may see; PATCH your own draft with the ``version`` you loaded."""

    permission_classes = [IsTaggerOrEditor]

    @extend_schema(responses=TaggingSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(TaggingSerializer(tagging_get(user=signed_in_user(request), pk=pk)).data)

    @extend_schema(request=TaggingPatchInputSerializer, responses=TaggingSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        if not has_role(request.user, Role.TAGGER):
            raise PermissionDenied
        user = signed_in_user(request)
        tagging = tagging_get_own(user=user, pk=pk)
        serializer = TaggingPatchInputSerializer(data=_data(request))
        serializer.is_valid(raise_exception=True)
        tagging = tagging_save_draft(tagging=tagging, user=user, **serializer.validated_data)
        return Response(tagging_data(tagging, tagger_username=user.username))


class TaggingSubmitView(APIView):
    permission_classes = [IsTagger]

    @extend_schema(request=TaggingSubmitInputSerializer, responses=TaggingSerializer)
    def post(self, request: Request, pk: int) -> Response:
        user = signed_in_user(request)
        tagging = tagging_get_own(user=user, pk=pk)
        serializer = TaggingSubmitInputSerializer(data=_data(request) or {})
        serializer.is_valid(raise_exception=True)
        tagging = tagging_submit(tagging=tagging, user=user, **serializer.validated_data)
        return Response(tagging_data(tagging, tagger_username=user.username))


class TaggingHistoryView(APIView):
    """Every saved version of a tagging you may see, newest first."""

    permission_classes = [IsTaggerOrEditor]

    @extend_schema(responses=TaggingRevisionSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        tagging = tagging_get(user=signed_in_user(request), pk=pk)
        return Response(TaggingRevisionSerializer(tagging_history(tagging=tagging), many=True).data)
