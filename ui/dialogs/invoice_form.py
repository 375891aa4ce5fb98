"""The invoice window's form: who is invoiced, for what, on which terms — built, filled
from an invoice, read back as a :class:`DraftData`, locked once issued.

The base of :class:`ui.dialogs.invoice_dialog.InvoiceDialog` (split from it along this
seam: the form here, asking before dropping typed work in ``invoice_leaving.py``, the
status line and the reads in ``invoice_state.py``, the actions in ``invoice_dialog.py``). Its reads are short and go through read-only units of work, so
they never wait behind a sync being applied (app/uow.py).
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.errors import FieldError, PermanenceError, ValidationError
from app.invoicing import deposits, drafts
from app.invoicing.clients import ClientInfo, get_client, list_clients
from app.invoicing.directory import directory_state
from app.invoicing.drafts import DraftData, InvoiceDetail
from app.people import person_directory, persons
from app.states import InvoiceKind
from app.uow import UnitOfWorkFactory
from ui import messages_invoicing as labels
from ui.context import AppContext
from ui.dialogs.client_dialog import ClientDialog
from ui.dialogs.people_widgets import OptionalDateEdit, fill_combo, text_area
from ui.texts import invoicing as texts
from ui.widgets.einvoicing_reception import ReceptionLine
from ui.widgets.forms import FormErrors, general_error_label, show_failure
from ui.widgets.invoice_deposit import DepositPicker
from ui.widgets.invoice_lines import InvoiceLinesEditor


class InvoiceForm(QDialog):
    """The fields of an invoice; subclasses add the status line and the actions."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.detail: InvoiceDetail | None = None
        self.errors = FormErrors()

    @property
    def reads(self) -> UnitOfWorkFactory:
        """Read-only units of work: they read beside a sync being applied."""
        return self.ctx.uow.reading()

    # Building ----------------------------------------------------------------------
    def _build_form(self) -> QFormLayout:
        self.person_search = QLineEdit(self)
        self.person_search.setPlaceholderText(texts.SEARCH_ENTREPRENEUR)
        self.person_search.textChanged.connect(self._search_persons)
        self.entrepreneur = QComboBox(self)
        self.entrepreneur.setObjectName("invoiceEntrepreneur")
        self.entrepreneur.currentIndexChanged.connect(self._entrepreneur_changed)
        self.client = QComboBox(self)
        self.client.setObjectName("invoiceClient")
        self.client.currentIndexChanged.connect(self._client_changed)
        # Issue 15: whether the client receives e-invoices (directory), and the role.
        self.reception = ReceptionLine(self)
        self.reception.hide()
        self.deposit = DepositPicker(self)
        self.deposit.deduction_requested.connect(self._add_deduction_lines)
        self.new_client = QPushButton(texts.NEW_CLIENT, self)
        self.new_client.clicked.connect(self._add_client)
        self.edit_client = QPushButton(texts.EDIT_CLIENT, self)
        self.edit_client.clicked.connect(self._change_client)
        self.nature = QComboBox(self)
        fill_combo(self.nature, list(labels.NATURE_LABELS.items()))
        self.sale_date = OptionalDateEdit(self)
        self.due_date = OptionalDateEdit(self)
        self.payment_terms = QLineEdit(self)
        self.payment_terms.setPlaceholderText(texts.PAYMENT_TERMS_DEFAULT)
        self.vat_on_debits = QCheckBox(texts.VAT_ON_DEBITS, self)
        self.exemption = QLineEdit(self)
        self.exemption.setPlaceholderText(labels.VAT_EXEMPTION_DEFAULT)
        # Issue 15: the VAT category of the 0 % lines (auto: from the client's country).
        self.zero_regime = QComboBox(self)
        self.zero_regime.setObjectName("invoiceZeroVatRegime")
        fill_combo(self.zero_regime, list(labels.ZERO_VAT_REGIMES.items()))
        self.order_reference = QLineEdit(self)
        self.order_reference.setObjectName("invoiceOrderReference")
        self.buyer_reference = QLineEdit(self)
        self.buyer_reference.setObjectName("invoiceBuyerReference")
        self.notes = text_area(self, lines=2)
        self.notes.setMaximumHeight(self.notes.fontMetrics().lineSpacing() * 3 + 12)
        form = QFormLayout()
        who = QHBoxLayout()
        who.addWidget(self.person_search)
        who.addWidget(self.entrepreneur, 1)
        form.addRow(texts.FIELD_ENTREPRENEUR, who)
        client_row = QHBoxLayout()
        client_row.addWidget(self.client, 1)
        client_row.addWidget(self.new_client)
        client_row.addWidget(self.edit_client)
        add = self.errors.add_row
        add(form, texts.FIELD_CLIENT, "client_id", _wrap(client_row, self))
        form.addRow("", self.reception)
        # The picker has its own labels; its two fields' errors show under it.
        role = self.errors.add_row(form, "", "role", self.deposit)
        self.errors.fields["deposit_invoice_id"] = role
        add(form, texts.FIELD_NATURE, "nature", self.nature)
        add(form, texts.FIELD_SALE_DATE, "sale_date", self.sale_date)
        add(form, texts.FIELD_DUE_DATE, "due_date", self.due_date)
        add(form, texts.FIELD_PAYMENT_TERMS, "payment_terms", self.payment_terms)
        form.addRow("", self.vat_on_debits)
        add(form, texts.FIELD_ZERO_VAT, "vat_category", self.zero_regime)
        add(form, texts.FIELD_EXEMPTION, "vat_exemption_text", self.exemption)
        add(form, texts.FIELD_ORDER_REFERENCE, "order_reference", self.order_reference)
        add(form, texts.FIELD_BUYER_REFERENCE, "buyer_reference", self.buyer_reference)
        add(form, texts.FIELD_NOTES, "notes", self.notes)
        self.form = form
        self.lines = InvoiceLinesEditor(self)
        self.lines.changed.connect(self._update_exemption_hint)
        self.general_error = general_error_label(self)
        self.general_error.setObjectName("invoiceErrors")
        return form

    def _form_widgets(self) -> tuple[QWidget, ...]:
        """What an issued invoice locks."""
        return (
            self.client,
            self.new_client,
            self.edit_client,
            self.nature,
            self.sale_date,
            self.due_date,
            self.payment_terms,
            self.vat_on_debits,
            self.exemption,
            self.zero_regime,
            self.order_reference,
            self.buyer_reference,
            self.notes,
            self.entrepreneur,
            self.person_search,
            self.deposit,
        )

    def _lock_form(self, issued: bool) -> None:
        for widget in self._form_widgets():
            widget.setEnabled(not issued)
        self.lines.set_read_only(issued)
        self.deposit.set_issued(issued)
        self._update_exemption_hint()

    def _update_exemption_hint(self) -> None:
        """« TVA non applicable, art. 293 B du CGI » is a hint for a draft without VAT: not
        on an issued invoice (its field is what the PDF says), nor beside a taxed line."""
        typed, _errors = self.lines.lines()
        taxed = any(line.vat_rate_bp for line in typed)
        issued = self.detail is not None and not self.detail.is_draft
        hint = "" if issued or taxed else labels.VAT_EXEMPTION_DEFAULT
        self.exemption.setPlaceholderText(hint)

    # Loading -----------------------------------------------------------------------
    def _search_persons(self, text: str) -> None:
        current = self.entrepreneur.currentData()
        rows = person_directory.search_persons(self.reads, text, limit=50)
        self.entrepreneur.blockSignals(True)
        choices = [(None, texts.NO_CHOICE)] + [(r.id, r.full_name) for r in rows]
        if len(rows) == 1:  # one person found: theirs is the invoice
            current = rows[0].id
        fill_combo(self.entrepreneur, choices, current)
        self.entrepreneur.blockSignals(False)
        self._entrepreneur_changed()

    def _set_entrepreneur(
        self, person_id: str, name: str = "", clients: list[ClientInfo] | None = None
    ) -> None:
        if not name:  # opened from a person's record: show their name, never the id
            person = persons.get_person(self.reads, person_id)
            name = f"{person.first_name} {person.last_name}"
        self.entrepreneur.blockSignals(True)
        fill_combo(self.entrepreneur, [(person_id, name)], person_id)
        self.entrepreneur.blockSignals(False)
        self.person_search.hide()
        self._entrepreneur_changed(clients=clients)

    def _entrepreneur_changed(
        self, *_args: object, clients: list[ClientInfo] | None = None
    ) -> None:
        """``clients``: the entrepreneur's, when already read (off the GUI thread)."""
        person_id = self.entrepreneur.currentData()
        current = self.client.currentData()
        if clients is None:
            clients = list_clients(self.reads, person_id) if person_id else []
        items = [(c.id, c.name) for c in clients]
        fill_combo(self.client, [(None, texts.NO_CHOICE), *items], current)
        self._client_changed()

    def _client_changed(self, *_args: object) -> None:
        """The client's deposit invoices a final invoice may deduct, and whether it
        receives e-invoices: read-only reads, like the form's other reads."""
        client_id = self.client.currentData()
        if not client_id:
            self.deposit.set_choices([])
            self.reception.hide()
            return
        reads = self.reads
        self.deposit.set_choices(deposits.deposit_choices(reads, client_id))
        self.reception.show_state(directory_state(reads, client_id))
        self.reception.show()

    def _add_deduction_lines(self, deposit_id: str) -> None:
        try:
            lines = drafts.deduction_lines(self.reads, deposit_id)
        except PermanenceError as exc:
            self._show_error(exc)
            return
        for line in lines:
            self.lines.add_line(line)
        self.deposit.mark_deducted(deposit_id)

    def _fill(self, detail: InvoiceDetail, clients: list[ClientInfo] | None = None) -> None:
        """Show an invoice's fields and lines (``clients``: its entrepreneur's, if read)."""
        data = detail.data
        if clients is None:
            clients = list_clients(self.reads, data.entrepreneur_id)
        self._set_entrepreneur(data.entrepreneur_id, detail.entrepreneur_name, clients)
        fill_combo(
            self.client,
            [(data.client_id, detail.client_name)]
            + [(c.id, c.name) for c in clients if c.id != data.client_id],
            data.client_id,
        )
        self._client_changed()
        self.deposit.set_value(data.role, detail.deposits)
        fill_combo(self.nature, list(labels.NATURE_LABELS.items()), data.nature)
        self.sale_date.set_value(data.sale_date)
        self.due_date.set_value(data.due_date)
        self.payment_terms.setText(data.payment_terms)
        self.vat_on_debits.setChecked(data.vat_on_debits)
        self.exemption.setText(data.vat_exemption_text)
        zero = [ln.vat_category for ln in data.lines if ln.vat_rate_bp == 0 and ln.vat_category]
        fill_combo(self.zero_regime, list(labels.ZERO_VAT_REGIMES.items()), zero[0] if zero else "")
        self.order_reference.setText(data.order_reference)
        self.buyer_reference.setText(data.buyer_reference)
        self.notes.setPlainText(data.notes)
        self.lines.credit_note = data.kind == InvoiceKind.CREDIT_NOTE
        self.lines.set_lines(data.lines)

    # Reading back ------------------------------------------------------------------
    def value(self) -> tuple[DraftData, list[FieldError]]:
        typed, errors = self.lines.lines()
        regime = self.zero_regime.currentData() or ""
        lines = tuple(
            replace(ln, vat_category=regime if not ln.vat_rate_bp else "") for ln in typed
        )
        base = self.detail.data if self.detail else DraftData("", "")
        data = base.with_changes(
            entrepreneur_id=self.entrepreneur.currentData() or "",
            client_id=self.client.currentData() or "",
            lines=lines,
            nature=self.nature.currentData(),
            sale_date=self.sale_date.value(),
            due_date=self.due_date.value(),
            payment_terms=self.payment_terms.text(),
            vat_on_debits=self.vat_on_debits.isChecked(),
            vat_exemption_text=self.exemption.text(),
            notes=self.notes.toPlainText(),
            order_reference=self.order_reference.text(),
            buyer_reference=self.buyer_reference.text(),
            role=self.deposit.role(),
            deposit_invoice_ids=self.deposit.deposit_invoice_ids(),
        )
        return data, errors

    def _show_error(self, exc: PermanenceError) -> None:
        if isinstance(exc, ValidationError):
            # Line errors go under their line; the rest under the form's fields.
            exc = ValidationError(self.lines.show_errors(exc.errors))
        show_failure(self.errors, self.general_error, exc)

    def _clear_errors(self) -> None:
        self.errors.clear()
        self.lines.show_errors([])
        self.general_error.hide()

    # Clients -----------------------------------------------------------------------
    def _add_client(self) -> None:
        person_id = self.entrepreneur.currentData()
        if not person_id:
            self._show_error(ValidationError.single("client_id", "choose_entrepreneur_first"))
            return
        dialog = ClientDialog(self.ctx, person_id, parent=self)
        if dialog.exec() and dialog.saved is not None:
            self._entrepreneur_changed()
            fill_combo(
                self.client,
                [(None, texts.NO_CHOICE)]
                + [(c.id, c.name) for c in list_clients(self.reads, person_id)],
                dialog.saved.id,
            )

    def _change_client(self) -> None:
        client_id, person_id = self.client.currentData(), self.entrepreneur.currentData()
        if client_id and person_id:
            dialog = ClientDialog(self.ctx, person_id, get_client(self.reads, client_id), self)
            if dialog.exec():
                self._entrepreneur_changed()


def _wrap(layout: QHBoxLayout, parent: QWidget) -> QWidget:
    holder = QWidget(parent)
    layout.setContentsMargins(0, 0, 0, 0)
    holder.setLayout(layout)
    return holder
