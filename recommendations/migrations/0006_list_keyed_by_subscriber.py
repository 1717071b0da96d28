"""A list is keyed by its subscriber, with no surrogate id and no database foreign key: the
key check locked the subscriber's row for every list written (see RecommendationList)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0005_list_json_removed"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="recommendationlist",
            name="id",
        ),
        migrations.AlterField(
            model_name="recommendationlist",
            name="subscriber",
            field=models.OneToOneField(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                primary_key=True,
                related_name="recommendation_list",
                serialize=False,
                to="recommendations.subscriber",
            ),
        ),
    ]
