"""Two holding bookings (requested or confirmed) of one room never overlap, refused by PostgreSQL
itself whatever the race: an exclusion constraint on the half-open range [starts_at, ends_at) per
venue (btree_gist gives ``=`` on the venue id inside the GiST index). SQLite has no such constraint:
there the services' check-then-insert runs inside the write transaction (BEGIN IMMEDIATE), which
SQLite serialises (resources/services/bookings.py)."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE resources_booking ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist (
    venue_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&
) WHERE (status IN ('requested', 'confirmed'));
"""
DROP = "ALTER TABLE resources_booking DROP CONSTRAINT IF EXISTS booking_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
