"""The persons or invoices behind a figure of the dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import formatting
from app.exports.service import export_table
from app.exports.table import Cell, Col, Table
from app.indicators import drilldown
from app.indicators.drilldown import FigureRef, InvoiceLine, PersonLine
from app.indicators.period import Filters
from app.invoicing.labels import KIND_LABELS
from ui.context import AppContext
from ui.messages import error_message
from ui.models.row_table_model import Column, RowTableModel
from ui.texts import common, indicators
from ui.widgets.screen import fit_to_screen
from ui.widgets.tab_out import tab_leaves

EXPORT_LIMIT = 1_000_000
DISPLAY_LIMIT = 5_000
PERSON_COLUMNS: list[Column[PersonLine]] = [
    Column(common.NAME, lambda r: r.last_name.upper()),
    Column(common.FIRST_NAME, lambda r: r.first_name),
    Column(common.ANTENNE, lambda r: r.antenne),
    Column(common.TOWN, lambda r: r.city),
]
INVOICE_COLUMNS: list[Column[InvoiceLine]] = [
    Column(common.DATE, lambda r: formatting.date(r.day)),
    Column(common.NUMBER, lambda r: r.number),
    Column(common.TYPE, lambda r: KIND_LABELS.get(r.kind, r.kind)),
    Column(common.ENTREPRENEUR, lambda r: r.entrepreneur),
    Column(common.AMOUNT, lambda r: formatting.money(r.amount_cents), align_right=True),
]


class DrillDownDialog(QDialog):
    def __init__(
        self,
        ctx: AppContext,
        title: str,
        filters: Filters,
        ref: FigureRef,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.filters, self.ref = ctx, filters, ref
        self.setWindowTitle(title)
        fit_to_screen(self, 760, 520)
        self.invoices = ref.lists_invoices
        self.loaded = False
        self.model: RowTableModel[PersonLine] | RowTableModel[InvoiceLine]
        if self.invoices:
            self.model = RowTableModel(INVOICE_COLUMNS)
        else:
            self.model = RowTableModel(PERSON_COLUMNS)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.activated.connect(self.open_row)
        tab_leaves(self.table)
        self.count_label = QLabel(indicators.LOADING, self)
        hint = indicators.DOUBLE_CLICK_TO_OPEN
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        self.export_button = QPushButton(indicators.EXPORT_LIST_ELLIPSIS, self)
        self.export_button.clicked.connect(self._ask_export)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(hint, self))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)
        layout.addWidget(buttons)

        self._load()

    def _load(self) -> None:
        """Count and rows computed off the GUI thread (a figure over ten years can stand
        for thousands of persons); at most DISPLAY_LIMIT rows are shown, all exported."""
        uow, f, ref, invoices = self.ctx.uow, self.filters, self.ref, self.invoices

        def work() -> tuple[int, list[Any]]:
            if invoices:
                return drilldown.count_invoices(uow, f, ref), drilldown.list_invoices(
                    uow, f, ref, 0, DISPLAY_LIMIT
                )
            return drilldown.count_persons(uow, f, ref), drilldown.list_persons(
                uow, f, ref, 0, DISPLAY_LIMIT
            )

        self.ctx.tasks.run_db(work, self._show_rows, self._failed)

    def _show_rows(self, result: tuple[int, list[Any]]) -> None:
        total, rows = result
        self.model.set_rows(rows)  # type: ignore[arg-type]
        text = indicators.row_count(total, formatting.number(total, 0), invoices=self.invoices)
        if not total:
            text = indicators.NO_ROW_BEHIND_FIGURE
        elif total > len(rows):
            text += indicators.FIRST_ROWS_SHOWN.format(shown=formatting.number(len(rows), 0))
        self.count_label.setText(text)
        self.loaded = True

    def _failed(self, error: BaseException) -> None:
        self.count_label.setText(error_message(error))
        self.loaded = True

    def open_row(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is None:
            return
        kind = "invoice" if self.invoices else "person"
        self.ctx.hub.open_requested.emit(kind, row.id)
        self.accept()

    def as_table(self) -> Table:
        uow, f, ref = self.ctx.uow, self.filters, self.ref
        rows: list[list[Cell]]
        if self.invoices:
            lines = drilldown.list_invoices(uow, f, ref, 0, EXPORT_LIMIT)
            cols = [
                Col(common.DATE, "date"),
                Col(common.NUMBER),
                Col(common.TYPE),
                Col(common.ENTREPRENEUR),
                # The unpaid list's amounts are balances due incl. VAT (definition "unpaid").
                Col(
                    indicators.UNPAID_INCL_TAX
                    if ref.indicator == "unpaid"
                    else indicators.AMOUNT_EXCL_TAX,
                    "cents",
                ),
            ]
            rows = [
                [r.day, r.number, KIND_LABELS.get(r.kind, r.kind), r.entrepreneur, r.amount_cents]
                for r in lines
            ]
        else:
            people = drilldown.list_persons(uow, f, ref, 0, EXPORT_LIMIT)
            cols = [Col(common.NAME), Col(common.FIRST_NAME), Col(common.ANTENNE), Col(common.TOWN)]
            rows = [[p.last_name, p.first_name, p.antenne, p.city] for p in people]
        return Table(self.windowTitle()[:31], cols, rows)

    def export_to(self, path: Path) -> None:
        self.ctx.tasks.run_db(lambda: export_table(self.as_table(), path), self._exported)

    def _exported(self, path: object) -> None:
        self.count_label.setText(indicators.LIST_EXPORTED.format(path=path))

    def _ask_export(self) -> None:
        name, _filter = QFileDialog.getSaveFileName(
            self,
            indicators.EXPORT_LIST,
            str(self.ctx.profile.paths.documents / "liste.xlsx"),
            common.SPREADSHEET_FILTER_XLSX_FIRST,
        )
        if name:
            self.export_to(Path(name))
