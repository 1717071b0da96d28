from __future__ import annotations

from django.contrib import admin

from .models import RebuildRun, RecommendationList, Subscriber, ViewingEvent


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["user", "max_levels", "updated_at"]
    search_fields = ["user__username"]


@admin.register(ViewingEvent)
class ViewingEventAdmin(admin.ModelAdmin):
    list_display = ["subscriber", "title", "event", "rating", "timestamp"]
    list_filter = ["event"]
    raw_id_fields = ["subscriber", "title"]


@admin.register(RecommendationList)
class RecommendationListAdmin(admin.ModelAdmin):
    list_display = ["subscriber", "generated_at", "tags_version", "build_ms"]
    raw_id_fields = ["subscriber"]


@admin.register(RebuildRun)
class RebuildRunAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "status", "done", "total", "started_at", "duration_ms"]
    list_filter = ["kind", "status"]
