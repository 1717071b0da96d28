"""Rebuilding lists: whole chunks of subscribers, with progress recorded in ``RebuildRun``.

A full rebuild is split into chunks of subscriber ids. Inline, the chunks run one after the
other in this process; otherwise each chunk is a Celery task in a group, so any number of
worker machines share the work. A chunk is idempotent: run twice, it writes the same lists;
killed half-way, its transaction-per-block writes leave every list whole, and the redelivered
task (``acks_late``) writes the rest.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import numpy as np
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from recommendations.engine.scoring import block_size, set_threads
from recommendations.models import RebuildRun

from . import state as engine_state
from .ahead import Ahead
from .store import lists_store

CHUNK = 5000
T = TypeVar("T")

Progress = Callable[[int], None]


def rebuild_run_start(
    *, kind: RebuildRun.Kind, total: int, parent: RebuildRun | None = None, detail: str = ""
) -> RebuildRun:
    return RebuildRun.objects.create(kind=kind, total=total, parent=parent, detail=detail[:500])


def rebuild_run_finish(
    *, run: RebuildRun, started: float, failed: bool = False, detail: str | None = None
) -> None:
    fields: dict[str, Any] = {
        "status": RebuildRun.Status.FAILED if failed else RebuildRun.Status.DONE,
        "finished_at": timezone.now(),
        "duration_ms": (time.perf_counter() - started) * 1000,
    }
    if detail is not None:
        fields["detail"] = detail[:500]
    RebuildRun.objects.filter(pk=run.pk).update(**fields)


def lists_store_blocks(
    *,
    state: engine_state.EngineState,
    blocks: Iterable[engine_state.ComputedBlock],
    run: RebuildRun | None = None,
    progress: Progress | None = None,
    timings: dict[str, float] | None = None,
    overlap: bool = False,
) -> int:
    """Serialise and store computed blocks; returns how many lists. ``timings`` accumulates
    the seconds spent serialising and storing (benchmarks). With ``overlap`` (the incremental
    path: one process, a core to spare), each next block is computed on a helper thread
    meanwhile (``blocks_ahead``) and, on PostgreSQL, blocks are stored by ``STORE_THREADS``
    threads, each on its own connection; a rebuild's processes already use the cores."""
    writer = _BlockWriter(state, run, progress, timings)
    if not overlap:
        for block in blocks:
            writer.store(block)
        return writer.written
    ahead = blocks_ahead(blocks)
    if connection.in_atomic_block or connection.vendor != "postgresql" or STORE_THREADS <= 1:
        # Other connections could not see the caller's uncommitted rows, and SQLite takes
        # one writer at a time: store here.
        for block in ahead:
            writer.store(block)
        return writer.written
    _store_side_by_side(ahead, writer.store, STORE_THREADS)
    return writer.written


#: Threads storing an incremental change's blocks. With one, its PostgreSQL backend stored a
#: block at a time and a core sat idle once the lists were computed (a title in 32k lists).
STORE_THREADS = 2
_DONE = object()


class _BlockWriter:
    """Serialises and stores one computed block at a time (from any thread), counting."""

    def __init__(
        self,
        state: engine_state.EngineState,
        run: RebuildRun | None,
        progress: Progress | None,
        timings: dict[str, float] | None,
    ) -> None:
        self.state, self.run, self.progress, self.timings = state, run, progress, timings
        self.explainer = engine_state.explainer_for(state)
        self.written = 0
        self._lock = threading.Lock()

    def store(self, block: engine_state.ComputedBlock) -> None:
        state = self.state
        started = time.perf_counter()
        entries = engine_state.lists_serialize(state, block, self.explainer)
        serialised = time.perf_counter()
        lists_store(
            entries=entries,
            tags_version=state.tags_version,
            taxonomy_version=state.taxonomy_version,
            history_version=state.max_event_id,
            build_ms=(serialised - started) * 1000 / max(1, len(entries)),
        )
        stored = time.perf_counter()
        with self._lock:
            self.written += len(entries)
            if self.timings is not None:
                t = self.timings
                t["serialise"] = t.get("serialise", 0.0) + serialised - started
                t["store"] = t.get("store", 0.0) + stored - serialised
        if self.run is not None:
            RebuildRun.objects.filter(pk=self.run.pk).update(done=F("done") + len(entries))
        if self.progress is not None:
            self.progress(len(entries))


def _store_side_by_side(
    blocks: Iterator[engine_state.ComputedBlock],
    store: Callable[[engine_state.ComputedBlock], None],
    threads: int,
) -> None:
    """``store`` each of ``blocks`` on ``threads`` threads, each with its own connection
    (closed when it ends). The first error stops the stores not yet begun (each block is
    one transaction: none is left half written) and is raised here after all threads end."""
    pending: queue.Queue[object] = queue.Queue(maxsize=threads)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            while (block := pending.get()) is not _DONE:
                if not errors:
                    try:
                        store(block)  # type: ignore[arg-type]
                    except BaseException as exc:  # handed to the caller
                        errors.append(exc)
        finally:
            connection.close()  # this thread's own

    workers = [threading.Thread(target=work, name="lists-store") for _ in range(threads)]
    for worker in workers:
        worker.start()
    try:
        for block in blocks:
            if errors:
                break
            pending.put(block)
    finally:
        if isinstance(blocks, Generator):
            blocks.close()  # stop computing ahead
        for _ in workers:
            pending.put(_DONE)
        for worker in workers:
            worker.join()
    if errors:
        raise errors[0]


#: Blocks computed ahead of the one being stored. A title change's patched lists are cheap to
#: compute and costly to store, its watchers' lists the reverse: with several blocks of slack
#: the helper goes on to the watchers while the caller still stores the patched lists.
AHEAD = 4
_NONE = object()


def blocks_ahead(blocks: Iterable[T], depth: int = AHEAD) -> Iterator[T]:
    """``blocks``, computed on a helper thread up to ``depth`` blocks ahead of the caller, who
    stores them meanwhile (``Ahead``). The first block is computed here: ``incremental_blocks``
    reads the database before it (Django connections are per thread), never after. Closed
    early, it waits for the helper, which computes nothing more."""
    it = iter(blocks)
    first = next(it, _NONE)
    if first is _NONE:
        return
    with Ahead(it, depth) as ahead:
        yield first  # type: ignore[misc]
        yield from ahead


def lists_rebuild(
    *,
    state: engine_state.EngineState,
    positions: np.ndarray,
    run: RebuildRun | None = None,
    progress: Progress | None = None,
    processes: int = 1,
    timings: dict[str, float] | None = None,
) -> int:
    """Compute and store the lists at ``positions`` block by block; returns how many. With
    ``processes`` > 1 the positions are split between forked processes (numpy's products here
    are single-threaded, so this is how a rebuild uses several cores); they share the working
    set copy-on-write and write the kept lists into its shared arrays."""
    positions = np.asarray(positions, dtype=np.int64)
    if processes <= 1 or len(positions) < 2 * block_size(len(state.title_ids)):
        blocks = engine_state.lists_compute(state, positions)
        return lists_store_blocks(
            state=state, blocks=blocks, run=run, progress=progress, timings=timings
        )
    return _rebuild_forked(state, positions, run, progress, processes, timings)


def _rebuild_forked(
    state: engine_state.EngineState,
    positions: np.ndarray,
    run: RebuildRun | None,
    progress: Progress | None,
    processes: int,
    timings: dict[str, float] | None,
) -> int:
    import multiprocessing

    from django.db import connections

    engine_state.lists_share(state)  # before the fork, so the children's lists reach us
    ctx = multiprocessing.get_context("fork")
    queue = ctx.SimpleQueue()

    def child(part: np.ndarray) -> None:
        set_threads(1)  # the processes already use the cores
        local: dict[str, float] = {}
        try:
            n = lists_store_blocks(
                state=state,
                blocks=engine_state.lists_compute(state, part),
                run=run,
                progress=lambda n: queue.put(("progress", n)),
                timings=local,
            )
            queue.put(("done", (n, local)))
        except BaseException as exc:
            queue.put(("error", repr(exc)))
            raise
        finally:
            connections.close_all()

    # Children must not share the parent's database connections.
    connections.close_all()
    parts = np.array_split(positions, processes)
    workers = [ctx.Process(target=child, args=(part,)) for part in parts]
    for w in workers:
        w.start()
    written, finished, errors = 0, 0, []
    while finished < len(workers):
        kind, payload = queue.get()
        if kind == "progress" and progress is not None:
            progress(payload)
        elif kind == "done":
            finished += 1
            written += payload[0]
            if timings is not None:
                for key, value in payload[1].items():
                    timings[key] = timings.get(key, 0.0) + value
        elif kind == "error":
            finished += 1
            errors.append(payload)
    for w in workers:
        w.join()
    if errors or any(w.exitcode for w in workers):
        raise RuntimeError(f"rebuild worker failed: {'; '.join(errors) or 'killed'}")
    return written


def rebuild_chunk(*, subscriber_ids: Sequence[int], chunk_run_id: int | None = None) -> int:
    """Rebuild the lists of these subscribers (a chunk of a full rebuild, or a manual rebuild)."""
    run = None
    if chunk_run_id is not None:
        run = RebuildRun.objects.filter(pk=chunk_run_id).first()
        if run is None or run.status == RebuildRun.Status.DONE:
            return 0  # already done: a redelivered task is a no-op
        RebuildRun.objects.filter(pk=run.pk).update(done=0)
    started = time.perf_counter()
    state = engine_state.state_get()
    positions = engine_state.state_refresh_subscribers(state, subscriber_ids)
    try:
        written = lists_rebuild(state=state, positions=positions, run=run)
    except Exception:
        if run is not None:
            rebuild_run_finish(run=run, started=started, failed=True)
        raise
    if run is not None:
        _chunk_done(run, started)
    return written


def _chunk_done(run: RebuildRun, started: float) -> None:
    with transaction.atomic():
        finished = RebuildRun.objects.filter(pk=run.pk, status=RebuildRun.Status.RUNNING).update(
            status=RebuildRun.Status.DONE,
            finished_at=timezone.now(),
            duration_ms=(time.perf_counter() - started) * 1000,
        )
        if finished and run.parent_id:
            RebuildRun.objects.filter(pk=run.parent_id).update(done=F("done") + run.total)
            parent = RebuildRun.objects.select_for_update().get(pk=run.parent_id)
            if (
                parent.status == RebuildRun.Status.RUNNING
                and not parent.chunks.exclude(status=RebuildRun.Status.DONE).exists()
            ):
                parent.status, parent.finished_at = RebuildRun.Status.DONE, timezone.now()
                parent.duration_ms = (parent.finished_at - parent.started_at).total_seconds() * 1000
                parent.save(update_fields=["status", "finished_at", "duration_ms"])


def rebuild_all_inline(
    *,
    progress: Progress | None = None,
    on_total: Callable[[int], None] | None = None,
    detail: str = "",
    processes: int = 1,
) -> RebuildRun:
    """Rebuild every list here (fresh working set), in ``processes`` forked processes."""
    started = time.perf_counter()
    state = engine_state.state_get(fresh=True)
    run = rebuild_run_start(
        kind=RebuildRun.Kind.FULL, total=state.n_subscribers, detail=detail or "inline"
    )
    if on_total:
        on_total(state.n_subscribers)
    try:
        lists_rebuild(
            state=state,
            positions=np.arange(state.n_subscribers),
            run=run,
            progress=progress,
            processes=processes,
        )
    except Exception:
        rebuild_run_finish(run=run, started=started, failed=True)
        raise
    rebuild_run_finish(run=run, started=started)
    run.refresh_from_db()
    return run


def rebuild_all_enqueue(*, chunk_size: int = CHUNK) -> RebuildRun:
    """Split all subscribers into chunks and run them as a Celery group across the workers."""
    from celery import group

    from recommendations.models import Subscriber
    from recommendations.tasks import rebuild_chunk_task

    ids = list(Subscriber.objects.order_by("id").values_list("id", flat=True))
    with transaction.atomic():
        parent = rebuild_run_start(
            kind=RebuildRun.Kind.FULL,
            total=len(ids),
            detail=f"{(len(ids) + chunk_size - 1) // chunk_size} chunks",
        )
        jobs = []
        for start in range(0, len(ids), chunk_size):
            chunk_ids = ids[start : start + chunk_size]
            chunk = rebuild_run_start(
                kind=RebuildRun.Kind.CHUNK, total=len(chunk_ids), parent=parent
            )
            jobs.append(rebuild_chunk_task.si(chunk_ids, chunk.pk))
        if not jobs:
            parent.status, parent.finished_at, parent.duration_ms = (
                RebuildRun.Status.DONE,
                timezone.now(),
                0.0,
            )
            parent.save()
        transaction.on_commit(lambda: group(jobs).apply_async() if jobs else None)
    return parent
