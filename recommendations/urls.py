from __future__ import annotations

from django.urls import path

from . import views

app_name = "recommendations"

urlpatterns = [
    path("for-you/", views.home, name="home"),
    path("operations/", views.status, name="status"),
]
