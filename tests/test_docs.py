"""The pages in docs/ say what the code does: the endpoint table of docs/api.md is the API's own, and
every test the README and docs name as holding a guarantee exists under that name."""

import re
from pathlib import Path

from config.management.commands.api_table import endpoint_table

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", ROOT / "bench" / "README.md", *sorted(DOCS.glob("*.md"))]


def test_the_api_page_lists_every_endpoint_and_no_other():
    page = (DOCS / "api.md").read_text(encoding="utf-8")
    documented = page.split("<!-- api-table -->\n", 1)[1].split("<!-- /api-table -->", 1)[0]
    assert documented == endpoint_table(), "docs/api.md is out of date: renew it with `python manage.py api_table`"


def test_every_test_the_readme_and_docs_name_exists():
    missing = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        # `tests/x.py::test_a`, then `…::test_b` in the same cell names another test of that file
        for match in re.finditer(r"(tests/[\w/]+\.py)((?:::\w+)?)((?:`, `…::\w+)*)", text):
            path = ROOT / match.group(1)
            if not path.exists():
                missing.append(f"{page.name}: {match.group(1)}")
                continue
            names = [match.group(2)[2:]] if match.group(2) else []
            names += re.findall(r"…::(\w+)", match.group(3))
            source = path.read_text(encoding="utf-8")
            missing += [f"{page.name}: {match.group(1)}::{name}" for name in names if f"def {name}(" not in source]
    assert not missing, "the docs name tests that do not exist (moved or renamed?):\n" + "\n".join(missing)
