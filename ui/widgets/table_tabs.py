"""Tabs showing export tables (app.exports.table.Table) as read-only grids."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtWidgets import QTableWidget, QTableWidgetItem, QTabWidget, QWidget

from app import formatting
from app.exports.table import Table
from app.exports.writers import csv_cell
from ui.widgets.tab_out import tab_leaves


def cell_text(kind: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return formatting.date(value)
    if kind == "cents" and isinstance(value, int):
        return formatting.money(value)
    if kind in ("minutes", "bp") and isinstance(value, int):
        return csv_cell(kind, value)  # type: ignore[arg-type]
    return str(value)


class TableTabs(QTabWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(260)

    def show_tables(self, tables: Sequence[Table]) -> None:
        """Replace the tabs, keeping the one the user was looking at."""
        current = self.currentIndex()
        self.clear()
        for table in tables:
            grid = QTableWidget(len(table.rows), len(table.columns), self)
            grid.setHorizontalHeaderLabels([c.header for c in table.columns])
            for r, row in enumerate(table.rows):
                for c, (col, value) in enumerate(zip(table.columns, row, strict=True)):
                    grid.setItem(r, c, QTableWidgetItem(cell_text(col.kind, value)))
            grid.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
            tab_leaves(grid)
            grid.horizontalHeader().setStretchLastSection(True)
            self.addTab(grid, table.title)
        self.setCurrentIndex(max(current, 0))
