"""The pages in docs/ say what the code does: the endpoint table of docs/api.md is the API's own."""

from pathlib import Path

from config.management.commands.api_table import endpoint_table

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_the_api_page_lists_every_endpoint_and_no_other():
    page = (DOCS / "api.md").read_text(encoding="utf-8")
    documented = page.split("<!-- api-table -->\n", 1)[1].split("<!-- /api-table -->", 1)[0]
    assert documented == endpoint_table(), "docs/api.md is out of date: renew it with `python manage.py api_table`"
