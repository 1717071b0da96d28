from __future__ import annotations

from django.urls import path

from . import views

app_name = "tagging"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("review/", views.review, name="review"),
]
