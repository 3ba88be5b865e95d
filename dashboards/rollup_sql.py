"""The triggers that keep ``dashboards.CommunityMonth`` fresh in the writing transaction.

One source per kind of record the dashboards count. For each, the row's contribution (its
community, its local day, a condition and one expression per figure) is written once, here, and
turned into SQL for PostgreSQL (three statement-level triggers over the transition tables, one
plpgsql function each) or SQLite (three row-level triggers): an insert adds the new rows'
contributions (an upsert per community and month), a delete subtracts the old ones, an update does
both for the rows in which something the figures read has changed (the ``watch`` expressions), so
a claim taking a slot does not touch the rollup unless it fills the task.

Days are the site's local days (``settings.TIME_ZONE`` when the migration ran): PostgreSQL's
``AT TIME ZONE``; on SQLite Django's own ``django_datetime_cast_date``, which Django registers on
every connection it opens (a write from another SQLite client fails rather than miscount).
"""

from dataclasses import dataclass, field

from django.conf import settings

TABLE = "dashboards_communitymonth"
VOLUNTEER_TABLE = "dashboards_volunteermonth"


@dataclass(frozen=True)
class Source:
    name: str
    table: str
    # SELECT list (and FROM) of a one-row derived table ``x`` with ``c`` (community) and ``d``
    # (local day); ``{r}`` is NEW or OLD, ``{day:col}`` the local day of a timestamp column.
    derived: str
    when: str
    figures: dict[str, str]
    watch: list[str] = field(default_factory=list)
    target: str = TABLE
    keys: dict[str, str] = field(default_factory=dict)  # more key columns than (community_id, month)


SOURCES = [
    Source(
        "need", "marketplace_need",
        "SELECT {r}.community_id AS c, {day:created_at} AS d",
        "TRUE",
        {
            "needs_received": "1",
            "needs_resolved": "CASE WHEN {r}.status = 'resolved' THEN 1 ELSE 0 END",
            "needs_major": "CASE WHEN {r}.track = 'major' THEN 1 ELSE 0 END",
            "needs_minor": "CASE WHEN {r}.track = 'minor' THEN 1 ELSE 0 END",
            "needs_private": "CASE WHEN {r}.track = 'private' THEN 1 ELSE 0 END",
            "needs_untriaged": "CASE WHEN {r}.track = '' THEN 1 ELSE 0 END",
        },
        ["{r}.community_id", "{r}.created_at", "{r}.status = 'resolved'", "{r}.track"],
    ),
    Source(
        "task", "marketplace_task",
        "SELECT {r}.community_id AS c, {day:created_at} AS d",
        "{r}.published_at IS NOT NULL",
        {
            "tasks_published": "1",
            "tasks_filled": "CASE WHEN {r}.slots_taken >= {r}.slots THEN 1 ELSE 0 END",
            "tasks_done": "CASE WHEN {r}.status = 'done' THEN 1 ELSE 0 END",
        },
        ["{r}.community_id", "{r}.created_at", "{r}.published_at IS NULL", "{r}.slots_taken >= {r}.slots", "{r}.status = 'done'"],
    ),
    Source(
        "claim", "orders_claim",
        "SELECT k.community_id AS c, {day:verified_at} AS d FROM marketplace_task k WHERE k.id = {r}.task_id",
        "{r}.status = 'verified'",
        {
            "services": "1",
            "hours_hundredths": "CAST(ROUND(COALESCE({r}.hours, 0) * 100) AS BIGINT)",
            "honour_hundredths": "CAST(ROUND(COALESCE({r}.honour_hours, 0) * 100) AS BIGINT)",
        },
        ["{r}.task_id", "{r}.status = 'verified'", "{r}.verified_at", "{r}.hours", "{r}.honour_hours"],
    ),
    Source(
        "ledger", "points_ledgerentry",
        "SELECT a.community_id AS c, {day:created_at} AS d, a.kind AS akind, t.kind AS tkind, t.memo_code AS memo"
        " FROM points_pointsaccount a, points_ledgertransaction t WHERE a.id = {r}.account_id AND t.id = {r}.transaction_id",
        "(x.akind IN ('pool', 'person', 'sink'))",
        {
            "points_budgeted": "CASE WHEN x.akind = 'pool' AND x.tkind = 'budget' THEN {r}.amount ELSE 0 END",
            "points_awarded": "CASE WHEN x.akind = 'person' AND x.tkind = 'award' THEN {r}.amount ELSE 0 END",
            "points_conduct": "CASE WHEN x.akind = 'person' AND x.memo = 'points_conduct' THEN {r}.amount ELSE 0 END",
            "points_redeemed": "CASE WHEN x.akind = 'sink' THEN {r}.amount ELSE 0 END",
        },
        ["{r}.account_id", "{r}.transaction_id", "{r}.amount", "{r}.created_at"],
    ),
    Source(
        "donation", "orders_donation",
        "SELECT {r}.community_id AS c, {day:created_at} AS d",
        "{r}.status IN ('succeeded', 'refunded')",
        {"donations_gross": "{r}.amount", "donations_refunded": "{r}.refunded_amount"},
        ["{r}.community_id", "{r}.created_at", "{r}.status IN ('succeeded', 'refunded')", "{r}.amount", "{r}.refunded_amount"],
    ),
    Source(
        "spending", "orders_spending",
        "SELECT {r}.community_id AS c, {r}.spent_on AS d",
        "TRUE",
        {"donations_spent": "{r}.amount"},
        ["{r}.community_id", "{r}.spent_on", "{r}.amount"],
    ),
    # Who served where and when: distinct volunteers of a period count these rows, not the claims.
    Source(
        "volunteer", "orders_claim",
        "SELECT k.community_id AS c, {day:verified_at} AS d FROM marketplace_task k WHERE k.id = {r}.task_id",
        "{r}.status = 'verified'",
        {"services": "1"},
        ["{r}.task_id", "{r}.user_id", "{r}.status = 'verified'", "{r}.verified_at"],
        target=VOLUNTEER_TABLE,
        keys={"user_id": "{r}.user_id"},
    ),
]


class Dialect:
    def __init__(self, vendor: str, tz: str, conn_tz: str = "UTC"):
        self.pg = vendor == "postgresql"
        self.tz, self.conn_tz = tz, conn_tz

    def day(self, column_sql: str) -> str:
        if self.pg:
            return f"(({column_sql}) AT TIME ZONE '{self.tz}')::date"
        return f"django_datetime_cast_date({column_sql}, '{self.tz}', '{self.conn_tz}')"

    def month(self, day_sql: str) -> str:
        return f"date_trunc('month', ({day_sql})::timestamp)::date" if self.pg else f"date({day_sql}, 'start of month')"

    def fill(self, template: str, r: str) -> str:
        out = template.replace("{r}", r)
        while "{day:" in out:
            start = out.index("{day:")
            end = out.index("}", start)
            out = out[:start] + self.day(f"{r}.{out[start + 5:end]}") + out[end + 1:]
        return out

    def _conflict(self, source: Source) -> tuple[str, str]:
        """The key columns, and the upsert's ON CONFLICT ... DO UPDATE clause."""
        t, names = source.target, list(source.figures)
        least, greatest = ("LEAST", "GREATEST") if self.pg else ("min", "max")
        updates = ", ".join(
            [f"first_day = {least}({t}.first_day, excluded.first_day)", f"last_day = {greatest}({t}.last_day, excluded.last_day)"]
            + [f"{n} = {t}.{n} + excluded.{n}" for n in names]
        )
        keys = ", ".join(["community_id", "month", *source.keys])
        return keys, f"ON CONFLICT ({keys}) DO UPDATE SET {updates}"

    def add(self, source: Source, r: str = "NEW") -> str:
        names = list(source.figures)
        values = ", ".join(self.fill(source.figures[n], r) for n in names)
        keys, conflict = self._conflict(source)
        extra = "".join(f", {self.fill(e, r)}" for e in source.keys.values())
        return (
            f"INSERT INTO {source.target} ({keys}, first_day, last_day, {', '.join(names)}) "
            f"SELECT x.c, {self.month('x.d')}{extra}, x.d, x.d, {values} FROM ({self.fill(source.derived, r)}) AS x "
            f"WHERE x.c IS NOT NULL AND x.d IS NOT NULL AND {self.fill(source.when, r)} {conflict}"
        )

    def subtract(self, source: Source, r: str = "OLD") -> str:
        t = source.target
        sets = ", ".join(f"{n} = {t}.{n} - ({self.fill(e, r)})" for n, e in source.figures.items())
        extra = "".join(f" AND {t}.{k} = {self.fill(e, r)}" for k, e in source.keys.items())
        return (
            f"UPDATE {t} SET {sets} FROM ({self.fill(source.derived, r)}) AS x "
            f"WHERE {t}.community_id = x.c AND {t}.month = {self.month('x.d')}{extra} AND {self.fill(source.when, r)}"
        )

    def changed(self, source: Source) -> str:
        op = "IS DISTINCT FROM" if self.pg else "IS NOT"
        return " OR ".join(f"(({self.fill(w, 'OLD')}) {op} ({self.fill(w, 'NEW')}))" for w in source.watch)

    def _pg_delta(self, source: Source, sides: list[tuple[str, str, str]]) -> str:
        """One upsert per (community, month) a statement touched: the sum of the contributions of
        the rows in the transition tables (sign, table, extra condition) of one statement."""
        names = list(source.figures)
        parts = []
        for sign, rows, extra in sides:
            keys = "".join(f", {self.fill(e, 'r')} AS {k}" for k, e in source.keys.items())
            values = ", ".join(f"{sign}({self.fill(source.figures[n], 'r')}) AS {n}" for n in names)
            parts.append(
                f"SELECT x.c, x.d{keys}, {values} FROM {rows} r CROSS JOIN LATERAL ({self.fill(source.derived, 'r')}) AS x "
                f"WHERE x.c IS NOT NULL AND x.d IS NOT NULL AND {self.fill(source.when, 'r')}{extra}"
            )
        keys, conflict = self._conflict(source)
        extra_keys = "".join(f", {k}" for k in source.keys)
        positions = ", ".join(str(i + 1) for i in range(2 + len(source.keys)))
        return (
            f"INSERT INTO {source.target} ({keys}, first_day, last_day, {', '.join(names)}) "
            f"SELECT c, {self.month('d')}{extra_keys}, MIN(d), MAX(d), {', '.join(f'SUM({n})' for n in names)} "
            f"FROM ({' UNION ALL '.join(parts)}) AS delta GROUP BY {positions} ORDER BY {positions} "  # one lock order for every writer
            f"{conflict}"
        )

    def _pg_function(self, name: str, body: str) -> str:
        return f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  {body};\n  RETURN NULL;\nEND $$"

    def create(self) -> list[str]:
        """PostgreSQL: statement-level triggers over the transition tables, so a bulk insert of
        5,000 rows is one upsert per (community, month), not 5,000 updates of the same row (each a
        new row version its own transaction cannot prune). SQLite: row-level triggers."""
        statements = []
        for s in SOURCES:
            trigger = f"dashboards_rollup_{s.name}"
            if self.pg:
                changed = self.changed(s).replace("OLD.", "o.").replace("NEW.", "n.")
                moved = f" AND r.id IN (SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {changed})"
                statements += [
                    self._pg_function(f"{trigger}_ins", self._pg_delta(s, [("", "new_rows", "")])),
                    self._pg_function(f"{trigger}_del", self._pg_delta(s, [("-", "old_rows", "")])),
                    self._pg_function(f"{trigger}_upd", self._pg_delta(s, [("-", "old_rows", moved), ("", "new_rows", moved)])),
                    f"CREATE TRIGGER {trigger}_ins AFTER INSERT ON {s.table} REFERENCING NEW TABLE AS new_rows "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {trigger}_ins()",
                    f"CREATE TRIGGER {trigger}_del AFTER DELETE ON {s.table} REFERENCING OLD TABLE AS old_rows "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {trigger}_del()",
                    f"CREATE TRIGGER {trigger}_upd AFTER UPDATE ON {s.table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {trigger}_upd()",
                ]
            else:
                statements += [
                    f"CREATE TRIGGER {trigger}_ins AFTER INSERT ON {s.table} FOR EACH ROW BEGIN {self.add(s)}; END",
                    f"CREATE TRIGGER {trigger}_upd AFTER UPDATE ON {s.table} FOR EACH ROW WHEN {self.changed(s)} "
                    f"BEGIN {self.subtract(s)}; {self.add(s)}; END",
                    f"CREATE TRIGGER {trigger}_del AFTER DELETE ON {s.table} FOR EACH ROW BEGIN {self.subtract(s)}; END",
                ]
        return statements

    def drop(self) -> list[str]:
        statements = []
        for s in SOURCES:
            trigger = f"dashboards_rollup_{s.name}"
            for op in ("ins", "upd", "del"):
                statements.append(f"DROP TRIGGER IF EXISTS {trigger}_{op} ON {s.table}" if self.pg else f"DROP TRIGGER IF EXISTS {trigger}_{op}")
            if self.pg:
                statements += [f"DROP FUNCTION IF EXISTS {trigger}_{op}()" for op in ("ins", "upd", "del")]
        return statements


def dialect_for(connection) -> Dialect:
    return Dialect(connection.vendor, settings.TIME_ZONE, connection.timezone_name if connection.vendor == "sqlite" else "UTC")


def install(connection) -> None:
    with connection.cursor() as cursor:
        for statement in dialect_for(connection).create():
            cursor.execute(statement)


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        for statement in dialect_for(connection).drop():
            cursor.execute(statement)
