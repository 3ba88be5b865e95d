"""Every error code a client can be answered is in the one registry (core/error_codes.py), with the
status it comes with, and the registry lists no code that nothing answers. No database: the code base
is read, not run.

What counts as answering a code, in every non-test module:
- an error class of core.errors (or a subclass) called with ``code="..."``, or without, its
  ``default_code``;
- a helper that passes its ``code`` parameter on to such an error (``_text(..., code="required")``),
  called with a literal code (or relying on the parameter's default);
- the handlers' own answers: ``error_response(request, 404, "not_found", ...)``,
  ``_respond(request, 400, "bad_request", ...)``, a status→code table, and a JSON body written by
  hand (``{"detail": ..., "code": "too_large"}``).
"""

import ast
from collections import defaultdict
from functools import cache
from pathlib import Path

from config.management.commands.api_table import error_table
from core import errors
from core.error_codes import ERROR_CODES

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "tests", "migrations", "node_modules", "static"}
HANDLER_CALLS = {"error_response", "_respond"}  # (request, status, code, detail)


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        if not SKIP.intersection(path.relative_to(ROOT).parts):
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _name(call: ast.Call) -> str:
    return call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")


def _literal(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _error_classes(trees) -> dict[str, tuple[int, str]]:
    """Name → (status, default code) of core.errors' classes and every subclass the code base defines."""
    classes = {
        name: (cls.status, cls.default_code)
        for name, cls in vars(errors).items()
        if isinstance(cls, type) and issubclass(cls, errors.ApplicationError)
    }
    grew = True
    while grew:
        grew = False
        for _path, tree in trees:
            for node in ast.walk(tree):
                if not isinstance(node, ast.ClassDef) or node.name in classes:
                    continue
                bases = [b.id for b in node.bases if isinstance(b, ast.Name) and b.id in classes]
                if not bases:
                    continue
                status, code = classes[bases[0]]
                for item in node.body:
                    if isinstance(item, ast.Assign) and isinstance(item.targets[0], ast.Name):
                        target, value = item.targets[0].id, item.value
                        if target == "status" and isinstance(value, ast.Constant):
                            status = value.value
                        elif target == "default_code" and _literal(value):
                            code = value.value
                classes[node.name] = (status, code)
                grew = True
    return classes


@cache
def answered_codes() -> dict[str, set[tuple[int | None, str]]]:
    """Code → {(status or None where the scan cannot tell, module)} for every code the code base answers."""
    trees = list(_modules())
    classes = _error_classes(trees)
    found: dict[str, set] = defaultdict(set)
    for path, tree in trees:
        where = str(path.relative_to(ROOT))
        # Helpers that hand their `code` parameter to an error: name → (position, default, status).
        helpers = {}
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef):
                continue
            params = [a.arg for a in func.args.args + func.args.kwonlyargs]
            if "code" not in params:
                continue
            for call in ast.walk(func):
                if isinstance(call, ast.Call) and _name(call) in classes:
                    if any(k.arg == "code" and isinstance(k.value, ast.Name) and k.value.id == "code" for k in call.keywords):
                        defaults = dict(zip([a.arg for a in func.args.args][::-1], func.args.defaults[::-1]))
                        defaults |= {a.arg: d for a, d in zip(func.args.kwonlyargs, func.args.kw_defaults) if d is not None}
                        position = [a.arg for a in func.args.args].index("code") if "code" in [a.arg for a in func.args.args] else None
                        helpers[func.name] = (position, _literal(defaults.get("code")), classes[_name(call)][0])
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = _name(node)
                keyword = next((k.value for k in node.keywords if k.arg == "code"), None)
                if name in classes:
                    status, default = classes[name]
                    if keyword is None:
                        found[default].add((status, where))
                    elif _literal(keyword):
                        found[keyword.value].add((status, where))
                elif name in helpers:
                    position, default, status = helpers[name]
                    if keyword is None and position is not None and len(node.args) > position:
                        keyword = node.args[position]
                    code = _literal(keyword) if keyword is not None else default
                    if code:
                        found[code].add((status, where))
                elif name in HANDLER_CALLS and len(node.args) >= 3 and _literal(node.args[2]):
                    status = node.args[1].value if isinstance(node.args[1], ast.Constant) else None
                    found[node.args[2].value].add((status, where))
            elif isinstance(node, ast.Dict):
                keys = [k.value if isinstance(k, ast.Constant) else None for k in node.keys]
                if "code" in keys and ("detail" in keys or "message" in keys):
                    code = _literal(node.values[keys.index("code")])
                    if code:
                        found[code].add((None, where))
                elif keys and all(isinstance(k, int) and 400 <= k < 600 for k in keys):
                    for status, value in zip(keys, node.values):
                        if _literal(value):
                            found[value.value].add((status, where))
    return found


def test_every_code_the_code_base_answers_is_in_the_registry_with_its_status():
    missing, wrong = [], []
    for code, uses in sorted(answered_codes().items()):
        if code not in ERROR_CODES:
            missing.append(f"{code} (raised in {', '.join(sorted({w for _s, w in uses}))})")
            continue
        statuses = ERROR_CODES[code].statuses
        wrong += [f"{code}: {status} in {where}, registered {statuses}" for status, where in uses if status is not None and status not in statuses]
    assert not missing, "add these codes to core/error_codes.py (and renew docs/api.md):\n" + "\n".join(missing)
    assert not wrong, "these codes are answered with a status the registry does not give them:\n" + "\n".join(sorted(wrong))


def test_the_registry_lists_no_code_that_nothing_answers():
    stale = sorted(set(ERROR_CODES) - set(answered_codes()))
    assert not stale, "nothing answers these codes any more: remove them from core/error_codes.py:\n" + "\n".join(stale)


def test_the_scan_sees_codes_of_every_kind():
    # The scan itself: a raise with a code, a default code, a helper's code, a handler's code.
    found = answered_codes()
    assert {"task_full", "insufficient_points", "invalid_category", "validation_error", "too_large", "service_unavailable"} <= set(found)
    assert (429, "core/ratelimit.py") in found["too_many_attempts"]


def test_the_api_page_documents_every_error_code_from_the_registry():
    page = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    documented = page.split("<!-- error-table -->\n", 1)[1].split("<!-- /error-table -->", 1)[0]
    assert documented == error_table(), "docs/api.md is out of date: renew it with `python manage.py api_table --errors`"
