from __future__ import annotations

from django.contrib import admin

from .models import (
    CanonicalTags,
    CanonicalTagsRevision,
    Dimension,
    OutboxEvent,
    Tag,
    TaxonomyChange,
    Title,
)


@admin.register(Title)
class TitleAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "kind", "external_id", "runtime_minutes"]
    list_filter = ["kind"]
    search_fields = ["title", "external_id"]
    raw_id_fields = ["parent"]


class TagInline(admin.TabularInline):
    model = Tag
    extra = 0
    fields = ["slug", "label", "level", "order", "active"]


@admin.register(Dimension)
class DimensionAdmin(admin.ModelAdmin):
    list_display = ["slug", "label", "kind", "required", "is_maturity", "active", "order"]
    list_filter = ["kind", "active"]
    inlines = [TagInline]


@admin.register(CanonicalTags)
class CanonicalTagsAdmin(admin.ModelAdmin):
    list_display = ["title", "version", "source", "updated_at"]
    raw_id_fields = ["title"]
    readonly_fields = ["version"]


@admin.register(CanonicalTagsRevision)
class CanonicalTagsRevisionAdmin(admin.ModelAdmin):
    list_display = ["title", "version", "source", "changed_by", "changed_at"]
    raw_id_fields = ["title"]


@admin.register(TaxonomyChange)
class TaxonomyChangeAdmin(admin.ModelAdmin):
    list_display = ["id", "action", "summary", "changed_by", "changed_at", "undone"]


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "object_id", "created_at", "claimed_at", "processed_at"]
    list_filter = ["kind"]
