"""Give the system's lines already in needs' histories their code (``note_code``), so they too read in
each reader's language. Lines staff wrote, and any line not recognised, keep their text."""

import re

from django.db import migrations

BATCH = 500

# (code, patterns): the sentences as written so far, in zh-hans and in English.
KNOWN = [
    ("need_task_posted", [r"已发布任务：(?P<title>.+)", r"Task posted: (?P<title>.+)"]),
    ("need_withdrawn", [r"已由居民本人撤回。", r"Withdrawn by the resident\."]),
    ("need_consultation_opened", [r"已发起协商议事：(?P<title>.+)", r"Consultation opened: (?P<title>.+)"]),
    ("need_consultation_decided", [r"协商议事已形成决议：(?P<decision>.+)", r"Consultation decided: (?P<decision>.+)"]),
]


def recognise(note: str):
    for code, patterns in KNOWN:
        for pattern in patterns:
            found = re.fullmatch(pattern, note, flags=re.DOTALL)
            if found:
                return code, found.groupdict()
    return None


def fill(apps, schema_editor):
    NeedEvent = apps.get_model("marketplace", "NeedEvent")
    found = []
    for row in NeedEvent.objects.filter(note_code="").exclude(note="").only("id", "note").iterator(chunk_size=2000):
        match = recognise(row.note)
        if match:
            row.note_code, row.note_params = match
            found.append(row)
    for start in range(0, len(found), BATCH):
        NeedEvent.objects.bulk_update(found[start:start + BATCH], ["note_code", "note_params"])


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0011_need_event_note_code")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
