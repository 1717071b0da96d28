"""Lists stored as PostgreSQL ``json`` instead of ``jsonb`` (see ``JSONTextField``).

The table also gets a fillfactor of 60 on PostgreSQL: a list (~1.7 kB) is rewritten whole at
every rebuild, and room on its page lets PostgreSQL write the new version beside the old one
without touching the indexes (a HOT update), so repeated rebuilds neither bloat the indexes
nor grow the table past twice its packed size.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

import recommendations.models

FILLFACTOR = 60


def set_fillfactor(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        table = apps.get_model("recommendations", "RecommendationList")._meta.db_table
        schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {FILLFACTOR})")


def reset_fillfactor(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        table = apps.get_model("recommendations", "RecommendationList")._meta.db_table
        schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0002_list_codes"),
    ]

    operations = [
        # Before the type change: its table rewrite then packs the pages at the new fillfactor.
        migrations.RunPython(set_fillfactor, reset_fillfactor),
        migrations.AlterField(
            model_name="recommendationlist",
            name="items",
            field=recommendations.models.JSONTextField(default=dict),
        ),
        migrations.AlterField(
            model_name="recommendationlist",
            name="rows",
            field=recommendations.models.JSONTextField(default=dict),
        ),
    ]
