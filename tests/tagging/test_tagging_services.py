from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from config.api_errors import Conflict
from tagging.models import Assignment, Tagging, TaggingRevision
from tagging.services.taggings import (
    tagging_create,
    tagging_return,
    tagging_save_draft,
    tagging_submit,
)
from tests.catalog.factories import TitleFactory
from tests.tagging.factories import assign, use_mini_codebook

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _codebook():
    use_mini_codebook()


def test_create_requires_an_assignment(tagger):
    with pytest.raises(ValidationError) as info:
        tagging_create(tagger=tagger, title=TitleFactory(), values={})
    assert "title" in info.value.message_dict
    assert not Tagging.objects.exists()


def test_create_records_revision_and_moves_assignment_to_draft(tagger):
    a = assign(tagger)
    t = tagging_create(tagger=tagger, title=a.title, values={"violence": 2}, notes="<b>x</b>")
    assert t.version == 1
    assert t.values == {"violence": 2}
    assert t.notes == "<b>x</b>"
    assert TaggingRevision.objects.filter(tagging=t, version=1).exists()
    a.refresh_from_db()
    assert a.status == Assignment.Status.DRAFT
    assert t.assignment == a


def test_second_create_for_the_same_title_is_a_conflict(tagger):
    a = assign(tagger)
    tagging_create(tagger=tagger, title=a.title)
    with pytest.raises(Conflict):
        tagging_create(tagger=tagger, title=a.title)


def test_save_draft_bumps_version_and_keeps_history(tagger):
    a = assign(tagger)
    t = tagging_create(tagger=tagger, title=a.title)
    t = tagging_save_draft(tagging=t, user=tagger, version=1, values={"genre": ["drama"]})
    t = tagging_save_draft(tagging=t, user=tagger, version=2, values={"genre": ["comedy"]})
    assert t.version == 3
    assert list(t.revisions.values_list("version", flat=True)) == [3, 2, 1]
    assert t.revisions.get(version=2).values == {"genre": ["drama"]}


def test_stale_save_is_a_conflict_and_stores_nothing(tagger):
    a = assign(tagger)
    t = tagging_create(tagger=tagger, title=a.title, values={"violence": 1})
    tagging_save_draft(tagging=t, user=tagger, version=1, values={"violence": 2})
    stale = Tagging.objects.get(pk=t.pk)
    stale.version = 1
    with pytest.raises(Conflict):
        tagging_save_draft(tagging=stale, user=tagger, version=1, values={"violence": 5})
    t.refresh_from_db()
    assert t.values == {"violence": 2}
    assert t.version == 2
    assert t.revisions.count() == 2


def test_invalid_values_store_nothing(tagger):
    a = assign(tagger)
    t = tagging_create(tagger=tagger, title=a.title)
    with pytest.raises(ValidationError) as info:
        tagging_save_draft(
            tagging=t,
            user=tagger,
            version=1,
            values={"violence": 9, "genre": ["western"], "nope": 1},
            notes=3,
        )
    assert set(info.value.message_dict) == {"violence", "genre", "nope", "notes"}
    t.refresh_from_db()
    assert t.version == 1
    assert t.values == {}


def test_evidence_and_seconds_are_validated(tagger):
    a = assign(tagger)
    t = tagging_create(tagger=tagger, title=a.title)
    t = tagging_save_draft(
        tagging=t,
        user=tagger,
        version=1,
        evidence={"violence": [{"value": 4, "seconds": 4325.5}]},
        seconds_spent=40,
    )
    assert t.evidence == {"violence": [{"value": 4, "seconds": 4325.5}]}
    assert t.seconds_spent == 40
    t = tagging_save_draft(tagging=t, user=tagger, version=2, seconds_spent=10)
    assert t.seconds_spent == 40  # a restarted client timer never loses time already spent
    for bad in ({"violence": [{"seconds": -1}]}, {"violence": "x"}, {"nope": []}, [1]):
        with pytest.raises(ValidationError):
            tagging_save_draft(tagging=t, user=tagger, version=3, evidence=bad)
    with pytest.raises(ValidationError):
        tagging_save_draft(tagging=t, user=tagger, version=3, seconds_spent=-5)


def test_submit_requires_required_dimensions(tagger):
    a = assign(tagger)
    t = tagging_create(tagger=tagger, title=a.title, values={"tone": ["dark"]})
    with pytest.raises(ValidationError) as info:
        tagging_submit(tagging=t, user=tagger)
    assert set(info.value.message_dict) == {"genre", "violence"}
    t.refresh_from_db()
    assert t.status == Tagging.Status.DRAFT


def test_submit_makes_it_read_only_and_return_reopens_it(tagger, editor):
    a = assign(tagger)
    t = tagging_create(tagger=tagger, title=a.title, values={"genre": ["drama"], "violence": 0})
    t = tagging_submit(tagging=t, user=tagger, version=1)
    assert t.status == Tagging.Status.SUBMITTED
    assert t.submitted_at is not None
    a.refresh_from_db()
    assert a.status == Assignment.Status.SUBMITTED
    with pytest.raises(Conflict):
        tagging_save_draft(tagging=t, user=tagger, version=t.version, values={"violence": 1})
    t = tagging_return(
        tagging=t, editor=editor, comment="Violence is at least 2: the fight at 01:10."
    )
    assert t.status == Tagging.Status.RETURNED
    assert t.returned_by == editor
    assert "fight" in t.returned_comment
    a.refresh_from_db()
    assert a.status == Assignment.Status.RETURNED
    t = tagging_save_draft(
        tagging=t, user=tagger, version=t.version, values={"genre": ["drama"], "violence": 2}
    )
    t = tagging_submit(tagging=t, user=tagger, version=t.version)
    assert t.status == Tagging.Status.SUBMITTED
    assert t.revisions.filter(saved_by=editor).count() == 1


def test_return_needs_a_comment_and_a_submitted_tagging(tagger, editor):
    a = assign(tagger)
    t = tagging_create(tagger=tagger, title=a.title)
    with pytest.raises(ValidationError) as info:
        tagging_return(tagging=t, editor=editor, comment="fix")
    assert "tagging" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        tagging_return(tagging=t, editor=editor, comment="  ")
    assert "comment" in info.value.message_dict


def test_submit_with_stale_version_is_a_conflict(tagger):
    a = assign(tagger)
    t = tagging_create(tagger=tagger, title=a.title, values={"genre": ["drama"], "violence": 0})
    tagging_save_draft(tagging=t, user=tagger, version=1, notes="n")
    with pytest.raises(Conflict):
        tagging_submit(tagging=Tagging.objects.get(pk=t.pk), user=tagger, version=1)
