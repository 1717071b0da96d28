from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from catalog.models import CanonicalTagsRevision, Dimension, OutboxEvent
from catalog.selectors import tags_version
from catalog.services import canonical_tags_set
from tests.catalog.factories import TitleFactory, mini_codebook

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _codebook():
    Dimension.objects.all().delete()
    mini_codebook()


def test_setting_canonical_tags_records_a_revision_and_an_outbox_row(editor):
    title = TitleFactory()
    tags = canonical_tags_set(
        title=title,
        values={"genre": ["drama"], "violence": 2},
        source="adjudicated",
        changed_by=editor,
        reason="consensus",
    )
    assert tags.version == 1
    revision = CanonicalTagsRevision.objects.get()
    assert (revision.values, revision.changed_by, revision.reason) == (
        tags.values,
        editor,
        "consensus",
    )
    assert list(OutboxEvent.objects.values_list("kind", "object_id")) == [("title_tags", title.pk)]
    assert tags_version() == revision.pk


def test_unchanged_values_write_nothing(editor):
    title = TitleFactory()
    canonical_tags_set(title=title, values={"genre": ["drama"]}, source="adjudicated")
    canonical_tags_set(title=title, values={"genre": ["drama"]}, source="adjudicated")
    assert CanonicalTagsRevision.objects.count() == 1
    assert OutboxEvent.objects.count() == 1


def test_merge_mode_keeps_other_dimensions():
    title = TitleFactory()
    canonical_tags_set(
        title=title, values={"genre": ["drama"], "violence": 4}, source="adjudicated"
    )
    tags = canonical_tags_set(
        title=title, values={"genre": ["comedy"]}, source="imported", replace=False
    )
    assert tags.values == {"genre": ["comedy"], "violence": 4}
    assert tags.version == 2


def test_rolled_back_change_leaves_no_outbox_row():
    title = TitleFactory()
    with pytest.raises(RuntimeError), transaction.atomic():  # noqa: PT012 - the raise is the point
        canonical_tags_set(title=title, values={"genre": ["drama"]}, source="adjudicated")
        raise RuntimeError("boom")
    assert not OutboxEvent.objects.exists()
    assert not CanonicalTagsRevision.objects.exists()


def test_invalid_values_store_nothing():
    title = TitleFactory()
    with pytest.raises(ValidationError):
        canonical_tags_set(title=title, values={"violence": 9}, source="adjudicated")
    assert not OutboxEvent.objects.exists()


def test_outbox_drain_is_enqueued_only_after_commit(django_capture_on_commit_callbacks):
    title = TitleFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        canonical_tags_set(title=title, values={"genre": ["drama"]}, source="adjudicated")
    assert len(callbacks) == 1
