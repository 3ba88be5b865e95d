"""Exports never carry a spreadsheet formula: every cell of every CSV and XLSX goes through
`core.exports.safe_cell` (#19.2, docs/security.md)."""


import pytest

from tests.conftest import browser
from tests.funds.test_donations import localstripe_url, payments  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


# --- #2 Formula injection in exports -------------------------------------------------------------------
def _xlsx_rows(response) -> list[list]:
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _csv_rows(response) -> list[list]:
    import csv
    import io

    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_a_donor_name_that_is_a_formula_is_exported_as_text(api, community, staff, payments):
    created = api().post("donations", {"community_id": community.pk, "amount": 5_000, "currency": "cny", "donor_name": "=1+1", "message": "@SUM(A1)"})
    assert created.status_code == 201, created.content
    client = browser(staff)
    rows = _xlsx_rows(client.get(f"/communities/{community.pk}/donations/export/", {"format": "xlsx"}))
    assert rows[1][3] == "'=1+1" and rows[1][7] == "'@SUM(A1)"
    assert rows[1][4] == 50  # the amount is still a number, in yuan
    rows = _csv_rows(client.get(f"/communities/{community.pk}/donations/export/", {"format": "csv"}))
    assert rows[1][3] == "'=1+1" and rows[1][7] == "'@SUM(A1)" and rows[1][4] == "50.00"


def test_a_display_name_that_is_a_formula_is_exported_as_text_in_the_ledger(community, staff, volunteer, give):
    volunteer.display_name = '=HYPERLINK("http://evil.example","点我")'
    volunteer.save()
    give(volunteer, 40)
    client = browser(staff)
    for fmt, read in (("xlsx", _xlsx_rows), ("csv", _csv_rows)):
        rows = read(client.get(f"/communities/{community.pk}/ledger/export/", {"format": fmt}))
        names = [row[3] for row in rows[1:]]
        assert "'" + volunteer.display_name in names, (fmt, names)
        assert volunteer.display_name not in names
        pool_leg = next(row for row in rows[1:] if row[3] != "'" + volunteer.display_name and str(row[4]).startswith("-"))
        assert pool_leg[4] in (-40, "-40")  # a negative number stays a number, not neutralised text


@pytest.mark.parametrize(
    "value, written",
    [("=1+1", "'=1+1"), ("+86 123", "'+86 123"), ("-2", "'-2"), ("@x", "'@x"), ("\tx", "'\tx"), ("\rx", "'\rx"),
     ("王先生", "王先生"), ("", ""), (-40, -40), (None, None)],
)
def test_every_export_cell_is_neutralised_in_one_place(value, written):
    from core.exports import safe_cell

    assert safe_cell(value) == written


