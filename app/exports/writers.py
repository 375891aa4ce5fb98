"""Write tables to XLSX (openpyxl) and to CSV that French Excel opens as is:
UTF-8 with a BOM (else Excel reads ANSI and breaks accents), ``;`` separators
(``,`` is the decimal mark in fr-FR), decimal comma, dates as dd/mm/yyyy.

No text ever becomes a live formula (OWASP "CSV injection"): a last name typed as
``=HYPERLINK(…)`` is written as text. In CSV, which has no types, such a value gets a
leading apostrophe (what Excel itself shows for text it must not evaluate); in XLSX
the cell is stored as a string cell, so the value reads exactly as typed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.exports.table import Cell, CellKind, Table, as_decimal
from app.jobs import JobControl

XLSX_FORMATS: dict[CellKind, str] = {
    "int": "#,##0",
    "cents": '#,##0.00 "€"',
    "minutes": "#,##0.00",
    "date": "DD/MM/YYYY",
    "bp": "0.0%",
}
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# First characters a spreadsheet reads as the start of a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def neutralised(value: str) -> str:
    """Text a spreadsheet will not evaluate: a formula-like value gets a leading ``'``."""
    return "'" + value if is_formula_like(value) else value


def csv_cell(kind: CellKind, value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int) and kind != "text":
        # No thousands separator and no unit: Excel then reads a number, not text.
        return str(as_decimal(kind, value)).replace(".", ",")
    # Only text is neutralised: a negative amount ("-12,50") must stay a number.
    return neutralised(value) if isinstance(value, str) else str(value)


def write_csv(table: Table, target: Path | IO[str], control: JobControl | None = None) -> None:
    """One table, header row first. ``target`` as a text stream must be opened with
    ``newline=""`` and ``encoding="utf-8-sig"``."""
    if isinstance(target, Path):
        with target.open("w", encoding="utf-8-sig", newline="") as handle:
            _write_csv_rows(table, handle, control)
    else:
        _write_csv_rows(table, target, control)


def csv_bytes(table: Table) -> bytes:
    buffer = io.StringIO()
    _write_csv_rows(table, buffer, None)
    return buffer.getvalue().encode("utf-8-sig")


def _write_csv_rows(table: Table, handle: IO[str], control: JobControl | None) -> None:
    writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([c.header for c in table.columns])
    kinds = [c.kind for c in table.columns]
    for index, row in enumerate(table.rows):
        writer.writerow([csv_cell(k, v) for k, v in zip(kinds, row, strict=True)])
        if control is not None and index % 2000 == 0:
            control.progress(index, len(table.rows), table.title)


def sheet_title(title: str, taken: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub(" ", title).strip()[:31] or "Feuille"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def write_xlsx(
    tables: Sequence[Table],
    target: Path | IO[bytes],
    *,
    about: Sequence[tuple[str, str]] = (),
    control: JobControl | None = None,
) -> None:
    """One sheet per table (plus an "À propos" sheet when ``about`` is given).

    openpyxl's write-only mode streams rows to the file: a funder table of thousands of
    participants is written in a fraction of the time and memory of the normal mode."""
    book = Workbook(write_only=True)
    taken: set[str] = set()
    if about:
        sheet = book.create_sheet(sheet_title("À propos", taken))
        sheet.column_dimensions["A"].width = 28
        sheet.column_dimensions["B"].width = 90
        for label, value in about:
            sheet.append([_text_cell(sheet, label), _text_cell(sheet, value)])
    for done, table in enumerate(tables):
        _fill_sheet(book.create_sheet(sheet_title(table.title, taken)), table)
        if control is not None:
            control.progress(done + 1, len(tables), table.title)
    book.save(target)


def _fill_sheet(ws: Any, table: Table) -> None:
    for index, col in enumerate(table.columns, start=1):
        sample = (len(str(r[index - 1] or "")) for r in table.rows[:200])
        width = max([len(col.header), *sample])
        ws.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 10), 60)
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for col in table.columns:
        cell = WriteOnlyCell(ws, value=col.header)
        cell.data_type = "s"
        cell.font = bold
        header.append(cell)
    ws.append(header)
    kinds = [c.kind for c in table.columns]
    formats = [XLSX_FORMATS.get(k) for k in kinds]
    for row in table.rows:
        out: list[Any] = []
        for kind, fmt, value in zip(kinds, formats, row, strict=True):
            if isinstance(value, str):
                out.append(_text_cell(ws, value))
                continue
            if value is None or fmt is None:
                out.append(value)
                continue
            number = as_decimal(kind, value) if isinstance(value, int) and kind != "int" else value
            cell = WriteOnlyCell(ws, value=number)
            cell.number_format = fmt
            out.append(cell)
        ws.append(out)
    for note in table.notes:
        ws.append([])
        ws.append([_text_cell(ws, note)])


def _text_cell(ws: Any, value: str) -> Any:
    """A cell holding ``value`` as text. openpyxl turns a string starting with ``=`` into
    a formula; forcing the string type keeps it text for every first character."""
    if not is_formula_like(value):
        return value
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell
