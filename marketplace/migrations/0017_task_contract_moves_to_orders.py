# Edited: Task.contract (a reference up the ladder, to orders.Contract) leaves marketplace; the link
# now lives in orders.ContractTask (orders/0013_contracttask copies the rows) (#29)

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('marketplace', '0016_consultation_category'),
    ]

    operations = [
        # Only Django's idea of the field goes: the column marketplace_task.contract_id stays (nullable,
        # emptied by orders/0013 once it has copied the links), so this migration need not wait for
        # orders, and marketplace depends on nothing above it. A later release may drop the column.
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveField(model_name='task', name='contract')],
            database_operations=[],
        ),
    ]
