from __future__ import annotations

from django.urls import path

from .api import operations as operations_api
from .api import subscriber as subscriber_api

# subscriber endpoints (me/recommendations, me/feedback, me/profile, subscribers/{id}/recommendations)
subscriber_urls: list = [
    path(
        "me/recommendations/",
        subscriber_api.MyRecommendationsView.as_view(),
        name="api-my-recommendations",
    ),
    path("me/feedback/", subscriber_api.MyFeedbackView.as_view(), name="api-my-feedback"),
    path("me/profile/", subscriber_api.MyProfileView.as_view(), name="api-my-profile"),
    path(
        "subscribers/<int:pk>/recommendations/",
        subscriber_api.SubscriberRecommendationsView.as_view(),
        name="api-subscriber-recommendations",
    ),
]
# operator endpoints (recommendations/status)
operations_urls: list = [
    path(
        "recommendations/status/",
        operations_api.RecommendationStatusView.as_view(),
        name="api-recommendation-status",
    ),
]

urlpatterns = [*subscriber_urls, *operations_urls]
