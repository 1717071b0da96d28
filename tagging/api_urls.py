from __future__ import annotations

# tagger endpoints (assignments, taggings)
tagger_urls: list = []
# editor endpoints (agreement, canonical tags)
review_urls: list = []

urlpatterns = [*tagger_urls, *review_urls]
