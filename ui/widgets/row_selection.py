"""The selected row of a list page's table, by id (the Personnes and Factures pages keep
it across a re-read: docs/architecture.md, the Factures and Personnes lists)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QTableView

from ui.models.row_table_model import RowTableModel


def selected_id(table: QTableView, model: RowTableModel[Any]) -> str | None:
    """The id of the row selected in ``table`` (None: none, or not loaded yet)."""
    rows = table.selectionModel().selectedRows()
    row = model.row_at(rows[0].row()) if rows else None
    return str(row.id) if row is not None else None


def select_id(table: QTableView, model: RowTableModel[Any], row_id: str) -> None:
    """Select the loaded row whose id is ``row_id`` (nothing if it is not loaded)."""
    for number, row in enumerate(model.loaded_rows()):
        if row.id == row_id:
            table.selectRow(number)
            return
