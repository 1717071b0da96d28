"""Celery tasks of the rebuild pipeline. Thin: they take ids and call services; each is safe to
run twice (outbox rows are claimed by a conditional UPDATE, chunks check their run's status)."""

from __future__ import annotations

from celery import shared_task


@shared_task(
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=8,
)
def outbox_drain() -> int:
    """Claim pending outbox rows, coalesce them, rebuild only the affected lists."""
    from .services.pipeline import outbox_process

    return outbox_process()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def outbox_sweep() -> int:
    """Periodic (beat): drain whatever a broker outage or a killed worker left pending."""
    from .services.pipeline import outbox_process

    return outbox_process()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def lists_prune() -> int:
    """Periodic (beat): delete lists stored for subscribers deleted meanwhile."""
    from .services.store import lists_orphaned_delete

    return lists_orphaned_delete()


@shared_task(
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=8,
)
def rebuild_chunk_task(subscriber_ids: list[int], chunk_run_id: int | None = None) -> int:
    """One chunk of a full rebuild (a Celery group spreads the chunks over the workers)."""
    from .services.rebuild import rebuild_chunk

    return rebuild_chunk(subscriber_ids=subscriber_ids, chunk_run_id=chunk_run_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def rebuild_all_task() -> int:
    """Split every subscriber into chunks and fan them out (``rebuild_recommendations --all``)."""
    from .services.rebuild import rebuild_all_enqueue

    return rebuild_all_enqueue().pk
