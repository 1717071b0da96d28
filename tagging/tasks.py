"""Celery tasks of the tagging app. Thin: they take ids and call a service."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def canonical_tags_auto_apply_task(title_id: int) -> int:
    """After a submission: set the title's canonical tags automatically where its taggers agree
    above the editors' thresholds. Idempotent: unchanged values write nothing."""
    from .services.adjudication import canonical_tags_auto_apply

    return canonical_tags_auto_apply(title_ids=[title_id])
