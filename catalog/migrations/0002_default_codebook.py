"""The default codebook, so a fresh ``migrate`` can tag at once.

The data comes from ``catalog.codebook_v1``, a module that is frozen on purpose (it says so at
its top): keeping the long definitions out of this file keeps them readable and importable by
docs and tests, while freezing it keeps this migration's result fixed forever. A later change to
the default codebook ships as ``codebook_v2`` plus a new migration, never as an edit here.
"""

from django.db import migrations


def create_codebook(apps, schema_editor):
    from catalog.codebook_v1 import DIMENSIONS

    Dimension = apps.get_model("catalog", "Dimension")
    Tag = apps.get_model("catalog", "Tag")
    for spec in DIMENSIONS:
        fr_label, fr_definition = spec["fr"]
        dimension, _ = Dimension.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "kind": spec["kind"], "label": spec["label"], "definition": spec["definition"],
                "required": spec["required"], "order": spec["order"], "active": True,
                "is_maturity": spec["is_maturity"], "weight": spec["weight"],
                "translations": {"fr": {"label": fr_label, "definition": fr_definition}},
            },
        )
        rows = []
        for order, (slug, label, definition, examples, tag_fr_label, tag_fr_definition) in enumerate(spec["tags"]):
            fr = {"label": tag_fr_label}
            if tag_fr_definition:
                fr["definition"] = tag_fr_definition
            rows.append(Tag(
                dimension=dimension, slug=slug, label=label, definition=definition, examples=examples,
                level=int(slug) if spec["kind"] == "ordinal" else None, order=order, active=True,
                translations={"fr": fr},
            ))
        existing = set(Tag.objects.filter(dimension=dimension).values_list("slug", flat=True))
        Tag.objects.bulk_create([row for row in rows if row.slug not in existing])


def remove_codebook(apps, schema_editor):
    from catalog.codebook_v1 import DIMENSIONS

    apps.get_model("catalog", "Dimension").objects.filter(slug__in=[d["slug"] for d in DIMENSIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(create_codebook, remove_codebook)]
