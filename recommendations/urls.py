from __future__ import annotations

from django.urls import path

from .views import operations, subscriber

app_name = "recommendations"

urlpatterns = [
    # subscriber pages
    path("for-you/", subscriber.home, name="home"),
    path("for-you/status/", subscriber.list_status, name="list-status"),
    path("for-you/titles/<int:pk>/", subscriber.title_detail, name="title"),
    path("for-you/titles/<int:pk>/feedback/", subscriber.feedback, name="feedback"),
    path("for-you/history/", subscriber.history, name="history"),
    path("for-you/profile/", subscriber.profile, name="profile"),
    # operator pages
    path("operations/", operations.status, name="status"),
    path("operations/rebuild/", operations.rebuild_all, name="rebuild-all"),
]
