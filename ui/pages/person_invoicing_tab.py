"""The "Facturation" tab of a person record: turnover per month and year, invoices, clients."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import formatting
from app.changes import Changes
from app.invoicing import queries
from app.invoicing.queries import InvoiceRow, TurnoverRow
from ui import messages_invoicing as texts
from ui.context import AppContext
from ui.dialogs.client_dialog import ClientDialog
from ui.dialogs.invoice_dialog import open_invoice_window
from ui.dialogs.people_widgets import fill_combo
from ui.models.row_table_model import Column, RowTableModel
from ui.texts import common, invoicing


def _period(row: TurnoverRow) -> str:
    if len(row.period) == 7:
        year, month = row.period.split("-")
        return formatting.date(dt.date(int(year), int(month), 1), "MMMM yyyy")
    return row.period


TURNOVER_COLUMNS: list[Column[TurnoverRow]] = [
    Column(invoicing.COLUMN_PERIOD, _period),
    Column(
        invoicing.COLUMN_INVOICED_EXCL,
        lambda r: formatting.money(r.invoiced_excl_cents),
        align_right=True,
    ),
    Column(invoicing.COLUMN_CASHED, lambda r: formatting.money(r.cashed_cents), align_right=True),
]
INVOICE_COLUMNS: list[Column[InvoiceRow]] = [
    Column(common.NUMBER, lambda r: r.number or invoicing.INVOICE_DRAFT_NUMBER),
    Column(common.DATE, lambda r: formatting.date(r.issue_date)),
    Column(invoicing.FIELD_CLIENT, lambda r: r.client_name),
    Column(
        invoicing.COLUMN_TOTAL_INCL,
        lambda r: formatting.money(r.total_incl_cents),
        align_right=True,
    ),
    Column(common.STATE, lambda r: texts.STATUS_LABELS.get(r.payment_status, r.payment_status)),
]


class PersonInvoicingTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.person_id: str | None = None
        self.period = QComboBox(self)
        fill_combo(self.period, [("month", invoicing.BY_MONTH), ("year", invoicing.BY_YEAR)])
        self.period.currentIndexChanged.connect(lambda _i: self.refresh())
        self.new_invoice = QPushButton(invoicing.NEW_INVOICE, self)
        self.new_invoice.clicked.connect(self._new_invoice)
        self.new_client = QPushButton(invoicing.NEW_CLIENT, self)
        self.new_client.clicked.connect(self._new_client)
        self.turnover: RowTableModel[TurnoverRow] = RowTableModel(TURNOVER_COLUMNS)
        self.turnover_view = _table(self, self.turnover)
        self.invoices: RowTableModel[InvoiceRow] = RowTableModel(INVOICE_COLUMNS)
        self.invoices_view = _table(self, self.invoices)
        self.invoices_view.activated.connect(self._open)
        self.summary = QLabel(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(invoicing.TURNOVER_GROUP, self))
        bar.addWidget(self.period)
        bar.addStretch(1)
        bar.addWidget(self.new_client)
        bar.addWidget(self.new_invoice)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.turnover_view, 1)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel(invoicing.INVOICES_GROUP, self))
        layout.addWidget(self.invoices_view, 2)
        ctx.hub.changed.connect(self._on_changed)
        self.dialog: QWidget | None = None

    def show_person(self, person_id: str) -> None:
        self.person_id = person_id
        self.refresh()

    def refresh(self) -> None:
        if self.person_id is None:
            return
        # Read-only units of work: never behind a sync being applied (app/uow.py).
        uow, person = self.ctx.uow.reading(), self.person_id
        rows = queries.turnover(uow, person, by=self.period.currentData())
        self.turnover.set_rows(rows)
        total = sum(r.invoiced_excl_cents for r in rows)
        cashed = sum(r.cashed_cents for r in rows)
        self.summary.setText(
            invoicing.PERSON_TOTALS.format(
                invoiced=formatting.money(total), cashed=formatting.money(cashed)
            )
        )
        count = queries.count_invoices(uow, entrepreneur_id=person)
        self.invoices.load(
            lambda offset, limit: queries.search_invoices(
                uow, entrepreneur_id=person, offset=offset, limit=limit
            ),
            count,
        )

    def _on_changed(self, changes: Changes) -> None:
        if changes.touches(Changes(invoices=True, payments=True, clients=True, remote=True)):
            self.refresh()

    def _open(self, index: QModelIndex) -> None:
        row = self.invoices.row_at(index.row())
        if row is not None:
            self.dialog = open_invoice_window(self.ctx, row.id, None, self)

    def _new_invoice(self) -> None:
        if self.person_id:
            self.dialog = open_invoice_window(self.ctx, None, self.person_id, self)

    def _new_client(self) -> None:
        if self.person_id:
            ClientDialog(self.ctx, self.person_id, parent=self).exec()


def _table(parent: QWidget, model: RowTableModel) -> QTableView:  # type: ignore[type-arg]
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.horizontalHeader().setStretchLastSection(True)
    return view
