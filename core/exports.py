"""Exports that Excel opens correctly: CSV in UTF-8 with a BOM, and XLSX. Both stream: the CSV
row by row, the XLSX through openpyxl's write-only mode into a temporary file (rows are never all
in memory at once)."""

import csv
import tempfile
from collections.abc import Iterable

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Echo:
    def write(self, value):
        return value


def csv_response(filename: str, header: list, rows: Iterable[list]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def stream():
        yield "\ufeff"  # the BOM tells Excel the file is UTF-8, so Chinese reads right
        yield writer.writerow([str(h) for h in header])
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(filename: str, header: list, rows: Iterable[list], *, title: str = "Sheet1") -> FileResponse:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append([str(h) for h in header])
    for row in rows:
        sheet.append([v if isinstance(v, (int, float, str)) or v is None else str(v) for v in row])
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
