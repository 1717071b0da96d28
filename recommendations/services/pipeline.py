"""The rebuild pipeline: claim pending outbox rows, coalesce them, rebuild only what changed.

Claiming is one conditional ``UPDATE`` that stamps a fresh token on rows nobody holds (or that a
dead worker has held longer than ``OUTBOX_CLAIM_TIMEOUT``): two workers never take the same
rows. Rows are marked processed only after the lists they caused are stored; on an error the
claim is released so the retry (or the sweep) takes them again.

Coalescing: a batch of rows becomes one set of subscribers and one set of titles, so fifty
edits cause one rebuild per affected list. A title's tag change re-scores the lists of those
who watched it and patches that title's new score into everybody else's kept candidates,
writing the lists that changed (``incremental``); a subscriber change rebuilds that list; a
taxonomy change or an explicit full request rebuilds everything.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from catalog.models import OutboxEvent
from catalog.selectors import tags_version
from recommendations.models import RebuildRun

from . import state as engine_state
from .incremental import incremental_blocks
from .loaders import history_load
from .rebuild import lists_store_blocks, rebuild_all_inline, rebuild_run_finish, rebuild_run_start

logger = logging.getLogger(__name__)

BATCH = 10_000
ABANDONED = "worker lost; its changes were taken over"
FULL_KINDS = (OutboxEvent.Kind.TAXONOMY, OutboxEvent.Kind.FULL)


def claim_timeout() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "OUTBOX_CLAIM_TIMEOUT", 600)))


def _claimable() -> Q:
    return Q(processed_at__isnull=True) & (
        Q(claim="") | Q(claimed_at__lt=timezone.now() - claim_timeout())
    )


def outbox_claim(*, limit: int = BATCH) -> tuple[str, list[OutboxEvent]]:
    """Claim up to ``limit`` pending rows with a fresh token; returns the token and the rows."""
    token = uuid.uuid4().hex
    ids = list(
        OutboxEvent.objects.filter(_claimable()).order_by("id").values_list("id", flat=True)[:limit]
    )
    if not ids:
        return token, []
    if OutboxEvent.objects.filter(id__in=ids).exclude(claim="").exists():
        _abandoned_runs_close()
    # The WHERE is re-checked row by row at UPDATE time: a row another worker claimed between
    # our SELECT and this UPDATE no longer matches and stays theirs.
    OutboxEvent.objects.filter(_claimable(), id__in=ids).update(
        claim=token, claimed_at=timezone.now()
    )
    return token, list(
        OutboxEvent.objects.filter(claim=token, processed_at__isnull=True).order_by("id")
    )


def _abandoned_runs_close() -> None:
    """We are taking over a dead worker's rows: its rebuild records would say "running" forever.
    (A live run that finishes later still records its own end.)"""
    now = timezone.now()
    RebuildRun.objects.filter(
        status=RebuildRun.Status.RUNNING,
        parent__isnull=True,
        started_at__lt=now - claim_timeout(),
        kind__in=[RebuildRun.Kind.FULL, RebuildRun.Kind.INCREMENTAL],
    ).update(status=RebuildRun.Status.FAILED, finished_at=now, detail=ABANDONED)


def outbox_release(*, token: str) -> None:
    OutboxEvent.objects.filter(claim=token, processed_at__isnull=True).update(
        claim="", claimed_at=None
    )


def outbox_mark_processed(*, token: str) -> int:
    return OutboxEvent.objects.filter(claim=token, processed_at__isnull=True).update(
        processed_at=timezone.now()
    )


def outbox_pending_count() -> int:
    return OutboxEvent.objects.filter(processed_at__isnull=True).count()


def outbox_process(*, limit: int = BATCH) -> int:
    """Process pending outbox rows until none are left; returns how many lists were rebuilt."""
    rebuilt = 0
    while True:
        token, events = outbox_claim(limit=limit)
        if not events:
            return rebuilt
        try:
            rebuilt += _apply(events, heartbeat=_heartbeat(token))
        except Exception:
            outbox_release(token=token)
            raise
        outbox_mark_processed(token=token)


def _heartbeat(token: str, every: float = 30.0) -> Callable[[int], None]:
    """A progress callback that keeps our claim fresh during long rebuilds, so the sweep does
    not mistake a busy worker for a dead one and start the same rebuild twice."""
    last = time.monotonic()

    def beat(_: int) -> None:
        nonlocal last
        if time.monotonic() - last >= every:
            OutboxEvent.objects.filter(claim=token, processed_at__isnull=True).update(
                claimed_at=timezone.now()
            )
            last = time.monotonic()

    return beat


def _apply(events: list[OutboxEvent], *, heartbeat: Callable[[int], None] | None = None) -> int:
    kinds = {e.kind for e in events}
    if kinds & set(FULL_KINDS):
        run = rebuild_all_inline(
            progress=heartbeat,
            detail="taxonomy change" if OutboxEvent.Kind.TAXONOMY in kinds else "requested",
        )
        state = engine_state.state_get()
        state.outbox_seen = max(state.outbox_seen, max(e.id for e in events))
        return run.total
    titles = sorted(
        {e.object_id for e in events if e.kind == OutboxEvent.Kind.TITLE_TAGS and e.object_id}
    )
    subscribers = sorted(
        {e.object_id for e in events if e.kind == OutboxEvent.Kind.SUBSCRIBER and e.object_id}
    )
    started = time.perf_counter()
    version = tags_version()
    state = state_sync(engine_state.state_get(), exclude={e.id for e in events})
    run = rebuild_run_start(
        kind=RebuildRun.Kind.INCREMENTAL,
        total=0,
        detail=f"{len(titles)} titles, {len(subscribers)} subscribers, {len(events)} changes",
    )
    try:
        state.tags_version = max(state.tags_version, version)
        blocks = incremental_blocks(state, title_ids=titles, subscriber_ids=subscribers)
        written = lists_store_blocks(
            state=state, blocks=blocks, run=run, progress=heartbeat, overlap=True
        )
        RebuildRun.objects.filter(pk=run.pk).update(total=written)
    except Exception:
        rebuild_run_finish(run=run, started=started, failed=True)
        raise
    state.outbox_seen = max(state.outbox_seen, max(e.id for e in events))
    rebuild_run_finish(run=run, started=started)
    return written


def state_sync(state: engine_state.EngineState, *, exclude: set[int]) -> engine_state.EngineState:
    """Bring this process's working set up to what other workers and writers changed since it
    was built: new events, subscriber and title changes named by any outbox row."""
    newer = list(
        OutboxEvent.objects.filter(id__gt=state.outbox_seen)
        .exclude(id__in=exclude)
        .values_list("id", "kind", "object_id")
    )
    if any(kind in FULL_KINDS for _, kind, _ in newer):
        return engine_state.state_get(fresh=True)
    subs = {oid for _, kind, oid in newer if kind == OutboxEvent.Kind.SUBSCRIBER and oid}
    fresh_events = history_load(after_event_id=state.max_event_id)
    subs.update(int(s) for s in np.unique(fresh_events.subscriber_ids))
    titles = {oid for _, kind, oid in newer if kind == OutboxEvent.Kind.TITLE_TAGS and oid}
    if titles or subs:
        if state.cand_cut is None:
            # No list computed here yet: reload only; lists are computed when first needed.
            if titles:
                engine_state.state_refresh_titles(state, sorted(titles))
            if subs:
                engine_state.state_refresh_subscribers(state, sorted(subs))
        else:
            # The other worker wrote these lists; bring our picture of them up to date.
            for _ in incremental_blocks(
                state, title_ids=sorted(titles), subscriber_ids=sorted(subs), explain=False
            ):
                pass
    state.max_event_id = max(state.max_event_id, fresh_events.max_event_id)
    if newer:
        state.outbox_seen = max(state.outbox_seen, max(i for i, _, _ in newer))
    return state
