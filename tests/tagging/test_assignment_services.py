from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.roles import Role
from tagging.models import Assignment
from tagging.services.assignments import (
    assignment_create,
    assignment_next,
    assignments_bulk_create,
)
from tests.catalog.factories import TitleFactory

pytestmark = pytest.mark.django_db


def test_bulk_create_gives_each_title_its_overlap_balanced_across_taggers(make_user, editor):
    taggers = [make_user(Role.TAGGER) for _ in range(3)]
    titles = TitleFactory.create_batch(6)
    created = assignments_bulk_create(titles=titles, taggers=taggers, overlap=2, assigned_by=editor)
    assert len(created) == 12
    for title in titles:
        assert Assignment.objects.filter(title=title).count() == 2
    loads = sorted(Assignment.objects.filter(tagger=t).count() for t in taggers)
    assert loads == [4, 4, 4]
    assert all(a.assigned_by == editor for a in created)


def test_bulk_create_skips_existing_pairs_and_counts_them_toward_the_overlap(make_user, editor):
    a, b, c = (make_user(Role.TAGGER) for _ in range(3))
    title = TitleFactory()
    assignment_create(title=title, tagger=a, assigned_by=editor)
    created = assignments_bulk_create(
        titles=[title], taggers=[a, b, c], overlap=2, assigned_by=editor
    )
    assert len(created) == 1
    assert created[0].tagger != a
    assert (
        assignments_bulk_create(titles=[title], taggers=[a, b, c], overlap=2, assigned_by=editor)
        == []
    )


def test_bulk_create_rejects_an_overlap_larger_than_the_team(make_user, editor):
    taggers = [make_user(Role.TAGGER)]
    with pytest.raises(ValidationError) as info:
        assignments_bulk_create(
            titles=[TitleFactory()], taggers=taggers, overlap=2, assigned_by=editor
        )
    assert "overlap" in info.value.message_dict


def test_bulk_create_rejects_non_taggers(make_user, editor):
    with pytest.raises(ValidationError) as info:
        assignments_bulk_create(
            titles=[TitleFactory()],
            taggers=[make_user(Role.SUBSCRIBER)],
            overlap=1,
            assigned_by=editor,
        )
    assert "tagger" in info.value.message_dict


def test_assignment_create_refuses_the_same_pair_twice(tagger, editor):
    title = TitleFactory()
    assignment_create(title=title, tagger=tagger, assigned_by=editor)
    with pytest.raises(ValidationError) as info:
        assignment_create(title=title, tagger=tagger, assigned_by=editor)
    assert "title" in info.value.message_dict


def test_next_returns_own_queue_first_by_priority(tagger, editor):
    low, high = TitleFactory(), TitleFactory()
    assignment_create(title=low, tagger=tagger, assigned_by=editor, priority=0)
    assignment_create(title=high, tagger=tagger, assigned_by=editor, priority=5)
    assert assignment_next(tagger=tagger).title == high


def test_next_claims_from_the_pool_never_beyond_the_overlap(make_user):
    title = TitleFactory()
    taggers = [make_user(Role.TAGGER) for _ in range(3)]
    first = assignment_next(tagger=taggers[0], overlap=2)
    second = assignment_next(tagger=taggers[1], overlap=2)
    assert first.title == second.title == title
    assert first.source == Assignment.Source.POOL
    assert assignment_next(tagger=taggers[2], overlap=2) is None
    assert Assignment.objects.filter(title=title).count() == 2


def test_next_prefers_titles_already_started(make_user):
    started, fresh = TitleFactory(), TitleFactory()
    a, b = make_user(Role.TAGGER), make_user(Role.TAGGER)
    assignment_create(title=started, tagger=a, assigned_by=None)
    assert assignment_next(tagger=b, overlap=2).title == started
    assert fresh.assignments.count() == 0


def test_next_does_not_return_submitted_work(tagger):
    title = TitleFactory()
    a = assignment_create(title=title, tagger=tagger, assigned_by=None)
    Assignment.objects.filter(pk=a.pk).update(status=Assignment.Status.SUBMITTED)
    assert assignment_next(tagger=tagger, overlap=1) is None
