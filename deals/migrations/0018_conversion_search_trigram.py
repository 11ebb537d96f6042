"""Trigram indexes for the conversion list's search (issue 17), PostgreSQL only.

Django's ``icontains`` is ``UPPER(col::text) LIKE UPPER('%q%')`` on PostgreSQL; a GIN
``gin_trgm_ops`` index on the same expression answers it without reading the table. SQLite
has no such index and its lists are small: nothing is done there. The model state does not
know these indexes (they are not expressible portably), so ``makemigrations`` stays clean.
"""

from django.db import migrations

INDEXES = [
    ("conversion_reference_trgm", "deals_conversion", "reference"),
    ("conversion_delivery_ref_trgm", "deals_conversion", "delivery_reference"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("deals", "0017_list_indexes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
