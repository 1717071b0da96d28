from __future__ import annotations

from django.contrib import admin

from .models import Assignment, Tagging, TaggingRevision


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["title", "tagger", "status", "source", "priority", "due_date", "is_calibration"]
    list_filter = ["status", "source", "is_calibration"]
    raw_id_fields = ["title"]


@admin.register(Tagging)
class TaggingAdmin(admin.ModelAdmin):
    list_display = ["title", "tagger", "status", "version", "submitted_at"]
    list_filter = ["status"]
    raw_id_fields = ["title", "assignment"]


@admin.register(TaggingRevision)
class TaggingRevisionAdmin(admin.ModelAdmin):
    list_display = ["tagging", "version", "status", "saved_by", "saved_at"]
    raw_id_fields = ["tagging"]
