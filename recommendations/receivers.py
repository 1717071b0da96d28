"""Wires the catalogue's outbox signal to the drain task, enqueued only once the writer commits."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import receiver

from catalog.outbox import outbox_written

logger = logging.getLogger(__name__)


def _send_drain() -> None:
    from .tasks import outbox_drain

    try:
        outbox_drain.delay()
    except Exception:
        # A dead broker must never fail the user's (already committed) write: the rows stay
        # pending and the periodic sweep drains them once the broker is back.
        logger.warning("could not enqueue the outbox drain; the periodic sweep will", exc_info=True)


@receiver(outbox_written)
def enqueue_outbox_drain(sender: Any, **kwargs: Any) -> None:
    transaction.on_commit(_send_drain, robust=True)
