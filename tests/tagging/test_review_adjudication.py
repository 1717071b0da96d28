"""Consensus proposal, adjudication (outbox row, who and why), returns, automatic canonical tags
where taggers agree above the per-dimension thresholds, calibration and planning."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from catalog.models import CanonicalTags, CanonicalTagsRevision, OutboxEvent
from config.api_errors import Conflict
from tagging.models import Assignment, Tagging
from tagging.review_models import CalibrationAnswer
from tagging.services.adjudication import (
    canonical_tags_adjudicate,
    canonical_tags_auto_apply,
    dimension_policy_set,
    tagging_return_for_title,
)
from tagging.services.calibration import calibration_answer_set, calibration_assign
from tagging.services.planning import planning_assign

from .review_support import make_title, review_codebook, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def dims():
    return review_codebook()


@pytest.fixture
def taggers(make_user):
    return [make_user("tagger") for _ in range(3)]


def test_adjudication_writes_a_revision_and_an_outbox_row_in_the_same_transaction(
    dims, editor, django_capture_on_commit_callbacks
):
    title = make_title()
    with django_capture_on_commit_callbacks() as callbacks:
        canonical = canonical_tags_adjudicate(
            title=title, values={"violence": 3}, editor=editor, reason="fight scene"
        )
    assert canonical.source == CanonicalTags.Source.ADJUDICATED
    assert (
        OutboxEvent.objects.filter(kind=OutboxEvent.Kind.TITLE_TAGS, object_id=title.pk).count()
        == 1
    )
    revision = CanonicalTagsRevision.objects.get(title=title)
    assert (revision.changed_by, revision.reason, revision.version) == (editor, "fight scene", 1)
    assert callbacks  # the recommendations drain is enqueued on commit


def test_a_failed_adjudication_leaves_no_outbox_row(dims, editor):
    title = make_title()
    with pytest.raises(ValidationError):
        canonical_tags_adjudicate(title=title, values={"violence": 8}, editor=editor)
    assert not OutboxEvent.objects.exists()


def test_stale_version_is_a_conflict(dims, editor):
    title = make_title()
    canonical_tags_adjudicate(title=title, values={"violence": 3}, editor=editor, version=0)
    with pytest.raises(Conflict):
        canonical_tags_adjudicate(title=title, values={"violence": 4}, editor=editor, version=0)


def test_confirming_automatic_values_makes_them_adjudicated_without_a_rebuild(
    dims, editor, taggers
):
    title = make_title()
    for t in taggers[:2]:
        submit(title, t, {"violence": 2})
    for slug in ("violence", "genre", "tone"):  # unanswered multi-selects count as "none apply"
        dimension_policy_set(dimension=dims[slug], editor=editor, auto_threshold=1.0)
    assert canonical_tags_auto_apply() == 1
    rows = OutboxEvent.objects.count()
    canonical = canonical_tags_adjudicate(title=title, values={"violence": 2}, editor=editor)
    assert canonical.source == CanonicalTags.Source.ADJUDICATED
    assert OutboxEvent.objects.count() == rows


def test_automatic_canonical_tags_follow_the_thresholds(dims, editor, taggers):
    agreed, close, apart = make_title(), make_title(), make_title()
    for t in taggers[:2]:
        submit(agreed, t, {"violence": 2, "genre": ["drama"]})
    submit(close, taggers[0], {"violence": 2, "genre": ["drama"]})
    submit(close, taggers[1], {"violence": 3, "genre": ["drama"]})
    submit(apart, taggers[0], {"violence": 0, "genre": ["drama"]})
    submit(apart, taggers[1], {"violence": 5, "genre": ["drama"]})
    # No threshold on violence yet: an editor decides everything.
    assert canonical_tags_auto_apply() == 0
    dimension_policy_set(dimension=dims["genre"], editor=editor, auto_threshold=1.0)
    dimension_policy_set(dimension=dims["tone"], editor=editor, auto_threshold=1.0)
    # one level apart on a 0-5 scale: agreement 1 - 1/5 = 0.8
    dimension_policy_set(dimension=dims["violence"], editor=editor, auto_threshold=0.8)
    assert canonical_tags_auto_apply() == 1  # close is a split (2 vs 3): left to an editor
    auto = CanonicalTags.objects.get(title=agreed)
    assert auto.source == CanonicalTags.Source.AUTOMATIC
    assert auto.values == {"violence": 2, "genre": ["drama"]}
    assert not CanonicalTags.objects.filter(title__in=[close, apart]).exists()
    submit(close, taggers[2], {"violence": 3, "genre": ["drama"]})  # now a 2-of-3 majority at 3
    assert canonical_tags_auto_apply() == 1
    assert CanonicalTags.objects.get(title=close).values["violence"] == 3
    assert canonical_tags_auto_apply() == 0  # idempotent


def test_automatic_rule_never_overrides_an_editor(dims, editor, taggers):
    title = make_title()
    for t in taggers[:2]:
        submit(title, t, {"violence": 1})
    canonical_tags_adjudicate(title=title, values={"violence": 3}, editor=editor)
    dimension_policy_set(dimension=dims["violence"], editor=editor, auto_threshold=0.5)
    assert canonical_tags_auto_apply() == 0
    assert CanonicalTags.objects.get(title=title).values["violence"] == 3


def test_policy_thresholds_are_validated(dims, editor):
    with pytest.raises(ValidationError):
        dimension_policy_set(dimension=dims["violence"], editor=editor, auto_threshold=1.5)
    with pytest.raises(ValidationError):
        dimension_policy_set(
            dimension=dims["violence"], editor=editor, auto_threshold=0.5, min_taggers=1
        )


def test_return_to_tagger_uses_the_taggers_return(dims, editor, taggers):
    title, other = make_title(), make_title()
    tagging = submit(title, taggers[0], {"violence": 1})
    returned = tagging_return_for_title(
        title=title, tagging=tagging, editor=editor, comment="Look at 12:30 again"
    )
    assert returned.status == Tagging.Status.RETURNED
    assert returned.returned_comment == "Look at 12:30 again"
    with pytest.raises(ValidationError):
        tagging_return_for_title(
            title=other, tagging=submit(other, taggers[1], {}), editor=editor, comment=""
        )


def test_calibration_titles_join_queues_flagged_for_scoring(dims, editor, taggers):
    title = make_title()
    with pytest.raises(ValidationError):
        calibration_assign(title=title, taggers=taggers, editor=editor)
    calibration_answer_set(title=title, values={"violence": 2, "genre": ["drama"]}, editor=editor)
    created = calibration_assign(title=title, taggers=taggers[:2], editor=editor)
    assert len(created) == 2
    assert all(a.is_calibration for a in created)
    assert CalibrationAnswer.objects.get(title=title).values == {"violence": 2, "genre": ["drama"]}


def test_planning_assigns_each_title_to_n_taggers_balanced(dims, editor, taggers):
    for _ in range(6):
        make_title()
    created = planning_assign(taggers=taggers, overlap=2, count=6, editor=editor)
    assert len(created) == 12
    per_title = {}
    for a in Assignment.objects.all():
        per_title.setdefault(a.title_id, set()).add(a.tagger_id)
    assert all(len(v) == 2 for v in per_title.values())
    loads = sorted(Assignment.objects.filter(tagger=t).count() for t in taggers)
    assert loads == [4, 4, 4]
    with pytest.raises(ValidationError):  # every title has its overlap now
        planning_assign(taggers=taggers, overlap=2, count=6, editor=editor)


def test_a_submission_that_completes_agreement_sets_canonical_tags_automatically(
    dims, editor, taggers, django_capture_on_commit_callbacks
):
    from tagging.services.assignments import assignments_bulk_create
    from tagging.services.taggings import tagging_create, tagging_submit

    title = make_title()
    for slug in ("genre", "tone", "violence"):  # multi-selects count as answered (the empty set)
        dimension_policy_set(dimension=dims[slug], editor=editor, auto_threshold=1.0)
    assignments_bulk_create(titles=[title], taggers=taggers[:2], overlap=2, assigned_by=editor)
    for tagger in taggers[:2]:
        tagging = tagging_create(title=title, tagger=tagger, values={"violence": 2})
        with django_capture_on_commit_callbacks(execute=True):  # Celery is eager in tests
            tagging_submit(tagging=tagging, user=tagger)
    canonical = CanonicalTags.objects.get(title=title)
    assert (canonical.source, canonical.values) == (CanonicalTags.Source.AUTOMATIC, {"violence": 2})


def test_only_a_submission_that_completes_a_pair_sends_the_automatic_check(
    dims, editor, taggers, django_capture_on_commit_callbacks, monkeypatch
):
    from tagging import tasks
    from tagging.services.assignments import assignments_bulk_create
    from tagging.services.taggings import tagging_create, tagging_submit

    sent: list[int] = []
    monkeypatch.setattr(tasks.canonical_tags_auto_apply_task, "delay", sent.append)
    title = make_title()
    assignments_bulk_create(titles=[title], taggers=taggers[:3], overlap=3, assigned_by=editor)
    for expected, tagger in zip(([], [title.pk], [title.pk] * 2), taggers[:3], strict=True):
        tagging = tagging_create(title=title, tagger=tagger, values={"violence": 2})
        with django_capture_on_commit_callbacks(execute=True):
            tagging_submit(tagging=tagging, user=tagger)
        assert sent == expected
