"""Tasks and full rebuilds: chunks as a group, idempotence, a worker dying mid-chunk."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.models import Tag
from recommendations import tasks
from recommendations.engine.packed import pack_one, unpack
from recommendations.models import RebuildRun, RecommendationList
from recommendations.services import rebuild as rebuild_service
from recommendations.services.rebuild import rebuild_all_enqueue, rebuild_all_inline, rebuild_chunk

from .pipeline_support import _fresh_engine_state, world_build  # noqa: F401

pytestmark = pytest.mark.django_db


def test_tasks_ack_late_and_retry_with_backoff() -> None:
    for task in (
        tasks.outbox_drain,
        tasks.outbox_sweep,
        tasks.lists_prune,
        tasks.rebuild_chunk_task,
    ):
        assert task.acks_late is True
        assert task.retry_backoff
        assert Exception in task.autoretry_for
    assert tasks.outbox_drain.name == "recommendations.tasks.outbox_drain"
    assert tasks.outbox_sweep.name == "recommendations.tasks.outbox_sweep"


def test_full_rebuild_gives_every_subscriber_a_list_in_the_stored_shape(settings: Any) -> None:
    settings.RECOMMENDATION_LIST_SIZE = 8
    world = world_build(n_titles=24, n_subscribers=4)
    run = rebuild_all_inline()
    assert run.status == RebuildRun.Status.DONE
    assert run.done == run.total == 4
    genre_tags = set(Tag.objects.filter(dimension__slug="genre").values_list("pk", flat=True))
    for rec in RecommendationList.objects.all():
        # Language-neutral codes, packed (see RecommendationList).
        values = unpack(rec.packed)
        assert all(len(column) == 8 for column in (values.t, values.s, values.g, values.c))
        assert values.s == sorted(values.s, reverse=True)
        watched = set(rec.subscriber.events.values_list("title_id", flat=True))
        assert not watched & set(rec.title_ids)
        assert set(values.g) <= genre_tags
        assert any(values.g)
        assert {h for h in values.h if h} <= watched
        assert values.rows[0][0] == "top"
        assert values.rows[0][4] == list(range(8))
        assert rec.generated_at is not None
    assert RecommendationList.objects.count() == len(world.subscribers)


def test_full_rebuild_runs_as_a_group_of_chunks(django_capture_on_commit_callbacks: Any) -> None:
    world = world_build(n_titles=12, n_subscribers=5)
    with django_capture_on_commit_callbacks(execute=True):
        parent = rebuild_all_enqueue(chunk_size=2)
    parent.refresh_from_db()
    chunks = list(parent.chunks.order_by("id"))
    assert [c.total for c in chunks] == [2, 2, 1]
    assert all(c.status == RebuildRun.Status.DONE for c in chunks)
    assert parent.status == RebuildRun.Status.DONE
    assert parent.done == 5
    assert RecommendationList.objects.count() == len(world.subscribers)


def test_a_redelivered_chunk_is_a_no_op(django_capture_on_commit_callbacks: Any) -> None:
    world_build(n_titles=12, n_subscribers=2)
    with django_capture_on_commit_callbacks(execute=True):
        parent = rebuild_all_enqueue(chunk_size=5)
    chunk = parent.chunks.get()
    stamps = list(RecommendationList.objects.order_by("pk").values_list("generated_at", flat=True))
    assert (
        tasks.rebuild_chunk_task.delay(
            list(RecommendationList.objects.values_list("subscriber_id", flat=True)), chunk.pk
        ).get()
        == 0
    )
    assert (
        list(RecommendationList.objects.order_by("pk").values_list("generated_at", flat=True))
        == stamps
    )
    parent.refresh_from_db()
    assert parent.done == 2  # not counted twice


def test_worker_dying_mid_chunk_leaves_old_lists_whole_and_the_retry_rebuilds(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.RECOMMENDATION_LIST_SIZE = 5
    world = world_build(n_titles=24, n_subscribers=4)
    rebuild_all_inline()
    before = {r.subscriber_id: (r.packed, r.generated_at) for r in RecommendationList.objects.all()}
    real_store = rebuild_service.lists_store

    def dies_half_way(**kwargs: Any) -> int:
        entries = kwargs["entries"]
        kwargs["entries"] = entries[: len(entries) // 2]
        real_store(**kwargs)  # half of the rows written inside the chunk's transaction...
        raise SystemExit("worker killed")  # ...then the process dies before commit

    from django.db import transaction

    def atomic_store(**kwargs: Any) -> int:
        with transaction.atomic():
            return dies_half_way(**kwargs)

    monkeypatch.setattr(rebuild_service, "lists_store", atomic_store)
    with pytest.raises(SystemExit):
        rebuild_chunk(subscriber_ids=[s.pk for s in world.subscribers])
    after = {r.subscriber_id: (r.packed, r.generated_at) for r in RecommendationList.objects.all()}
    assert after == before  # nothing half-written
    monkeypatch.undo()
    assert rebuild_chunk(subscriber_ids=[s.pk for s in world.subscribers]) == 4
    assert all(
        r.generated_at > before[r.subscriber_id][1] for r in RecommendationList.objects.all()
    )


def test_swap_is_a_single_statement_per_batch() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from recommendations.services.store import lists_store

    world = world_build(n_titles=3, n_subscribers=3)
    packed = pack_one([[world.titles[0].pk], [10_000], [0], [0], [0], [0]], [0], [[0, 0, 0, 0, 0]])
    entries = [(s.pk, packed) for s in world.subscribers]
    with CaptureQueriesContext(connection) as queries:
        lists_store(
            entries=entries,
            tags_version=1,
            taxonomy_version=0,
            history_version=0,
            generated_at=timezone.now(),
        )
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if "recommendations_recommendationlist" in q["sql"]
    ]
    assert len(writes) == 1  # every list of the batch replaced by one upsert
    assert "ON CONFLICT" in writes[0]
    assert RecommendationList.objects.count() == 3


def test_a_list_for_a_subscriber_deleted_meanwhile_is_stored_then_pruned() -> None:
    """No database foreign key: a rebuild racing a subscriber's deletion stores the others'
    lists (with one, the whole block failed), and the orphan is pruned by beat's task."""
    from django.utils import timezone

    from recommendations.services.store import lists_store

    world = world_build(n_titles=3, n_subscribers=3)
    gone = world.subscribers[0]
    packed = pack_one([[world.titles[0].pk], [10_000], [0], [0], [0], [0]], [0], [[0, 0, 0, 0, 0]])
    gone.user.delete()  # the ORM's cascade: its subscriber, events and list
    lists_store(
        entries=[(s.pk, packed) for s in world.subscribers],
        tags_version=1,
        taxonomy_version=0,
        history_version=0,
        generated_at=timezone.now(),
    )
    assert RecommendationList.objects.count() == 3
    assert tasks.lists_prune.apply().get() == 1
    kept = set(RecommendationList.objects.values_list("subscriber_id", flat=True))
    assert kept == {s.pk for s in world.subscribers[1:]}
    assert tasks.lists_prune.apply().get() == 0


def test_deleting_a_user_deletes_the_list() -> None:
    world = world_build(n_titles=6, n_subscribers=2)
    rebuild_all_inline()
    world.subscribers[0].user.delete()
    assert list(RecommendationList.objects.values_list("subscriber_id", flat=True)) == [
        world.subscribers[1].pk
    ]


def test_rebuild_command_inline_and_for_one_subscriber(settings: Any) -> None:
    world = world_build(n_titles=12, n_subscribers=3)
    out = StringIO()
    call_command("rebuild_recommendations", "--all", "--inline", stdout=out)
    assert "rebuilt 3 list(s)" in out.getvalue()
    out = StringIO()
    call_command(
        "rebuild_recommendations",
        "--subscriber",
        world.subscribers[0].user.username,
        "--inline",
        stdout=out,
    )
    assert "rebuilt 1 list(s)" in out.getvalue()
    with pytest.raises(CommandError, match="unknown subscriber"):
        call_command("rebuild_recommendations", "--subscriber", "nobody")


def test_rebuild_command_without_inline_enqueues_chunks(
    django_capture_on_commit_callbacks: Any,
) -> None:
    world_build(n_titles=6, n_subscribers=2)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        call_command("rebuild_recommendations", "--all", stdout=out)
    assert "queued a full rebuild of 2" in out.getvalue()
    assert len(callbacks) == 1  # the group is sent on commit
    assert not RecommendationList.objects.exists()


def test_export_writes_one_row_per_item(tmp_path: Any, settings: Any) -> None:
    import csv

    settings.RECOMMENDATION_LIST_SIZE = 4
    world = world_build(n_titles=12, n_subscribers=2)
    rebuild_all_inline()
    target = tmp_path / "out.csv"
    call_command("export_recommendations", str(target), stdout=StringIO())
    rows = list(csv.DictReader(target.open()))
    assert list(rows[0]) == ["subscriber", "rank", "external_id", "score", "reason"]
    assert len(rows) == 8
    names = {s.user.username for s in world.subscribers}
    assert {r["subscriber"] for r in rows} == names
    assert [r["rank"] for r in rows[:4]] == ["1", "2", "3", "4"]
    assert all(r["external_id"].startswith("eng-") and r["reason"] for r in rows)
    with pytest.raises(CommandError):
        call_command("export_recommendations", str(tmp_path / "missing" / "x.csv"))
