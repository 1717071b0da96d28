from __future__ import annotations

from rest_framework import serializers

from .models import Dimension, Tag, Title


class TitleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Title
        fields = [
            "id",
            "external_id",
            "title",
            "year",
            "kind",
            "parent",
            "runtime_minutes",
            "synopsis",
            "media_url",
            "poster_url",
        ]


class TitleBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Title
        fields = ["id", "external_id", "title", "year"]


class TagSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="label_i18n")  # type: ignore[assignment]
    definition = serializers.CharField(source="definition_i18n")

    class Meta:
        model = Tag
        fields = ["slug", "label", "definition", "examples", "level", "active"]


class DimensionSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="label_i18n")  # type: ignore[assignment]
    definition = serializers.CharField(source="definition_i18n")
    tags = TagSerializer(many=True)

    class Meta:
        model = Dimension
        fields = [
            "slug",
            "label",
            "kind",
            "definition",
            "required",
            "active",
            "is_maturity",
            "order",
            "tags",
        ]
