"""The JSON list columns go, once 0004 has packed their lists (apart: on PostgreSQL the rows it
rewrote would hold the table's schema change back until its transaction ends)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0004_list_packed"),
    ]

    operations = [
        migrations.RemoveField(model_name="recommendationlist", name="items"),
        migrations.RemoveField(model_name="recommendationlist", name="rows"),
    ]
