"""The pool's index (``TitleCoverage``) is kept by database triggers: every way a title or an
assignment is written — the ORM, bulk inserts, raw SQL, deletes — leaves it equal to the
count of the title's assignments. Runs on whichever database the suite uses (SQLite locally,
PostgreSQL in CI), so a migration that drops the triggers on either fails here."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count

from accounts.roles import Role
from catalog.models import Title
from tagging.models import Assignment, TitleCoverage
from tagging.services.assignments import (
    assignment_create,
    assignment_next,
    assignments_bulk_create,
    pool_candidates,
)
from tests.catalog.factories import TitleFactory

pytestmark = pytest.mark.django_db


def _coverage() -> dict[int, int]:
    return dict(TitleCoverage.objects.values_list("title_id", "taggers"))


def _counted() -> dict[int, int]:
    counts = dict(
        Assignment.objects.values("title_id").annotate(n=Count("id")).values_list("title_id", "n")
    )
    return {pk: counts.get(pk, 0) for pk in Title.objects.values_list("pk", flat=True)}


def test_every_new_title_gets_a_row_with_no_taggers():
    one = TitleFactory()
    bulk = Title.objects.bulk_create([Title(external_id=f"bulk{i}", title="B") for i in range(3)])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Title._meta.db_table} (external_id, title, kind, synopsis, media_url, "  # noqa: S608
            "poster_url, created_at, updated_at) "
            "VALUES ('raw', 'Raw', 'movie', '', '', '', %s, %s)",
            [one.created_at, one.created_at],
        )
    ids = Title.objects.filter(external_id__in=["raw", *(t.external_id for t in bulk)])
    assert _coverage() == {one.pk: 0, **dict.fromkeys(ids.values_list("pk", flat=True), 0)}


def test_every_assignment_write_keeps_the_count(make_user, editor):
    a, b, c, d = (make_user(Role.TAGGER) for _ in range(4))
    titles = TitleFactory.create_batch(4)
    assignment_create(title=titles[0], tagger=a, assigned_by=editor)
    assignments_bulk_create(titles=titles[:3], taggers=[a, b, c], overlap=2, assigned_by=editor)
    claimed = assignment_next(tagger=d, overlap=3)  # the pool claim: started titles first
    assert claimed is not None
    assert claimed.title_id == titles[0].pk
    assert _coverage() == _counted()
    assert _coverage()[titles[0].pk] == 3

    moved = Assignment.objects.filter(title=titles[1]).first()
    assert moved is not None
    Assignment.objects.filter(pk=moved.pk).update(title=titles[3])
    moved.refresh_from_db()
    moved.save()  # a save that rewrites title_id with the same value counts nothing
    Assignment.objects.filter(title=titles[2]).delete()
    assert _coverage() == _counted()
    assert _coverage()[titles[2].pk] == 0


def test_deleting_a_title_deletes_its_row(tagger, editor):
    title = TitleFactory()
    assignment_create(title=title, tagger=tagger, assigned_by=editor)
    title.delete()
    assert _coverage() == {}


def test_pool_candidates_skip_full_titles_series_and_the_callers_own(make_user, editor):
    a, b, c = (make_user(Role.TAGGER) for _ in range(3))
    full, half, mine, fresh = TitleFactory.create_batch(4)
    TitleFactory(kind=Title.Kind.SERIES)
    assignments_bulk_create(titles=[full], taggers=[a, b], overlap=2, assigned_by=editor)
    assignment_create(title=half, tagger=a, assigned_by=editor)
    assignment_create(title=mine, tagger=c, assigned_by=editor)
    started, untouched = pool_candidates(tagger=c, overlap=2)
    assert started == [half.pk]
    assert untouched == [fresh.pk]
