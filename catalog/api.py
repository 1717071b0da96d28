"""Read-only catalogue and taxonomy endpoints for every signed-in user."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import filters, serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Role, has_role

from .models import Title
from .selectors import taxonomy_list, taxonomy_version
from .serializers import DimensionSerializer, TitleSerializer

GENRE_FILTER_FORBIDDEN = "Taggers cannot filter titles by their canonical tags."


class TitleFilter(django_filters.FilterSet):
    year_min = django_filters.NumberFilter(field_name="year", lookup_expr="gte")
    year_max = django_filters.NumberFilter(field_name="year", lookup_expr="lte")
    genre = django_filters.CharFilter(method="filter_genre", label="Canonical genre slug")

    class Meta:
        model = Title
        fields = ["kind", "year", "external_id"]

    def filter_genre(self, queryset, name, value):  # type: ignore[no-untyped-def]
        # Canonical tags are hidden from taggers (blind double-coding): no probing by filter.
        user = getattr(self.request, "user", None)
        if has_role(user, Role.TAGGER) and not has_role(user, Role.EDITOR, Role.OPERATOR):
            raise PermissionDenied(GENRE_FILTER_FORBIDDEN)
        # The JSON array as text contains the quoted slug; portable across SQLite and PostgreSQL.
        return queryset.filter(canonical__values__genre__icontains=f'"{value}"')


class TitleViewSet(viewsets.ReadOnlyModelViewSet):
    """The catalogue: filter by kind, year range or genre; search in titles and synopses."""

    queryset = Title.objects.all().order_by("title", "id")
    serializer_class = TitleSerializer
    filterset_class = TitleFilter
    filter_backends = [
        django_filters.rest_framework.DjangoFilterBackend,
        filters.SearchFilter,
        filters.OrderingFilter,
    ]
    search_fields = ["title", "synopsis", "external_id"]
    ordering_fields = ["title", "year", "id"]


class TaxonomyView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "Taxonomy",
            {"version": serializers.IntegerField(), "dimensions": DimensionSerializer(many=True)},
        )
    )
    def get(self, request: Request) -> Response:
        include_retired = request.query_params.get("include_retired") in {"1", "true"}
        dimensions = taxonomy_list(include_retired=include_retired)
        return Response(
            {
                "version": taxonomy_version(),
                "dimensions": DimensionSerializer(dimensions, many=True).data,
            }
        )
