"""The outbox API the catalogue owns. Lower apps record changes here; the recommendations app
listens to ``outbox_written`` and enqueues its drain task on commit, so the catalogue never
imports it (dependencies point one way: catalog <- tagging <- recommendations)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

from .models import OutboxEvent

#: Sent inside the writer's transaction after rows were added; receivers must defer work
#: with ``transaction.on_commit`` so nothing runs for a rolled-back write.
outbox_written = Signal()


def outbox_record(
    *, kind: OutboxEvent.Kind | str, object_ids: Iterable[int | None] = (None,)
) -> int:
    """Append one outbox row per object id; must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_record must run inside the transaction of the change it records")
    rows = [OutboxEvent(kind=kind, object_id=object_id) for object_id in dict.fromkeys(object_ids)]
    OutboxEvent.objects.bulk_create(rows, batch_size=2000)
    outbox_written.send(sender=OutboxEvent, kind=str(kind), count=len(rows))
    return len(rows)
