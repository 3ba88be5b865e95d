"""Exports that Excel opens correctly: CSV in UTF-8 with a BOM, and XLSX. Both stream: the CSV
row by row, the XLSX through openpyxl's write-only mode into a temporary file (rows are never all
in memory at once).

Every cell goes through ``safe_cell``: text a spreadsheet would read as a formula (it begins with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written with a leading single quote, so a
donor named ``=HYPERLINK(...)`` is shown as text and never run (CSV/formula injection). Numbers stay
numbers."""

import csv
import re
import tempfile
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = (int, float, Decimal)  # bool is an int


def safe_cell(value):
    """The value as it may be written to a CSV or XLSX cell: numbers, dates and empty cells as they
    are; anything else as text, neutralised with a leading ``'`` if it could start a formula."""
    if value is None or isinstance(value, (*NUMBER, datetime, date, time)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _safe_row(row) -> list:
    return [safe_cell(v) for v in row]


def _sheet_title(title: str) -> str:
    # Excel refuses these characters in a sheet's name (openpyxl raises); a community name may hold them.
    return re.sub(r"[\\/*?:\[\]]", " ", str(title)).strip()[:31] or "Sheet1"


class _Echo:
    def write(self, value):
        return value


def csv_response(filename: str, header: list, rows: Iterable[list]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def stream():
        yield "\ufeff"  # the BOM tells Excel the file is UTF-8, so Chinese reads right
        yield writer.writerow(_safe_row(header))
        for row in rows:
            yield writer.writerow(_safe_row(row))

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _xlsx_cell(sheet, value):
    if value is None or isinstance(value, (int, float)):
        return value
    if isinstance(value, Decimal):
        # A number cell shown with its two places (1.50, not 1.5), as staff typed and read it.
        cell = WriteOnlyCell(sheet, value=value)
        places = max(0, -int(value.as_tuple().exponent))
        cell.number_format = "0." + "0" * places if places else "0"
        return cell
    return str(value)


def xlsx_response(filename: str, header: list, rows: Iterable[list], *, title: str = "Sheet1") -> FileResponse:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_sheet_title(title))
    sheet.append(_safe_row(header))
    for row in rows:
        # Numbers (decimals too: hours 1.50, yuan 200.00) stay numbers a spreadsheet can add up;
        # anything else (text, dates) is written as text, which a spreadsheet never evaluates once
        # safe_cell has neutralised it.
        sheet.append([_xlsx_cell(sheet, v) for v in _safe_row(row)])
    handle = tempfile.TemporaryFile()
    book.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX)


def export(fmt: str, filename: str, header: list, rows: Iterable[list], *, title: str = "Sheet1"):
    """``fmt`` is "csv" or "xlsx"; anything else returns None (the caller renders the page)."""
    if fmt == "csv":
        return csv_response(filename, header, rows)
    if fmt == "xlsx":
        return xlsx_response(filename, header, rows, title=title)
    return None
