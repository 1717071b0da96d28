from __future__ import annotations

from django.urls import path

from .views import operations, subscriber

app_name = "recommendations"

urlpatterns = [
    # subscriber pages
    path("for-you/", subscriber.home, name="home"),
    # operator pages
    path("operations/", operations.status, name="status"),
]
