"""REST shapes of the tagging app. Tagger part: assignments and taggings. (Editors' shapes may
follow in their own section.)"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from catalog.models import Title
from catalog.serializers import TitleSerializer

from .models import Assignment, Tagging, TaggingRevision

# --- output --------------------------------------------------------------------------------


class TaggingBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tagging
        fields = ["id", "status", "version"]


class AssignmentSerializer(serializers.ModelSerializer):
    title = TitleSerializer(read_only=True)
    tagger = serializers.CharField(source="tagger.username", read_only=True)
    tagging = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "title",
            "tagger",
            "status",
            "source",
            "priority",
            "due_date",
            "is_calibration",
            "created_at",
            "updated_at",
            "tagging",
        ]

    def get_tagging(self, obj: Assignment) -> dict[str, Any] | None:
        tagging = getattr(obj, "tagging", None)
        return TaggingBriefSerializer(tagging).data if tagging is not None else None


class TaggingSerializer(serializers.ModelSerializer):
    tagger = serializers.CharField(source="tagger.username", read_only=True)
    assignment = serializers.IntegerField(source="assignment_id", read_only=True)

    class Meta:
        model = Tagging
        fields = [
            "id",
            "title",
            "tagger",
            "assignment",
            "status",
            "values",
            "evidence",
            "notes",
            "version",
            "seconds_spent",
            "taxonomy_version",
            "created_at",
            "updated_at",
            "submitted_at",
            "returned_comment",
            "returned_at",
        ]


class TaggingRevisionSerializer(serializers.ModelSerializer):
    saved_by = serializers.CharField(source="saved_by.username", default=None, read_only=True)

    class Meta:
        model = TaggingRevision
        fields = ["version", "status", "values", "evidence", "notes", "saved_by", "saved_at"]


# --- input ---------------------------------------------------------------------------------


class _StrictInput(serializers.Serializer):
    """Refuses keys it does not know, so a misspelt field is a 400 naming it, not ignored."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({key: [_("Unknown field.")] for key in unknown})
        return super().to_internal_value(data)


class AssignmentInputSerializer(_StrictInput):
    title = serializers.PrimaryKeyRelatedField(queryset=Title.objects.all())
    tagger = serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.all()
    )
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    priority = serializers.IntegerField(required=False, default=0, min_value=-100, max_value=100)
    is_calibration = serializers.BooleanField(required=False, default=False)


class TitleIdField(serializers.PrimaryKeyRelatedField):
    """A title id, type-checked like ``PrimaryKeyRelatedField`` but not fetched: the service
    reads the title's assignment anyway and answers "no such title" (the same message) only
    when there is none."""

    def to_internal_value(self, data: Any) -> int:
        try:
            if isinstance(data, bool):
                raise TypeError
            return int(Title._meta.pk.get_prep_value(data))  # type: ignore[union-attr]
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        raise AssertionError  # self.fail always raises


# values, notes and evidence arrive as raw JSON: the services validate their types and contents
# against the codebook, so the API and the pages share one set of rules and messages.
class TaggingCreateInputSerializer(_StrictInput):
    title = TitleIdField(queryset=Title.objects.all())
    values = serializers.JSONField(required=False, default=dict)
    # djangorestframework-stubs type JSONField's default as a mapping, but any JSON value is valid.
    notes = serializers.JSONField(required=False, default="")  # type: ignore[arg-type]
    evidence = serializers.JSONField(required=False, default=dict)
    seconds_spent = serializers.JSONField(required=False, default=0)  # type: ignore[arg-type]


class TaggingPatchInputSerializer(_StrictInput):
    version = serializers.JSONField()
    values = serializers.JSONField(required=False, default=None)
    notes = serializers.JSONField(required=False, default=None)
    evidence = serializers.JSONField(required=False, default=None)
    seconds_spent = serializers.JSONField(required=False, default=None)


class TaggingSubmitInputSerializer(_StrictInput):
    version = serializers.JSONField(required=False, default=None)
