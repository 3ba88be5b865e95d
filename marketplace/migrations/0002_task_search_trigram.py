"""Fast substring search for the task board on PostgreSQL.

Django's ``icontains`` is ``UPPER(col) LIKE UPPER('%q%')``; trigram GIN indexes on the same
expressions let PostgreSQL answer it without reading every task (pg_trgm needs the extension,
which the migration creates; a managed database may ask an administrator to allow it). SQLite has
no such index and scans, which is fine at a community's size.
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS task_title_trgm ON marketplace_task USING gin ((UPPER(title::text)) gin_trgm_ops)"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS task_description_trgm ON marketplace_task USING gin ((UPPER(description::text)) gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS task_title_trgm")
    schema_editor.execute("DROP INDEX IF EXISTS task_description_trgm")


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
