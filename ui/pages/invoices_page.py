"""Factures: every invoice and credit note, filtered as you type, by status, unpaid/overdue;
new invoice, CAE identity, batch PDF export (off the GUI thread, with progress and cancel).

A filter typed (once typing pauses) or chosen, and a change notice (an invoice saved, the
end of a sync), read the list on the database worker (:class:`ui.operations.QueryOp`),
as Personnes does (ui/pages/persons_page.py): what was typed and the selected invoice
stay, and a read overtaken by a newer one (a keystroke, another filter, a notice) is
dropped, so a slow read of an older filter never shows over a newer one. Entrée in the
filter answers the newest filter, once its rows are in: one invoice is opened, several
put the list under the arrows. Only the page being built reads on the GUI thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import formatting
from app.changes import Changes
from app.clock import today
from app.invoicing import documents, pa_status, queries
from app.invoicing.queries import InvoiceRow
from app.jobs import Cancelled, JobControl
from app.states import InvoiceKind, InvoiceStatus
from ui import messages_invoicing as texts
from ui.context import AppContext
from ui.dialogs.cae_identity_dialog import CaeIdentityDialog
from ui.dialogs.invoice_dialog import InvoiceDialog, open_invoice_window
from ui.dialogs.people_widgets import fill_combo
from ui.messages import error_message
from ui.models.row_table_model import Column, RowTableModel
from ui.operations import QueryOp
from ui.pages.invoice_list_reads import Asked, InvoiceReads, Listing
from ui.style import warning_css
from ui.texts import common, invoicing
from ui.widgets.columns import size_columns
from ui.widgets.pa_status_panel import state_text, state_tooltip
from ui.widgets.row_selection import select_id, selected_id
from ui.widgets.search import debounced_search
from ui.widgets.shortcuts import add_list_shortcuts


class _ProgressRelay(QObject):
    advanced = Signal(int)
    sized = Signal(int)  # how many invoices, once the worker knows


def _status(row: InvoiceRow) -> str:
    status = row.payment_status
    if row.is_overdue(today()):
        status = "en_retard"
    return texts.STATUS_LABELS.get(status, status)


COLUMNS: list[Column[InvoiceRow]] = [
    Column(common.NUMBER, lambda r: r.number or invoicing.INVOICE_DRAFT_NUMBER),
    Column(common.TYPE, lambda r: texts.KIND_LABELS.get(r.kind, r.kind)),
    Column(common.DATE, lambda r: formatting.date(r.issue_date)),
    Column(invoicing.FIELD_CLIENT, lambda r: r.client_name),
    Column(common.ENTREPRENEUR, lambda r: r.entrepreneur_name),
    Column(
        invoicing.COLUMN_TOTAL_INCL,
        lambda r: formatting.money(r.total_incl_cents),
        align_right=True,
    ),
    Column(
        invoicing.COLUMN_DUE,
        lambda r: texts.money_or_blank(
            r.due_cents if r.kind == InvoiceKind.INVOICE and r.status == InvoiceStatus.ISSUED else 0
        ),
        align_right=True,
    ),
    Column(invoicing.COLUMN_DUE_DATE, lambda r: formatting.date(r.due_date)),
    Column(common.STATE, _status),
]


# A screenful is ~30 rows: each keystroke reads a first page of 50 (with its payment
# sums); the rest comes as the list scrolls.
PAGE_SIZE = 50


class InvoicesPage(QWidget):
    title = invoicing.INVOICES_PAGE_TITLE

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.search = QLineEdit(self)
        self.search.setObjectName("invoiceSearch")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(invoicing.SEARCH_INVOICES)
        self.status = QComboBox(self)
        self.status.setObjectName("invoiceStatusFilter")
        fill_combo(self.status, [(k, texts.STATUS_LABELS[k]) for k in queries.STATUS_FILTERS])
        self.new_button = QPushButton(invoicing.NEW_INVOICE, self)
        self.new_button.clicked.connect(lambda: self.open_invoice(None))
        add_list_shortcuts(self, self.new_button, self.search)
        self.identity_button = QPushButton(invoicing.CAE_IDENTITY, self)
        self.identity_button.clicked.connect(self.edit_identity)
        self.export_button = QPushButton(invoicing.EXPORT_PDFS, self)
        self.export_button.clicked.connect(self.choose_export)
        # The latest status at the plateforme agréée of the rows loaded (docs/einvoicing.md).
        self.pa_states: dict[str, pa_status.InvoiceState] = {}
        e_invoice: Column[InvoiceRow] = Column(
            invoicing.COLUMN_E_INVOICE,
            lambda r: state_text(s) if (s := self.pa_states.get(r.id)) else "",
            tooltip=lambda r: state_tooltip(s) if (s := self.pa_states.get(r.id)) else "",
        )
        self.model: RowTableModel[InvoiceRow] = RowTableModel(
            [*COLUMNS, e_invoice], page_size=PAGE_SIZE
        )
        self.table = QTableView(self)
        self.table.setObjectName("invoiceTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.activated.connect(self._activate)
        # Every column on a 1366 px screen: client and entrepreneur share what is left.
        money, day = "-99 999,99 €", "00/00/0000"
        samples = {
            0: "LOC-AV-2026-000000",
            1: invoicing.WIDTH_SAMPLE_KIND,
            2: day,
            5: money,
            6: money,
            7: day,
            8: invoicing.WIDTH_SAMPLE_STATE,
            9: invoicing.WIDTH_SAMPLE_E_INVOICE,
        }
        size_columns(self.table, samples, stretch=(3, 4))
        self.count_label = QLabel(self)
        # Rejected or refused by the PA, not yet cancelled by a credit note.
        self.pa_alert = QLabel(self)
        self.pa_alert.setObjectName("invoicePaAlert")
        self.pa_alert.setWordWrap(True)
        self.pa_alert.setStyleSheet(warning_css())
        self.pa_alert.hide()
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.status)
        top.addWidget(self.new_button)
        top.addWidget(self.export_button)
        top.addWidget(self.identity_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pa_alert)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)
        # A filter typed (once typing pauses) or chosen changes which rows show, not the
        # data: its read brings no alerts, and the alert shown stays.
        self._timer = debounced_search(
            self.search, lambda: self.refresh_in_background(alerts=False)
        )
        self.search.returnPressed.connect(self._return_pressed)
        self.search.textChanged.connect(self._typed)
        self.status.currentIndexChanged.connect(lambda _i: self.refresh_in_background(alerts=False))
        ctx.hub.changed.connect(self._on_changed)
        self.export_control: JobControl | None = None
        self.reads = InvoiceReads(ctx.uow)
        # Each read of the list takes the next number; a read delivered after a newer one
        # was asked (a keystroke, a filter, a notice) is dropped: the newest wins.
        self._asked = Asked()
        self._shown = 0  # the read whose rows are on screen
        self._alerts_generation = 0  # the read whose alerts are shown
        self._open_when_read = False  # Entrée pressed while the newest filter was read
        self.refresh()

    # List --------------------------------------------------------------------------
    def refresh(self, alerts: bool = True) -> None:
        """Read and show the list now, on the GUI thread: the page being built."""
        self._timer.stop()  # this read answers the filter typed so far
        generation = self._asked.next(alerts=alerts)
        text, status = self.search.text(), str(self.status.currentData())
        listing = self.reads.listing(text, status, alerts=alerts, limit=PAGE_SIZE)
        self._deliver(generation, listing)

    def refresh_in_background(self, alerts: bool = True) -> None:
        """Read the list on the database worker, then show it unless a newer read was
        asked meanwhile: what a filter typed or chosen and a change notice do, so
        neither a keystroke over 50,000 invoices nor the end of a sync that brought
        thousands holds the window (issue 14). ``alerts``: re-read the PA rejections
        too (a notice; a filter does not change them)."""
        self._timer.stop()  # this read answers the filter typed so far
        asked, reads = self._asked, self.reads
        generation = asked.next(alerts=alerts)
        # The filter is read here, on the GUI thread; only the database off it.
        text, status = self.search.text(), str(self.status.currentData())

        def read() -> Listing | None:
            # Overtaken while it waited for the worker (a burst of keystrokes or notices):
            # not read, unless it brings the newest alerts asked for.
            if asked.overtaken(generation, alerts=alerts):
                return None
            return reads.listing(text, status, alerts=alerts, limit=PAGE_SIZE)

        QueryOp(
            self.ctx,
            parent=self,
            op=read,
            success=lambda listing: self._deliver(generation, listing),
        ).run_in_background()

    def _deliver(self, generation: int, listing: Listing | None) -> None:
        """Show the read numbered ``generation`` unless a newer one was asked after it, or
        the filter changed since (a keystroke whose read has not started yet). Its alerts
        are still shown if no newer read brought alerts: they do not depend on the
        filter, and a filter typed since reads none (``alerts=False``)."""
        if listing is None:
            return
        if listing.alerts is not None and generation > self._alerts_generation:
            self._alerts_generation = generation
            self._show_alerts(listing.alerts)
        current = (self.search.text(), str(self.status.currentData()))
        if generation == self._asked.newest and (listing.text, listing.status) == current:
            self._show_listing(generation, listing)

    def _show_listing(self, generation: int, listing: Listing) -> None:
        self._shown = generation
        selected = self._selected_id()
        text, status = listing.text, listing.status
        self.pa_states = dict(listing.states)

        def fetch(offset: int, limit: int) -> list[InvoiceRow]:
            # The list scrolling: a page of 50 rows, read where it is asked.
            rows, states = self.reads.page(text, status, offset=offset, limit=limit)
            self.pa_states.update(states)
            return rows

        self.model.load(fetch, listing.total, listing.first)
        total = listing.total
        if total == 0:
            self.count_label.setText(
                invoicing.NO_INVOICE_MATCHES if text or status != "tous" else invoicing.NO_INVOICE
            )
        else:
            self.count_label.setText(invoicing.invoice_count(total, formatting.number(total, 0)))
        if selected is not None:
            self._select(selected)
        if self._open_when_read:
            self._open_when_read = False
            self._open_first()

    def _selected_id(self) -> str | None:
        return selected_id(self.table, self.model)

    def _select(self, invoice_id: str) -> None:
        select_id(self.table, self.model, invoice_id)

    def _show_alerts(self, alerts: list[pa_status.Alert]) -> None:
        if not alerts:
            self.pa_alert.hide()
            return
        numbers = ", ".join(a.number for a in alerts[:5]) + (" …" if len(alerts) > 5 else "")
        self.pa_alert.setText(
            invoicing.pa_alert(len(alerts), numbers) + pa_status.CORRECTION_ADVICE
        )
        self.pa_alert.show()

    def _on_changed(self, changes: Changes) -> None:
        if changes.touches(
            Changes(invoices=True, payments=True, clients=True, persons=True, remote=True)
        ):
            self.refresh_in_background()

    def _activate(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None:
            self.open_invoice(row.id)

    def _typed(self, _text: str) -> None:
        self._open_when_read = False  # typing on after Entrée: a new filter, nothing opened

    def _return_pressed(self) -> None:
        """Entrée in the filter: the newest filter's rows decide, even if typing has not
        paused yet or its read is still running (they are opened from once shown)."""
        if self._timer.isActive():
            self.refresh_in_background(alerts=False)
        if self._shown == self._asked.newest:
            self._open_first()
        else:
            self._open_when_read = True

    def _open_first(self) -> None:
        """One invoice: opened. Several: the list takes the keys, its first row chosen."""
        if self.model.rowCount() == 1:
            self._activate(self.model.index(0, 0))
        elif self.model.rowCount() > 0:
            self.table.setFocus()
            self.table.selectRow(0)

    def open_item(self, kind: str, item_id: str) -> None:
        if kind == "invoice":
            self.open_invoice(item_id)

    def open_invoice(
        self, invoice_id: str | None, entrepreneur_id: str | None = None
    ) -> InvoiceDialog:
        # The invoice's window if it is already open (one window per invoice).
        return open_invoice_window(self.ctx, invoice_id, entrepreneur_id, self)

    def edit_identity(self) -> None:
        CaeIdentityDialog(self.ctx, self).exec()

    # Export ------------------------------------------------------------------------
    def choose_export(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, invoicing.EXPORT_FOLDER_TITLE)
        if folder:
            self.export_to(Path(folder))

    def export_to(self, target: Path) -> None:
        text, status = self.search.text(), self.status.currentData()
        progress = QProgressDialog(invoicing.EXPORTING_PDFS, common.CANCEL, 0, 1, self)
        progress.setObjectName("exportProgress")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        self.export_progress = progress
        relay = _ProgressRelay(progress)
        relay.advanced.connect(progress.setValue)
        relay.sized.connect(lambda total: progress.setMaximum(max(total, 1)))
        # Emitted on the worker thread; Qt queues it to the dialog on the GUI thread.
        control = JobControl(on_progress=lambda done, _total, _label: relay.advanced.emit(done))
        progress.canceled.connect(control.cancel)
        self.export_control = control
        uow, docs = self.ctx.uow, self.ctx.profile.paths.documents

        def export() -> documents.ExportResult:
            # Which invoices, then their PDFs: both off the GUI thread (ui/operations.py).
            ids = queries.issued_ids_matching(uow.reading(), text, status)
            relay.sized.emit(len(ids))
            return documents.export_pdfs(uow, docs, ids, target, control)

        def done(result: documents.ExportResult) -> None:
            said = invoicing.PDFS_EXPORTED.format(
                count=result.copied + result.regenerated, target=result.target
            )
            if result.refused:
                said += invoicing.PDFS_REFUSED.format(files=", ".join(result.refused))
            self.count_label.setText(said)

        def failed(error: BaseException) -> None:
            self.count_label.setText(
                invoicing.EXPORT_CANCELLED if isinstance(error, Cancelled) else error_message(error)
            )

        QueryOp(self.ctx, parent=self, op=export, success=done).failure(failed).after(
            progress.close
        ).run_in_background()
