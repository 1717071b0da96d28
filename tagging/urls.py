from __future__ import annotations

from django.urls import path

from .views import review, tagger

app_name = "tagging"

urlpatterns = [
    # tagger pages
    path("queue/", tagger.queue, name="queue"),
    # editor pages
    path("review/", review.review, name="review"),
]
