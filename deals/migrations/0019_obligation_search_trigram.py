"""Trigram index for the obligations admin search on the description (issue 17), PostgreSQL
only -- as 0018 for the conversions."""

from django.db import migrations

NAME, TABLE, COLUMN = "obligation_description_trgm", "deals_obligation", "description"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{NAME}" ON "{TABLE}" USING gin ((UPPER("{COLUMN}"::text)) gin_trgm_ops)')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{NAME}"')


class Migration(migrations.Migration):
    dependencies = [("deals", "0018_conversion_search_trigram")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
