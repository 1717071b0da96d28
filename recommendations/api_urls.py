from __future__ import annotations

# subscriber endpoints (me/recommendations, me/feedback, me/profile, subscribers/{id}/recommendations)
subscriber_urls: list = []
# operator endpoints (recommendations/status)
operations_urls: list = []

urlpatterns = [*subscriber_urls, *operations_urls]
