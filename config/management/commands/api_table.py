"""Print the endpoint table of docs/api.md from the API's own OpenAPI document, so the page can be
renewed after an endpoint is added (tests/test_docs.py fails while the page and the API differ);
with ``--errors``, its error table from the registry of error codes (core/error_codes.py; checked by
tests/test_error_codes.py)."""

from django.core.management.base import BaseCommand

from config.api import api
from core.error_codes import ERROR_GROUPS


def endpoint_rows() -> dict[str, list[tuple[str, str, str, str]]]:
    """Per tag: (method, path, success status, who may call) for every operation."""
    rows: dict[str, list[tuple[str, str, str, str]]] = {}
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method, op in operations.items():
            success = next((str(s) for s in op["responses"] if str(s).startswith("2")), "")
            caller = "signed in" if op.get("security") else "anyone"
            rows.setdefault((op.get("tags") or ["other"])[0], []).append((method.upper(), path.removeprefix("/api/v1"), success, caller))
    return {tag: sorted(items, key=lambda r: (r[1], r[0])) for tag, items in sorted(rows.items())}


def endpoint_table() -> str:
    lines = []
    for tag, items in endpoint_rows().items():
        lines += [f"### {tag}", "", "| method | path | success | caller |", "| --- | --- | --- | --- |"]
        lines += [f"| {m} | `{p}` | {s} | {c} |" for m, p, s, c in items]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def error_table() -> str:
    """Every error code of the registry, by status, with what it means."""
    lines = []
    for heading, entries in ERROR_GROUPS:
        lines += [f"### {heading}", "", "| code | status | meaning |", "| --- | --- | --- |"]
        lines += [f"| `{e.code}` | {' or '.join(map(str, e.statuses))} | {e.meaning} |" for e in entries]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


class Command(BaseCommand):
    help = "Print the endpoint table of docs/api.md from the OpenAPI document (--errors: its error table)."

    def add_arguments(self, parser):
        parser.add_argument("--errors", action="store_true", help="the error table, from core/error_codes.py")

    def handle(self, *args, **options):
        self.stdout.write(error_table() if options["errors"] else endpoint_table(), ending="")
