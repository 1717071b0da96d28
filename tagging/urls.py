from __future__ import annotations

from django.urls import path

from .views import review, tagger, taxonomy

app_name = "tagging"

urlpatterns = [
    # tagger pages
    path("queue/", tagger.queue, name="queue"),
    path("next/", tagger.next_title, name="next"),
    path("tag/<int:title_id>/", tagger.tag, name="tag"),
    path("tag/<int:title_id>/save/", tagger.tag_save, name="tag-save"),
    path("tag/<int:title_id>/submit/", tagger.tag_submit, name="tag-submit"),
    # editor pages
    path("review/", review.review, name="review"),
    path("review/automatic/", review.review_auto_apply, name="review-auto"),
    path("review/titles/<int:pk>/", review.review_title, name="review-title"),
    path(
        "review/titles/<int:pk>/return/<int:tagging_id>/",
        review.review_return,
        name="review-return",
    ),
    path("review/taggers/", review.review_taggers, name="review-taggers"),
    path("review/planning/", review.planning, name="planning"),
    path(
        "review/planning/calibration/<int:pk>/",
        review.planning_calibration,
        name="planning-calibration",
    ),
    path("review/taxonomy/", taxonomy.taxonomy, name="taxonomy"),
    path("review/taxonomy/<int:pk>/", taxonomy.taxonomy_dimension, name="taxonomy-dimension"),
    path("review/taxonomy/changes/<int:pk>/undo/", taxonomy.taxonomy_undo, name="taxonomy-undo"),
    path("review/taxonomy/confusion/", taxonomy.taxonomy_confusion, name="taxonomy-confusion"),
]
