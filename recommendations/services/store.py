"""Storing lists: one row per subscriber, replaced whole.

Each chunk is written in one transaction by one statement per batch (``INSERT … ON CONFLICT
DO UPDATE``; on PostgreSQL fed by ``COPY`` into a temporary table), so a reader sees a
subscriber's old list or the new one, never half, and a worker killed mid-chunk leaves the
previous lists untouched.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from recommendations.models import RecommendationList

#: (subscriber_id, items, rows) in the shape ``RecommendationList`` documents (columnar codes),
#: items and rows either as JSON text (what ``lists_serialize`` writes) or as Python values.
Json = str | dict[str, list[Any]]
Entry = tuple[int, Json, Json]
BATCH = 2000
SEP = (",", ":")


def lists_store(
    *,
    entries: Sequence[Entry],
    tags_version: int,
    taxonomy_version: int,
    history_version: int,
    build_ms: float = 0.0,
    generated_at: datetime | None = None,
) -> int:
    """Upsert the lists of ``entries`` (subscriber_id, items, rows) atomically; returns count."""
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
                    items=_value(items),
                    rows=_value(rows),
                    tags_version=tags_version,
                    taxonomy_version=taxonomy_version,
                    history_version=history_version,
                    generated_at=generated_at,
                    build_ms=build_ms,
                )
                for sid, items, rows in entries
            ]
            RecommendationList.objects.bulk_create(
                objs,
                batch_size=BATCH,
                update_conflicts=True,
                unique_fields=["subscriber"],
                update_fields=[
                    "items",
                    "rows",
                    "tags_version",
                    "taxonomy_version",
                    "history_version",
                    "generated_at",
                    "build_ms",
                ],
            )
    return len(entries)


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
            "CREATE TEMP TABLE IF NOT EXISTS tagline_list_stage_json "
            "(subscriber_id bigint, items json, rows json) ON COMMIT DELETE ROWS"
        )
        # Inside a caller's transaction (or a test's) the commit that empties it has not come yet.
        cursor.execute("TRUNCATE tagline_list_stage_json")
        with cursor.cursor.copy(
            "COPY tagline_list_stage_json (subscriber_id, items, rows) FROM STDIN"
        ) as copy:
            # COPY's text format, built here: JSON text never holds a raw tab or newline (the
            # encoder escapes them), so only backslashes need doubling.
            for start in range(0, len(entries), BATCH):
                copy.write(
                    "".join(
                        [
                            f"{sid}\t{_copy_text(items)}\t{_copy_text(rows)}\n"
                            for sid, items, rows in entries[start : start + BATCH]
                        ]
                    )
                )
        cursor.execute(
            f"INSERT INTO {table} (subscriber_id, items, rows, tags_version, taxonomy_version, "  # noqa: S608
            "history_version, generated_at, build_ms) "
            "SELECT subscriber_id, items, rows, %s, %s, %s, %s, %s FROM tagline_list_stage_json "
            "ON CONFLICT (subscriber_id) DO UPDATE SET items = EXCLUDED.items, rows = EXCLUDED.rows, "
            "tags_version = EXCLUDED.tags_version, taxonomy_version = EXCLUDED.taxonomy_version, "
            "history_version = EXCLUDED.history_version, generated_at = EXCLUDED.generated_at, "
            "build_ms = EXCLUDED.build_ms",
            [tags_version, taxonomy_version, history_version, generated_at, build_ms],
        )


def _text(value: Json) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=SEP)


def _copy_text(value: Json) -> str:
    text = _text(value)
    return text.replace("\\", "\\\\") if "\\" in text else text


def _value(value: Json) -> Any:
    # The ORM's JSONField encodes Python values itself.
    return json.loads(value) if isinstance(value, str) else value
