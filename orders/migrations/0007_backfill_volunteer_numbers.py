"""Give a volunteer number to everyone who already has a claim (new people get theirs at their
first claim, accounts/volunteers.py). In the order of their first claim, so the serials follow who
served first; numbers keep the prefix they are given with."""

from django.conf import settings
from django.db import migrations
from django.db.models import Min


def backfill(apps, schema_editor):
    Claim = apps.get_model("orders", "Claim")
    VolunteerNumber = apps.get_model("accounts", "VolunteerNumber")
    have = set(VolunteerNumber.objects.values_list("user_id", flat=True))
    firsts = Claim.objects.values("user_id").annotate(first=Min("created_at")).order_by("first", "user_id")
    for row in firsts.iterator(chunk_size=2000):
        if row["user_id"] in have:
            continue
        vn = VolunteerNumber.objects.create(user_id=row["user_id"])
        vn.number = f"{settings.VOLUNTEER_NO_PREFIX}{vn.pk:08d}"
        vn.save(update_fields=["number"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_volunteer_number"),
        ("orders", "0006_certificate"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
