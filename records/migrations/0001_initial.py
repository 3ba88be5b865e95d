# Edited: the certificate moved here from orders (#29), keeping its table (orders_certificate), its
# index's name and its rows

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0004_volunteer_number'),
        ('orders', '0012_certificate_move_to_records'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Only Django's idea of the model moves; the table stays as it is, with its data.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Certificate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(editable=False, max_length=16, unique=True, verbose_name='verification code')),
                        ('issuer_name', models.CharField(max_length=200, verbose_name='issuer')),
                        ('volunteer_name', models.CharField(max_length=150, verbose_name="volunteer's name")),
                        ('volunteer_no', models.CharField(max_length=24, verbose_name='volunteer number')),
                        ('period_start', models.DateField(verbose_name='from')),
                        ('period_end', models.DateField(verbose_name='to')),
                        ('services', models.PositiveIntegerField(verbose_name='services')),
                        ('hours', models.DecimalField(decimal_places=2, max_digits=10, verbose_name='hours recorded')),
                        ('honour_hours', models.DecimalField(decimal_places=2, max_digits=10, verbose_name='honour hours')),
                        ('lines', models.JSONField(default=list, verbose_name='services as certified')),
                        ('language', models.CharField(max_length=10, verbose_name='language')),
                        ('issued_at', models.DateTimeField(auto_now_add=True, verbose_name='issued at')),
                        ('community', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='certificates', to='accounts.community', verbose_name='issued by')),
                        ('issued_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='certificates', to=settings.AUTH_USER_MODEL, verbose_name='volunteer')),
                    ],
                    options={
                        'verbose_name': 'volunteer service certificate',
                        'verbose_name_plural': 'volunteer service certificates',
                        'db_table': 'orders_certificate',
                        'ordering': ['-issued_at', '-id'],
                        'indexes': [models.Index(fields=['user', 'community', '-issued_at'], name='orders_cert_user_id_261a0d_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
