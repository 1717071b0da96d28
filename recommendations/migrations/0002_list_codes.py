"""Lists stored as language-neutral codes (see ``RecommendationList``).

Existing lists keep their stored English words and stay readable, so nobody sees an empty page;
one outbox "full" row makes the worker rebuild them all in the new shape (drained by the worker
or beat's periodic sweep).
"""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def rebuild_old_lists(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    lists = apps.get_model("recommendations", "RecommendationList")
    outbox = apps.get_model("catalog", "OutboxEvent")
    if lists.objects.using(schema_editor.connection.alias).exists():
        outbox.objects.using(schema_editor.connection.alias).create(kind="full")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("recommendations", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="recommendationlist",
            name="items",
            field=models.JSONField(default=dict),
        ),
        migrations.AlterField(
            model_name="recommendationlist",
            name="rows",
            field=models.JSONField(default=dict),
        ),
        migrations.RunPython(rebuild_old_lists, migrations.RunPython.noop),
    ]
