from __future__ import annotations

from django.urls import path

from .api import review, tagger

# tagger endpoints (assignments, taggings)
tagger_urls: list = [
    path("assignments/", tagger.AssignmentListView.as_view(), name="api-assignments"),
    path("assignments/next/", tagger.AssignmentNextView.as_view(), name="api-assignment-next"),
    path("taggings/", tagger.TaggingListView.as_view(), name="api-taggings"),
    path("taggings/<int:pk>/", tagger.TaggingDetailView.as_view(), name="api-tagging"),
    path(
        "taggings/<int:pk>/submit/", tagger.TaggingSubmitView.as_view(), name="api-tagging-submit"
    ),
    path(
        "taggings/<int:pk>/history/",
        tagger.TaggingHistoryView.as_view(),
        name="api-tagging-history",
    ),
]
# editor endpoints (agreement, canonical tags)
review_urls: list = [
    path("agreement/", review.AgreementView.as_view(), name="api-agreement"),
    path(
        "titles/<int:pk>/agreement/",
        review.TitleAgreementView.as_view(),
        name="api-title-agreement",
    ),
    path(
        "titles/<int:pk>/canonical-tags/",
        review.CanonicalTagsView.as_view(),
        name="api-canonical-tags",
    ),
]

urlpatterns = [*tagger_urls, *review_urls]
