# Edited: the certificate moved to the records app (#29), keeping its table and its rows

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0011_claim_confirmation_answer'),
    ]

    operations = [
        # Only Django's idea of the model moves; the table orders_certificate stays as it is, with
        # its data. records/0001_initial takes the model up, after this (so records depends on
        # orders, down the ladder, and orders never on records).
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='Certificate')],
            database_operations=[],
        ),
    ]
