"""Tasks and projects remember whether they were ever published, so a cancelled draft stays private.

Backfill: the first time the status history shows the object in a public status (anything but
draft or cancelled); failing that, an object now in a public status counts as published when it
was posted. A cancelled object with no public status in its history was a draft: it stays unpublished.
"""

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery

PRIVATE = ("draft", "cancelled")


def backfill(apps, schema_editor):
    for model_name, history_name, fk in (("Task", "TaskStatusChange", "task"), ("Project", "ProjectStatusChange", "project")):
        model = apps.get_model("marketplace", model_name)
        history = apps.get_model("marketplace", history_name)
        first_public = (
            history.objects.filter(**{fk: OuterRef("pk")}).exclude(to_status__in=PRIVATE).order_by("created_at", "id").values("created_at")[:1]
        )
        model.objects.update(published_at=Subquery(first_public))
        model.objects.filter(published_at__isnull=True).exclude(status__in=PRIVATE).update(published_at=F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('marketplace', '0007_task_community_category_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='project',
            name='published_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='opened for bids at'),
        ),
        migrations.AddField(
            model_name='task',
            name='published_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='published at'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
