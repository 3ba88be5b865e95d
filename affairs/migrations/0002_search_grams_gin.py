"""GIN indexes on the two-character windows of policies and service items (PostgreSQL only), so the
search of affairs/filters.py stays fast at thousands of policies, as the task board's does."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX IF NOT EXISTS affairs_policy_grams_gin ON affairs_policy USING gin (search_grams jsonb_path_ops)")
        schema_editor.execute("CREATE INDEX IF NOT EXISTS affairs_serviceitem_grams_gin ON affairs_serviceitem USING gin (search_grams jsonb_path_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS affairs_policy_grams_gin")
        schema_editor.execute("DROP INDEX IF EXISTS affairs_serviceitem_grams_gin")


class Migration(migrations.Migration):
    dependencies = [("affairs", "0001_public_affairs")]
    operations = [migrations.RunPython(create, drop)]
