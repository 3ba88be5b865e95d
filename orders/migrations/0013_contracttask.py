# Edited: the link from a task to the contract it was posted for moves from marketplace (Task.contract,
# which pointed up the ladder) to orders (ContractTask), with its rows (#29)

import django.db.models.deletion
from django.db import migrations, models


def copy_links(apps, schema_editor):
    # marketplace_task.contract_id is read with SQL, not through the historical Task: marketplace's
    # 0017 may already have taken the field out of Django's state (the column itself stays).
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, contract_id FROM marketplace_task WHERE contract_id IS NOT NULL ORDER BY id")
        rows = cursor.fetchall()
    ContractTask = apps.get_model("orders", "ContractTask")
    ContractTask.objects.using(connection.alias).bulk_create([ContractTask(task_id=task_id, contract_id=contract_id) for task_id, contract_id in rows])
    # The old column is no longer written or read; emptied so that it holds no contract against deletion.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE marketplace_task SET contract_id = NULL WHERE contract_id IS NOT NULL")


def copy_links_back(apps, schema_editor):
    connection = schema_editor.connection
    ContractTask = apps.get_model("orders", "ContractTask")
    with connection.cursor() as cursor:
        for task_id, contract_id in ContractTask.objects.using(connection.alias).values_list("task_id", "contract_id"):
            cursor.execute("UPDATE marketplace_task SET contract_id = %s WHERE id = %s", [contract_id, task_id])


class Migration(migrations.Migration):

    dependencies = [
        ('marketplace', '0016_consultation_category'),
        ('orders', '0012_certificate_move_to_records'),
    ]

    operations = [
        migrations.CreateModel(
            name='ContractTask',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('contract', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='task_links', to='orders.contract', verbose_name='contract')),
                ('task', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='contract_link', to='marketplace.task', verbose_name='task')),
            ],
            options={
                'verbose_name': 'task of a contract',
                'verbose_name_plural': 'tasks of contracts',
            },
        ),
        migrations.RunPython(copy_links, copy_links_back),
    ]
