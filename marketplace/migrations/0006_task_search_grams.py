"""Two-character windows of each task's title and description, for substring search that an index
can serve (marketplace/search.py). Existing tasks are filled in; on PostgreSQL a GIN index
(jsonb_path_ops, which serves ``@>``) is built on them. SQLite scans, which is fine at a
community's size.
"""

from django.db import migrations, models


def fill(apps, schema_editor):
    from marketplace.search import task_grams

    Task = apps.get_model("marketplace", "Task")
    batch = []
    for task in Task.objects.only("id", "title", "description").iterator(chunk_size=2000):
        task.search_grams = task_grams(task.title, task.description)
        batch.append(task)
        if len(batch) == 2000:
            Task.objects.bulk_update(batch, ["search_grams"])
            batch = []
    Task.objects.bulk_update(batch, ["search_grams"])


def index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS task_search_grams_gin ON marketplace_task USING gin (search_grams jsonb_path_ops)"
        )


def unindex(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS task_search_grams_gin")


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0005_task_contract_project_community_project_created_by_and_more")]

    operations = [
        migrations.AddField(
            model_name="task",
            name="search_grams",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(index, unindex),
    ]
