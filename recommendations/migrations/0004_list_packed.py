"""Lists stored packed (``RecommendationList.packed``, layout in ``engine.packed``) instead of
two JSON columns: one shape to read instead of two.

Lists in the JSON code shape are converted here, value for value, so nobody sees an empty page
and no rebuild is needed. Lists still in the worded shape written before codes (migration 0002
queued their rebuild) cannot be converted: they read as empty until one outbox "full" row,
written here when there are any, has the worker rebuild every list.
"""

from typing import Any

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from recommendations.engine.packed import KINDS, MAX_SLOTS, pack_one

BATCH = 2000


def _packed(items: Any, rows: Any) -> bytes | None:
    """The packed form of a list in the JSON code shape; None for any other shape."""
    if not isinstance(items, dict):
        return None
    t = [int(v) for v in items.get("t") or []][:MAX_SLOTS]
    n = len(t)

    def column(key: str) -> list[int]:
        values = items.get(key) or []
        return [int(v) for v in values[:n]] if len(values) >= n else [0] * n

    packed_rows = []
    rows = rows if isinstance(rows, dict) else {}
    kinds = rows.get("k") or []
    parts = [rows.get(key) or [] for key in ("g", "a", "h", "i")]
    if all(len(part) == len(kinds) for part in parts):
        for kind, g, a, h, positions in zip(kinds, *parts, strict=True):
            if kind in KINDS:
                packed_rows.append(
                    [KINDS.index(kind), int(g), int(a), int(h)]
                    + [p for p in positions if isinstance(p, int) and 0 <= p < n]
                )
    code = [min(max(c, 0), 255) for c in column("c")]
    return pack_one([t, *(column(key) for key in "sgabh")], code, packed_rows[:MAX_SLOTS])


def pack_lists(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    alias = schema_editor.connection.alias
    lists = apps.get_model("recommendations", "RecommendationList").objects.using(alias)
    last, worded = 0, False
    while True:
        batch = list(lists.filter(pk__gt=last).order_by("pk").only("items", "rows")[:BATCH])
        if not batch:
            break
        for rec in batch:
            packed = _packed(rec.items, rec.rows)
            worded |= packed is None
            rec.packed = packed or b""
        lists.bulk_update(batch, ["packed"])
        last = batch[-1].pk
    if worded:
        apps.get_model("catalog", "OutboxEvent").objects.using(alias).create(kind="full")


def rebuild_lists(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # Back to JSON columns: their lists come from a full rebuild.
    alias = schema_editor.connection.alias
    if apps.get_model("recommendations", "RecommendationList").objects.using(alias).exists():
        apps.get_model("catalog", "OutboxEvent").objects.using(alias).create(kind="full")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("recommendations", "0003_list_json_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="recommendationlist",
            name="packed",
            field=models.BinaryField(default=bytes),
        ),
        migrations.RunPython(pack_lists, rebuild_lists),
    ]
