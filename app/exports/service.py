"""Export use cases: the dashboard, the funder table, or any single list, to the file the
user chose; the format follows the extension (.xlsx or .csv)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.clock import today as clock_today
from app.errors import ValidationError
from app.exports.funder import funder_table
from app.exports.indicator_tables import (
    FUNDER_ANTENNE_RULE,
    about,
    dashboard_tables,
    period_figures,
)
from app.exports.indicator_tables import about_lines as about_lines_for
from app.exports.table import Cell, Col, Table
from app.exports.writers import csv_cell, write_csv, write_xlsx
from app.indicators.dashboard import DashboardData, dashboard
from app.indicators.period import Filters
from app.jobs import JobControl
from app.uow import UnitOfWorkFactory

FORMATS = (".xlsx", ".csv")


def check_target(target: Path) -> str:
    suffix = target.suffix.lower()
    if suffix not in FORMATS:
        raise ValidationError.single("target", "unsupported_export_format", suffix=suffix)
    return suffix


def long_table(tables: list[Table]) -> Table:
    """Every table in one CSV, one figure per line: table, line, column, value."""
    rows: list[list[Cell]] = []
    for table in tables:
        for row in table.rows:
            for col, value in zip(table.columns[1:], row[1:], strict=True):
                rows.append([table.title, str(row[0]), col.header, csv_cell(col.kind, value)])
    return Table(
        "Tableau de bord",
        [Col("Tableau"), Col("Ligne"), Col("Colonne"), Col("Valeur")],
        rows,
    )


def write_dashboard(
    data: DashboardData, target: Path, antenne_label: str, today: dt.date | None = None
) -> Path:
    suffix = check_target(target)
    tables = dashboard_tables(data)
    if suffix == ".xlsx":
        write_xlsx(tables, target, about=about(data, antenne_label, today))
    else:
        write_csv(long_table(tables), target)
    return target


def export_dashboard(
    uow_factory: UnitOfWorkFactory,
    filters: Filters,
    target: Path,
    *,
    antenne_label: str = "Toutes",
    today: dt.date | None = None,
    control: JobControl | None = None,
) -> Path:
    check_target(target)
    data = dashboard(uow_factory, filters, today=today)
    if control is not None:
        control.progress(1, 2, "écriture")
    return write_dashboard(data, target, antenne_label, today)


def export_table(
    table: Table, target: Path, about_lines: list[tuple[str, str]] | None = None
) -> Path:
    """Any list shown on screen (drill-down, per-entrepreneur table...)."""
    if check_target(target) == ".xlsx":
        write_xlsx([table], target, about=about_lines or ())
    else:
        write_csv(table, target)
    return target


def export_funder(
    uow_factory: UnitOfWorkFactory,
    filters: Filters,
    target: Path,
    *,
    about_lines: list[tuple[str, str]] | None = None,
    control: JobControl | None = None,
    today: dt.date | None = None,
) -> Path:
    """The funder table; its "À propos" sheet adds, after ``about_lines`` (period,
    antenne, scope given by the caller), the antenne rule and what regenerating it gives.
    An .xlsx also gets the period's figures (persons received, new CESA, unpaid amounts,
    hours per theme...: :func:`period_figures`); a .csv holds the participants only."""
    suffix = check_target(target)
    table = funder_table(uow_factory, filters, control)
    given = dict(about_lines or [])
    lines = about_lines_for(
        filters, given.get("Antenne", "Toutes"), FUNDER_ANTENNE_RULE, today or clock_today()
    )
    merged = [*(about_lines or []), *((k, v) for k, v in lines if k not in given)]
    if suffix != ".xlsx":
        return export_table(table, target, merged)
    if control is not None:
        control.progress(1, 2, "chiffres de la période")
    extra = period_figures(dashboard(uow_factory, filters, today=today))
    write_xlsx([table, *extra], target, about=merged)
    return target
