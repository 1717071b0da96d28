"""Celery tasks of the rebuild pipeline. Thin: they take ids and call services."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def outbox_drain() -> int:
    """Claim pending outbox rows, coalesce them, rebuild only the affected lists."""
    from .services.pipeline import outbox_process

    return outbox_process()


@shared_task(acks_late=True)
def outbox_sweep() -> int:
    """Periodic (beat): drain whatever a broker outage or a killed worker left pending."""
    from .services.pipeline import outbox_process

    return outbox_process()
