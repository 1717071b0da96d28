"""The outbox pipeline: same-transaction writes, claims, coalescing, incremental rebuilds."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from catalog.models import OutboxEvent
from catalog.outbox import outbox_record
from catalog.services import canonical_tags_set
from recommendations.models import RebuildRun, RecommendationList, ViewingEvent
from recommendations.services import pipeline
from recommendations.services.rebuild import rebuild_all_inline

from .pipeline_support import _fresh_engine_state, event_add, world_build  # noqa: F401

pytestmark = pytest.mark.django_db


def _lists() -> dict[int, list[int]]:
    return {r.subscriber_id: r.title_ids for r in RecommendationList.objects.all()}


def test_outbox_row_is_written_in_the_same_transaction_and_rolled_back_with_it() -> None:
    world = world_build(n_titles=6, n_subscribers=1)
    before = OutboxEvent.objects.count()

    class Boom(Exception):
        pass

    def edit_then_fail() -> None:
        with transaction.atomic():
            canonical_tags_set(
                title=world.titles[0],
                values={"genre": ["drama"], "violence": 1},
                source="adjudicated",
            )
            assert OutboxEvent.objects.count() == before + 1
            raise Boom

    with pytest.raises(Boom):
        edit_then_fail()
    assert OutboxEvent.objects.count() == before
    world.titles[0].canonical.refresh_from_db()
    assert world.titles[0].canonical.values["genre"] == ["comedy"]


def test_drain_is_enqueued_only_after_commit(django_capture_on_commit_callbacks: Any) -> None:
    world = world_build(n_titles=6, n_subscribers=2)
    with mock.patch("recommendations.tasks.outbox_drain.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
            canonical_tags_set(
                title=world.titles[1],
                values={"genre": ["drama"], "violence": 0},
                source="adjudicated",
            )
            assert delay.call_count == 0
        assert len(callbacks) == 1
    assert delay.call_count == 1


def test_fifty_edits_coalesce_into_one_rebuild_per_affected_list() -> None:
    world = world_build(n_titles=12, n_subscribers=3)
    rebuild_all_inline()
    sub = world.subscribers[0]
    title = world.titles[0]
    for i in range(25):  # fifty separate transactions: 25 tag edits, 25 history changes
        with transaction.atomic():
            canonical_tags_set(
                title=title,
                values={"genre": ["drama" if i % 2 else "comedy"], "violence": i % 3},
                source="adjudicated",
            )
        with transaction.atomic():
            outbox_record(kind=OutboxEvent.Kind.SUBSCRIBER, object_ids=[sub.pk])
    assert OutboxEvent.objects.filter(processed_at__isnull=True).count() == 50
    calls: list[list[int]] = []
    real_store = pipeline.lists_store_blocks.__globals__["lists_store"]

    def spy(**kwargs: Any) -> int:
        calls.append([e[0] for e in kwargs["entries"]])
        return real_store(**kwargs)

    with mock.patch("recommendations.services.rebuild.lists_store", spy):
        rebuilt = pipeline.outbox_process()
    stored = [sid for call in calls for sid in call]
    assert len(stored) == len(set(stored)) == rebuilt  # each affected list once
    assert sub.pk in stored
    assert not OutboxEvent.objects.filter(processed_at__isnull=True).exists()
    run = RebuildRun.objects.filter(kind=RebuildRun.Kind.INCREMENTAL).get()
    assert run.status == RebuildRun.Status.DONE
    assert run.done == rebuilt
    assert "50 changes" in run.detail


def test_claim_is_exclusive_and_a_dead_workers_claim_is_reclaimed_after_the_timeout() -> None:
    world_build(n_titles=3, n_subscribers=1)
    with transaction.atomic():
        outbox_record(kind=OutboxEvent.Kind.SUBSCRIBER, object_ids=[1, 2, 3])
    token_a, rows_a = pipeline.outbox_claim()
    _token_b, rows_b = pipeline.outbox_claim()
    assert len(rows_a) == 3
    assert rows_b == []
    # Worker A dies mid-rebuild: its claim is old enough to be taken over, its run is closed.
    OutboxEvent.objects.filter(claim=token_a).update(
        claimed_at=timezone.now() - pipeline.claim_timeout() * 2
    )
    dead = RebuildRun.objects.create(kind=RebuildRun.Kind.INCREMENTAL)
    RebuildRun.objects.filter(pk=dead.pk).update(
        started_at=timezone.now() - pipeline.claim_timeout() * 2
    )
    token_c, rows_c = pipeline.outbox_claim()
    dead.refresh_from_db()
    assert dead.status == RebuildRun.Status.FAILED
    assert {r.pk for r in rows_c} == {r.pk for r in rows_a}
    # A, back from the dead, cannot mark rows it no longer holds.
    assert pipeline.outbox_mark_processed(token=token_a) == 0
    assert pipeline.outbox_mark_processed(token=token_c) == 3


def test_failure_releases_the_claim_and_marks_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    world = world_build(n_titles=6, n_subscribers=2)
    with transaction.atomic():
        outbox_record(kind=OutboxEvent.Kind.SUBSCRIBER, object_ids=[world.subscribers[0].pk])

    def broken(**kwargs: Any) -> int:
        raise RuntimeError("database went away")

    monkeypatch.setattr("recommendations.services.rebuild.lists_store", broken)
    with pytest.raises(RuntimeError):
        pipeline.outbox_process()
    row = OutboxEvent.objects.get(processed_at__isnull=True)
    assert row.claim == ""
    assert not RecommendationList.objects.exists()
    monkeypatch.undo()
    assert pipeline.outbox_process() == 1
    assert RecommendationList.objects.filter(subscriber=world.subscribers[0]).exists()


def test_title_tag_change_rebuilds_watchers_and_lists_it_enters_or_leaves() -> None:
    world = world_build(n_titles=24, n_subscribers=4)
    rebuild_all_inline()
    before = _lists()
    target = world.titles[20]
    watchers = {e.subscriber_id for e in target.viewing_events.all()}
    holders = {sid for sid, ids in before.items() if target.pk in ids}
    with transaction.atomic():
        canonical_tags_set(
            title=target,
            values={"genre": ["thriller"], "tone": ["dark"], "violence": 5},
            source="adjudicated",
        )
    generated = dict(RecommendationList.objects.values_list("subscriber_id", "generated_at"))
    pipeline.outbox_process()
    after = dict(RecommendationList.objects.values_list("subscriber_id", "generated_at"))
    touched = {sid for sid in after if after[sid] != generated[sid]}
    assert watchers | holders <= touched
    # Every list equals what a full rebuild would produce now.
    incremental = _lists()
    rebuild_all_inline()
    assert _lists() == incremental


def test_subscriber_change_rebuilds_only_that_list() -> None:
    world = world_build(n_titles=12, n_subscribers=3)
    rebuild_all_inline()
    generated = dict(RecommendationList.objects.values_list("subscriber_id", "generated_at"))
    sub = world.subscribers[1]
    with transaction.atomic():
        event_add(sub, world.titles[11], event="liked")
        outbox_record(kind=OutboxEvent.Kind.SUBSCRIBER, object_ids=[sub.pk])
    assert pipeline.outbox_process() == 1
    after = dict(RecommendationList.objects.values_list("subscriber_id", "generated_at"))
    assert [sid for sid in after if after[sid] != generated[sid]] == [sub.pk]
    assert world.titles[11].pk not in _lists()[sub.pk]


def test_taxonomy_change_rebuilds_every_list() -> None:
    world = world_build(n_titles=9, n_subscribers=3)
    with transaction.atomic():
        outbox_record(kind=OutboxEvent.Kind.TAXONOMY)
    assert pipeline.outbox_process() == 3
    assert RecommendationList.objects.count() == len(world.subscribers)
    assert RebuildRun.objects.get(kind=RebuildRun.Kind.FULL).status == RebuildRun.Status.DONE


def test_broker_down_keeps_the_change_and_the_sweep_rebuilds_it(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from recommendations.tasks import outbox_sweep

    world = world_build(n_titles=12, n_subscribers=2)
    rebuild_all_inline()
    target = world.titles[3]
    with (
        mock.patch(
            "recommendations.tasks.outbox_drain.delay", side_effect=ConnectionError("broker down")
        ),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        canonical_tags_set(
            title=target, values={"genre": ["drama"], "violence": 0}, source="adjudicated"
        )
    target.canonical.refresh_from_db()
    assert target.canonical.values["genre"] == ["drama"]  # the edit is saved
    assert OutboxEvent.objects.filter(processed_at__isnull=True).count() == 1
    outbox_sweep.delay()
    assert not OutboxEvent.objects.filter(processed_at__isnull=True).exists()
    from catalog.selectors import tags_version

    # A subquery, not DISTINCT: the lists are PostgreSQL ``json``, which has no equality.
    watcher_lists = RecommendationList.objects.filter(
        subscriber__in=ViewingEvent.objects.filter(title=target).values("subscriber")
    )
    assert watcher_lists.exists()
    assert {r.tags_version for r in watcher_lists} == {tags_version()}


def test_a_long_rebuild_keeps_its_claim_fresh() -> None:
    world_build(n_titles=3, n_subscribers=1)
    with transaction.atomic():
        outbox_record(kind=OutboxEvent.Kind.SUBSCRIBER, object_ids=[1])
    token, _ = pipeline.outbox_claim()
    old = timezone.now() - pipeline.claim_timeout() * 2
    OutboxEvent.objects.filter(claim=token).update(claimed_at=old)
    beat = pipeline._heartbeat(token, every=0.0)
    beat(100)
    assert OutboxEvent.objects.get(claim=token).claimed_at > old
    assert pipeline.outbox_claim()[1] == []  # not taken over while the worker is alive
