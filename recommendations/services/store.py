"""Storing lists: one row per subscriber, replaced whole.

Each chunk is written in one transaction by one statement per batch (``INSERT … ON CONFLICT
DO UPDATE``; on PostgreSQL fed by a binary ``COPY`` into a temporary table), so a reader sees a
subscriber's old list or the new one, never half, and a worker killed mid-chunk leaves the
previous lists untouched.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from datetime import datetime

import numpy as np
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from recommendations.engine.packed import PackedLists
from recommendations.models import RecommendationList, Subscriber

#: (subscriber_id, the list packed as ``engine.packed`` lays it out).
Entry = tuple[int, bytes]
BATCH = 2000
#: COPY's binary format: signature, flags, header extension length; -1 fields end the data.
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
COPY_TRAILER = struct.pack("!h", -1)
_COPY_ROW = struct.Struct("!hiqi")  # 2 fields; the id's length and value; the list's length


def lists_store(
    *,
    entries: Sequence[Entry],
    tags_version: int,
    taxonomy_version: int,
    history_version: int,
    build_ms: float = 0.0,
    generated_at: datetime | None = None,
) -> int:
    """Upsert the lists of ``entries`` (subscriber_id, packed) atomically; returns count."""
    if not entries:
        return 0
    generated_at = generated_at or timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _store_postgresql(
                entries, tags_version, taxonomy_version, history_version, build_ms, generated_at
            )
        else:
            objs = [
                RecommendationList(
                    subscriber_id=sid,
                    packed=packed,
                    tags_version=tags_version,
                    taxonomy_version=taxonomy_version,
                    history_version=history_version,
                    generated_at=generated_at,
                    build_ms=build_ms,
                )
                for sid, packed in entries
            ]
            RecommendationList.objects.bulk_create(
                objs,
                batch_size=BATCH,
                update_conflicts=True,
                unique_fields=["subscriber"],
                update_fields=[
                    "packed",
                    "tags_version",
                    "taxonomy_version",
                    "history_version",
                    "generated_at",
                    "build_ms",
                ],
            )
    return len(entries)


def lists_orphaned_delete() -> int:
    """Delete the lists whose subscriber is gone; returns how many. The table has no database
    foreign key, so a rebuild that computed a list before its subscriber was deleted stores it
    anyway (with one, that block's whole transaction failed). No read reaches such a list: every
    read goes through its subscriber. Run by beat (``lists_prune``)."""
    orphaned = ~Exists(Subscriber.objects.filter(pk=OuterRef("pk")))
    deleted, _ = RecommendationList.objects.filter(orphaned).delete()
    return deleted


def copy_binary(entries: Sequence[Entry]) -> bytes:
    """``entries`` as the data of a binary ``COPY (subscriber_id bigint, packed bytea)``. A
    packed block's rows all have one size, so its stream is one numpy record per row."""
    if isinstance(entries, PackedLists):
        data = entries.data
        rows = np.empty(
            len(entries),
            np.dtype(
                [
                    ("fields", ">i2"),
                    ("id_length", ">i4"),
                    ("id", ">i8"),
                    ("length", ">i4"),
                    ("packed", data.dtype),
                ]
            ),
        )
        rows["fields"], rows["id_length"], rows["length"] = 2, 8, data.dtype.itemsize
        rows["id"] = entries.subscriber_ids
        rows["packed"] = data
        return COPY_HEADER + rows.tobytes() + COPY_TRAILER
    parts = [COPY_HEADER]
    for sid, packed in entries:
        parts += [_COPY_ROW.pack(2, 8, sid, len(packed)), packed]
    parts.append(COPY_TRAILER)
    return b"".join(parts)


def _store_postgresql(
    entries: Sequence[Entry],
    tags_version: int,
    taxonomy_version: int,
    history_version: int,
    build_ms: float,
    generated_at: datetime,
) -> None:
    table = RecommendationList._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS tagline_list_stage_packed "
            "(subscriber_id bigint, packed bytea) ON COMMIT DELETE ROWS"
        )
        # Inside a caller's transaction (or a test's) the commit that empties it has not come yet.
        cursor.execute("TRUNCATE tagline_list_stage_packed")
        with cursor.cursor.copy(
            "COPY tagline_list_stage_packed (subscriber_id, packed) FROM STDIN (FORMAT BINARY)"
        ) as copy:
            copy.write(copy_binary(entries))
        cursor.execute(
            f"INSERT INTO {table} (subscriber_id, packed, tags_version, taxonomy_version, "  # noqa: S608
            "history_version, generated_at, build_ms) "
            "SELECT subscriber_id, packed, %s, %s, %s, %s, %s FROM tagline_list_stage_packed "
            "ON CONFLICT (subscriber_id) DO UPDATE SET packed = EXCLUDED.packed, "
            "tags_version = EXCLUDED.tags_version, taxonomy_version = EXCLUDED.taxonomy_version, "
            "history_version = EXCLUDED.history_version, generated_at = EXCLUDED.generated_at, "
            "build_ms = EXCLUDED.build_ms",
            [tags_version, taxonomy_version, history_version, generated_at, build_ms],
        )
