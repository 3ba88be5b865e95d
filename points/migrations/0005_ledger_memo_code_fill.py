"""Give the system's reasons already on points statements their code (``memo_code``), so they too
read in each reader's language. Only the two new columns of rows whose reason is recognised are
written (in the kind of transaction that writes it, in Chinese or in English); amounts, accounts
and the text itself are untouched, and a reason that is not recognised keeps its text.

Ledger rows are append-only in the database (0002's triggers): this one-off fill lifts the trigger of
the transactions table inside the migration's own transaction and puts it back before it ends, so
no other statement ever sees the table unguarded."""

import re

from django.db import migrations
from django.db.models import QuerySet

TABLE = "points_ledgertransaction"
BATCH = 500

# (kind, code, patterns): the sentences as written so far, in zh-hans and in English.
KNOWN = [
    ("budget", "points_budget", [r"区级预算", r"District budget"]),
    ("award", "points_service", [r"服务：(?P<task>.+)", r"Service: (?P<task>.+)"]),
    ("transfer", "points_gift_pool", [r"转赠给社区积分池", r"Gift to the community pool"]),
    ("transfer", "points_gift", [r"(?P<giver>.+?)转赠给(?P<receiver>.+)", r"Gift from (?P<giver>.+?) to (?P<receiver>.+)"]),
    ("redemption", "points_redeemed", [r"兑换(?P<reward>.+) × (?P<n>\d+)", r"Redeemed (?P<reward>.+) × (?P<n>\d+)"]),
    ("refund", "points_returned", [r"退回：(?P<reward>.+) × (?P<n>\d+)", r"Returned: (?P<reward>.+) × (?P<n>\d+)"]),
]


def recognise(kind: str, memo: str):
    for known_kind, code, patterns in KNOWN:
        if kind != known_kind:
            continue
        for pattern in patterns:
            found = re.fullmatch(pattern, memo, flags=re.DOTALL)
            if found:
                params = found.groupdict()
                if "n" in params:
                    params["n"] = int(params["n"])
                return code, params
    return None


def _guard(schema_editor, on: bool) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        if on:
            schema_editor.execute(
                f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
                f"FOR EACH ROW EXECUTE FUNCTION points_ledger_append_only();"
            )
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};")
    elif vendor == "sqlite":
        if on:
            schema_editor.execute(
                f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only'); END;"
            )
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only;")


def fill(apps, schema_editor):
    LedgerTransaction = apps.get_model("points", "LedgerTransaction")
    kinds = {kind for kind, _code, _patterns in KNOWN}
    rows = LedgerTransaction.objects.filter(memo_code__isnull=True, kind__in=kinds).exclude(memo="").only("id", "kind", "memo")
    found = []
    for row in rows.iterator(chunk_size=2000):
        match = recognise(row.kind, row.memo)
        if match:
            row.memo_code, row.memo_params = match
            found.append(row)
    if not found:
        return
    _guard(schema_editor, on=False)
    for start in range(0, len(found), BATCH):
        # A plain QuerySet: the model's own refuses every update (ledger rows are append-only in code).
        QuerySet(model=LedgerTransaction).bulk_update(found[start:start + BATCH], ["memo_code", "memo_params"])
    _guard(schema_editor, on=True)


class Migration(migrations.Migration):
    dependencies = [("points", "0004_ledger_memo_code")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
