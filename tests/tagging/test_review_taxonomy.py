"""Taxonomy management: rename and merge remap every tagging, canonical tag and calibration answer
in one transaction, undo restores them, and each change bumps the taxonomy version with an
outbox row."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from catalog.models import CanonicalTags, OutboxEvent, Tag, TaxonomyChange
from catalog.selectors import taxonomy_version
from catalog.services import canonical_tags_set
from tagging.models import TaggingRevision
from tagging.review_models import CalibrationAnswer
from tagging.services import taxonomy as svc

from .review_support import make_title, review_codebook, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def dims():
    return review_codebook()


def _tag(dimension: str, slug: str) -> Tag:
    return Tag.objects.get(dimension__slug=dimension, slug=slug)


def test_merge_remaps_taggings_canonical_tags_and_calibration_answers(
    dims, tagger, make_user, editor
):
    other = make_user("tagger")
    t1, t2 = make_title(), make_title()
    a = submit(t1, tagger, {"tone": ["dark", "quirky"], "violence": 2})
    b = submit(t1, other, {"tone": ["irreverent", "quirky"]})
    c = submit(t2, tagger, {"tone": ["dark"]})
    canonical_tags_set(
        title=t1, values={"tone": ["quirky"]}, source="adjudicated", changed_by=editor
    )
    CalibrationAnswer.objects.create(title=t2, values={"tone": ["quirky", "sincere"]})
    version_before = taxonomy_version()
    change = svc.tag_merge(
        source=_tag("tone", "quirky"), target=_tag("tone", "irreverent"), editor=editor
    )
    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db()
    assert a.values["tone"] == ["dark", "irreverent"]
    assert b.values["tone"] == ["irreverent"]  # both: kept once
    assert c.values["tone"] == ["dark"]
    assert c.version == 1
    assert a.values["violence"] == 2
    assert a.version == 2
    canonical = CanonicalTags.objects.get(title=t1)
    assert canonical.values["tone"] == ["irreverent"]
    assert canonical.version == 2
    assert CalibrationAnswer.objects.get(title=t2).values["tone"] == ["irreverent", "sincere"]
    assert not _tag("tone", "quirky").active
    assert taxonomy_version() == change.pk > version_before
    assert OutboxEvent.objects.filter(kind=OutboxEvent.Kind.TAXONOMY, object_id=change.pk).exists()


def test_undo_of_a_merge_restores_exactly_the_remapped_rows(dims, tagger, make_user, editor):
    other = make_user("tagger")
    t1 = make_title()
    a = submit(t1, tagger, {"tone": ["dark", "quirky"]})
    b = submit(t1, other, {"tone": ["quirky"]})
    canonical_tags_set(
        title=t1, values={"tone": ["quirky"]}, source="adjudicated", changed_by=editor
    )
    change = svc.tag_merge(
        source=_tag("tone", "quirky"), target=_tag("tone", "irreverent"), editor=editor
    )
    # b changes after the merge: the undo must leave it alone.
    b.refresh_from_db()
    b.values = {"tone": ["sincere"]}
    b.save()
    undo = svc.change_undo(change=change, editor=editor)
    a.refresh_from_db(), b.refresh_from_db()
    assert a.values["tone"] == ["dark", "quirky"]
    assert b.values["tone"] == ["sincere"]
    assert CanonicalTags.objects.get(title=t1).values["tone"] == ["quirky"]
    assert _tag("tone", "quirky").active
    change.refresh_from_db()
    assert change.undone
    assert undo.action == TaxonomyChange.Action.UNDO
    with pytest.raises(ValidationError):
        svc.change_undo(change=change, editor=editor)


def test_rename_changes_the_slug_everywhere_and_keeps_history_as_it_was(dims, tagger, editor):
    t1 = make_title()
    a = submit(t1, tagger, {"period": "past"})
    TaggingRevision.objects.create(
        tagging=a, version=1, status="submitted", values={"period": "past"}
    )
    change = svc.tag_rename(
        tag=_tag("period", "past"), new_slug="historical", new_label="Historical", editor=editor
    )
    a.refresh_from_db()
    assert a.values["period"] == "historical"
    assert TaggingRevision.objects.get(tagging=a).values == {"period": "past"}
    assert _tag("period", "historical").label == "Historical"
    svc.change_undo(change=change, editor=editor)
    a.refresh_from_db()
    assert a.values["period"] == "past"
    assert _tag("period", "past").label == "Past"


def test_rename_refuses_a_slug_in_use_and_writes_nothing(dims, tagger, editor):
    submit(make_title(), tagger, {"period": "past"})
    with pytest.raises(ValidationError) as exc:
        svc.tag_rename(tag=_tag("period", "past"), new_slug="future", editor=editor)
    assert "new_slug" in exc.value.message_dict
    assert not TaxonomyChange.objects.exists()


def test_merge_refuses_tags_of_other_dimensions_and_ordinal_levels(dims, editor):
    with pytest.raises(ValidationError):
        svc.tag_merge(source=_tag("tone", "quirky"), target=_tag("genre", "comedy"), editor=editor)
    with pytest.raises(ValidationError):
        svc.tag_merge(source=_tag("violence", "1"), target=_tag("violence", "2"), editor=editor)


def test_retire_restore_reorder_and_edit_each_bump_the_version(dims, editor):
    quirky = _tag("tone", "quirky")
    v0 = taxonomy_version()
    svc.tag_set_active(tag=quirky, active=False, editor=editor)
    svc.tag_set_active(tag=quirky, active=True, editor=editor)
    svc.tag_move(tag=quirky, offset=1, editor=editor)
    svc.tag_edit(
        tag=quirky,
        editor=editor,
        label="Quirky",
        definition="Odd in an endearing way",
        french={"label": "Décalé", "definition": "Étrange mais attachant"},
    )
    assert taxonomy_version() >= v0 + 4
    quirky.refresh_from_db()
    assert quirky.translations["fr"]["label"] == "Décalé"
    order = list(
        Tag.objects.filter(dimension__slug="tone").order_by("order").values_list("slug", flat=True)
    )
    assert order[:2] == ["irreverent", "quirky"]
    assert OutboxEvent.objects.filter(kind=OutboxEvent.Kind.TAXONOMY).count() >= 4


def test_dimension_create_gives_ordinal_dimensions_their_six_levels(dims, editor):
    d = svc.dimension_create(slug="peril", label="Peril", kind="ordinal", editor=editor)
    assert list(d.tags.order_by("level").values_list("level", flat=True)) == [0, 1, 2, 3, 4, 5]
    with pytest.raises(ValidationError):
        svc.dimension_create(slug="peril", label="Again", kind="ordinal", editor=editor)
