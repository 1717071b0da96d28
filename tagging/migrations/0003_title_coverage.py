"""The pool's index: one ``TitleCoverage`` row per title with its number of taggers, kept by
database triggers so that every writer keeps it, not only Tagline's services.

SQLite rebuilds a table for most ``ALTER TABLE`` operations and a rebuilt table loses its
triggers: a later migration that alters ``catalog_title`` or ``tagging_assignment`` on SQLite
must run ``create_triggers`` again (``tests/tagging/test_title_coverage.py`` fails otherwise).
"""

import django.db.models.deletion
from django.db import migrations, models

BACKFILL = (
    "INSERT INTO tagging_titlecoverage (title_id, taggers) "
    "SELECT t.id, (SELECT COUNT(*) FROM tagging_assignment a WHERE a.title_id = t.id) "
    "FROM catalog_title t"
)

POSTGRESQL = [
    """
    CREATE FUNCTION tagging_coverage_title_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO tagging_titlecoverage (title_id, taggers) VALUES (NEW.id, 0)
        ON CONFLICT (title_id) DO NOTHING;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER tagging_coverage_title_added AFTER INSERT ON catalog_title
    FOR EACH ROW EXECUTE FUNCTION tagging_coverage_title_added()
    """,
    """
    CREATE FUNCTION tagging_coverage_count() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            UPDATE tagging_titlecoverage SET taggers = taggers - 1 WHERE title_id = OLD.title_id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            UPDATE tagging_titlecoverage SET taggers = taggers + 1 WHERE title_id = NEW.title_id;
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER tagging_coverage_count AFTER INSERT OR DELETE ON tagging_assignment
    FOR EACH ROW EXECUTE FUNCTION tagging_coverage_count()
    """,
    """
    CREATE TRIGGER tagging_coverage_moved AFTER UPDATE OF title_id ON tagging_assignment
    FOR EACH ROW WHEN (OLD.title_id IS DISTINCT FROM NEW.title_id)
    EXECUTE FUNCTION tagging_coverage_count()
    """,
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS tagging_coverage_moved ON tagging_assignment",
    "DROP TRIGGER IF EXISTS tagging_coverage_count ON tagging_assignment",
    "DROP FUNCTION IF EXISTS tagging_coverage_count()",
    "DROP TRIGGER IF EXISTS tagging_coverage_title_added ON catalog_title",
    "DROP FUNCTION IF EXISTS tagging_coverage_title_added()",
]

_PLUS = "UPDATE tagging_titlecoverage SET taggers = taggers + 1 WHERE title_id = NEW.title_id;"
_MINUS = "UPDATE tagging_titlecoverage SET taggers = taggers - 1 WHERE title_id = OLD.title_id;"
SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS tagging_coverage_title_added AFTER INSERT ON catalog_title "
    "BEGIN INSERT OR IGNORE INTO tagging_titlecoverage (title_id, taggers) VALUES (NEW.id, 0); "
    "END",
    f"CREATE TRIGGER IF NOT EXISTS tagging_coverage_assigned AFTER INSERT ON tagging_assignment "
    f"BEGIN {_PLUS} END",
    f"CREATE TRIGGER IF NOT EXISTS tagging_coverage_unassigned AFTER DELETE ON tagging_assignment "
    f"BEGIN {_MINUS} END",
    "CREATE TRIGGER IF NOT EXISTS tagging_coverage_moved AFTER UPDATE OF title_id "
    "ON tagging_assignment WHEN OLD.title_id <> NEW.title_id "
    f"BEGIN {_MINUS} {_PLUS} END",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "tagging_coverage_title_added",
        "tagging_coverage_assigned",
        "tagging_coverage_unassigned",
        "tagging_coverage_moved",
    )
]


def create_triggers(apps, schema_editor):
    statements = POSTGRESQL if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    statements = POSTGRESQL_DROP if schema_editor.connection.vendor == "postgresql" else SQLITE_DROP
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_default_codebook"),
        ("tagging", "0002_calibrationanswer_dimensionpolicy"),
    ]

    operations = [
        migrations.CreateModel(
            name="TitleCoverage",
            fields=[
                (
                    "title",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="coverage",
                        serialize=False,
                        to="catalog.title",
                    ),
                ),
                ("taggers", models.PositiveIntegerField(default=0)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["-taggers", "title"], name="coverage_pool_order")
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
