"""An invoice or credit note: a draft editor with live totals, or an issued one, read-only,
with its PDF, payments and credit notes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import formatting
from app.changes import Changes
from app.errors import FieldError, PermanenceError, ValidationError
from app.invoicing import documents, drafts, payments, validation
from app.invoicing.clients import get_client, list_clients
from app.invoicing.drafts import DraftData, InvoiceDetail
from app.people import person_directory, persons
from app.profile import PREVIEWS_FOLDER
from app.states import InvoiceKind
from ui import messages_invoicing as texts
from ui.context import AppContext
from ui.dialogs.client_dialog import ClientDialog
from ui.dialogs.payment_dialog import PaymentDialog
from ui.dialogs.people_widgets import OptionalDateEdit, fill_combo, open_file, text_area
from ui.widgets.date_time_fields import refuse_bad_input
from ui.widgets.forms import FormErrors, general_error_label, show_failure, tab_in_layout_order
from ui.widgets.invoice_lines import InvoiceLinesEditor
from ui.widgets.pa_status_panel import PaStatusPanel
from ui.widgets.payments_panel import PaymentsPanel
from ui.widgets.screen import remember_geometry


def ask(parent: QWidget, title: str, text: str) -> bool:
    """Yes/no question (a seam for tests)."""
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes


def show_pdf(path: Path) -> None:
    """Open a PDF in the system viewer (a seam for tests)."""
    open_file(path)


class InvoiceDialog(QDialog):
    def __init__(
        self,
        ctx: AppContext,
        invoice_id: str | None = None,
        *,
        entrepreneur_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.detail: InvoiceDetail | None = None
        self.new_for = entrepreneur_id or ""
        self.errors = FormErrors()
        self._previews: set[Path] = set()
        remember_geometry(self, "invoice", 980, 720)
        self._build()
        if invoice_id is not None:
            self._show(drafts.get_invoice(ctx.uow, invoice_id))
        else:
            self.setWindowTitle("Nouvelle facture")
            if entrepreneur_id:
                self._set_entrepreneur(entrepreneur_id)
            self.lines.add_line()
            self._refresh_state()
        tab_in_layout_order(self)
        ctx.hub.changed.connect(self._on_changed)

    def _on_changed(self, changes: Changes) -> None:
        """An issued invoice's balance, payments and credit notes may change elsewhere (a
        credit note, a payment, a sync): re-read them. A draft keeps what is being typed."""
        if self.detail is not None and not self.detail.is_draft and changes.touches(
            Changes(invoices=True, payments=True, remote=True)
        ):
            self._refresh_state()

    def window_key(self) -> tuple[str, str]:
        """What this window shows (see ui/widgets/one_window.py): its invoice, or a new one
        not saved yet for this entrepreneur."""
        if self.detail is not None:
            return ("invoice", self.detail.id)
        return ("new_invoice", self.new_for)

    # Building ----------------------------------------------------------------------
    def _build(self) -> None:
        self.person_search = QLineEdit(self)
        self.person_search.setPlaceholderText("Rechercher l'entrepreneur…")
        self.person_search.textChanged.connect(self._search_persons)
        self.entrepreneur = QComboBox(self)
        self.entrepreneur.setObjectName("invoiceEntrepreneur")
        self.entrepreneur.currentIndexChanged.connect(self._entrepreneur_changed)
        self.client = QComboBox(self)
        self.client.setObjectName("invoiceClient")
        self.new_client = QPushButton("Nouveau client…", self)
        self.new_client.clicked.connect(self._add_client)
        self.edit_client = QPushButton("Modifier le client…", self)
        self.edit_client.clicked.connect(self._change_client)
        self.nature = QComboBox(self)
        fill_combo(self.nature, list(texts.NATURE_LABELS.items()))
        self.sale_date = OptionalDateEdit(self)
        self.due_date = OptionalDateEdit(self)
        self.payment_terms = QLineEdit(self)
        self.payment_terms.setPlaceholderText("Par défaut : délai de la CAE")
        self.vat_on_debits = QCheckBox("Option pour le paiement de la TVA d'après les débits", self)
        self.exemption = QLineEdit(self)
        self.exemption.setPlaceholderText(texts.VAT_EXEMPTION_DEFAULT)
        # Issue 15: the VAT category of the 0 % lines (auto: from the client's country).
        self.zero_regime = QComboBox(self)
        self.zero_regime.setObjectName("invoiceZeroVatRegime")
        fill_combo(self.zero_regime, list(texts.ZERO_VAT_REGIMES.items()))
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
        form.addRow("Entrepreneur", who)
        client_row = QHBoxLayout()
        client_row.addWidget(self.client, 1)
        client_row.addWidget(self.new_client)
        client_row.addWidget(self.edit_client)
        self.errors.add_row(form, "Client", "client_id", _wrap(client_row, self))
        self.errors.add_row(form, "Nature de l'opération", "nature", self.nature)
        self.errors.add_row(form, "Date de la vente / prestation", "sale_date", self.sale_date)
        self.errors.add_row(form, "Date d'échéance", "due_date", self.due_date)
        self.errors.add_row(form, "Conditions de paiement", "payment_terms", self.payment_terms)
        form.addRow("", self.vat_on_debits)
        self.errors.add_row(form, "Lignes à 0 % de TVA", "vat_category", self.zero_regime)
        self.errors.add_row(
            form, "Mention d'exonération de TVA", "vat_exemption_text", self.exemption
        )
        self.errors.add_row(form, "N° de bon de commande", "order_reference", self.order_reference)
        self.errors.add_row(form, "Référence du client", "buyer_reference", self.buyer_reference)
        self.errors.add_row(form, "Notes", "notes", self.notes)
        self.form = form
        self.lines = InvoiceLinesEditor(self)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("invoiceStatus")
        self.status_label.setWordWrap(True)
        self.general_error = general_error_label(self)
        self.general_error.setObjectName("invoiceErrors")
        self.buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        for key, label, slot in (
            ("save", "Enregistrer le brouillon", self.save_draft),
            ("preview", "Aperçu PDF", self.preview),
            ("validate", "Valider et émettre…", self.validate),
            ("delete", "Supprimer le brouillon", self.delete_draft),
            ("pdf", "Ouvrir le PDF", self.open_pdf),
            ("receipt", "Facture acquittée (PDF)", self.open_receipt),
            ("payment", "Enregistrer un paiement…", self.add_payment),
            ("cancel", "Annuler par un avoir", self.cancel_by_credit_note),
            ("partial", "Avoir partiel…", self.partial_credit_note),
            ("close", "Fermer", self.accept),
        ):
            button = QPushButton(label, self)
            button.setObjectName(f"invoice_{key}")
            button.clicked.connect(slot)
            self.buttons[key] = button
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status_label)
        self.payments = PaymentsPanel(self.ctx, self)
        layout.addWidget(self.payments)
        self.pa_statuses = PaStatusPanel(self.ctx, self)
        layout.addWidget(self.pa_statuses)
        layout.addLayout(form)
        layout.addWidget(self.lines, 1)
        layout.addWidget(self.general_error)
        layout.addLayout(bar)

    # Loading -----------------------------------------------------------------------
    def _search_persons(self, text: str) -> None:
        current = self.entrepreneur.currentData()
        rows = person_directory.search_persons(self.ctx.uow, text, limit=50)
        self.entrepreneur.blockSignals(True)
        fill_combo(self.entrepreneur, [(None, "—")] + [(r.id, r.full_name) for r in rows], current)
        self.entrepreneur.blockSignals(False)
        self._entrepreneur_changed()

    def _set_entrepreneur(self, person_id: str, name: str = "") -> None:
        if not name:  # opened from a person's record: show their name, never the id
            person = persons.get_person(self.ctx.uow, person_id)
            name = f"{person.first_name} {person.last_name}"
        label = name
        self.entrepreneur.blockSignals(True)
        fill_combo(self.entrepreneur, [(person_id, label)], person_id)
        self.entrepreneur.blockSignals(False)
        self.person_search.hide()
        self._entrepreneur_changed()

    def _entrepreneur_changed(self, *_args: object) -> None:
        person_id = self.entrepreneur.currentData()
        current = self.client.currentData()
        items = [(c.id, c.name) for c in list_clients(self.ctx.uow, person_id)] if person_id else []
        fill_combo(self.client, [(None, "—"), *items], current)

    def _show(self, detail: InvoiceDetail) -> None:
        self.detail = detail
        data = detail.data
        self._set_entrepreneur(data.entrepreneur_id, detail.entrepreneur_name)
        fill_combo(
            self.client,
            [(data.client_id, detail.client_name)]
            + [
                (c.id, c.name)
                for c in list_clients(self.ctx.uow, data.entrepreneur_id)
                if c.id != data.client_id
            ],
            data.client_id,
        )
        fill_combo(self.nature, list(texts.NATURE_LABELS.items()), data.nature)
        self.sale_date.set_value(data.sale_date)
        self.due_date.set_value(data.due_date)
        self.payment_terms.setText(data.payment_terms)
        self.vat_on_debits.setChecked(data.vat_on_debits)
        self.exemption.setText(data.vat_exemption_text)
        zero = [ln.vat_category for ln in data.lines if ln.vat_rate_bp == 0 and ln.vat_category]
        fill_combo(
            self.zero_regime, list(texts.ZERO_VAT_REGIMES.items()), zero[0] if zero else ""
        )
        self.order_reference.setText(data.order_reference)
        self.buyer_reference.setText(data.buyer_reference)
        self.notes.setPlainText(data.notes)
        self.lines.credit_note = data.kind == InvoiceKind.CREDIT_NOTE
        self.lines.set_lines(data.lines)
        self._refresh_state()

    def _refresh_state(self) -> None:
        detail = self.detail
        self.payments.show_balance(None)  # shown again below for an issued invoice
        issued = detail is not None and not detail.is_draft
        paid = False
        kind = detail.data.kind if detail else "facture"
        label = texts.KIND_LABELS[kind]
        if detail is None:
            self.status_label.setText(f"{label} — brouillon (numéro attribué à la validation)")
        elif detail.is_draft:
            self.setWindowTitle(f"{label} brouillon — {detail.client_name}")
            extra = f" — sur la facture {detail.credited_number}" if detail.credited_number else ""
            self.status_label.setText(f"{label} — brouillon{extra}")
        else:
            self.setWindowTitle(f"{label} {detail.number}")
            verb = "émise" if kind == InvoiceKind.INVOICE else "émis"  # « un avoir », masculine
            text = f"{label} n° {detail.number} {verb} le {formatting.date(detail.issue_date)}"
            if kind == InvoiceKind.INVOICE:
                balance = payments.get_balance(self.ctx.uow, detail.id)
                self.payments.show_balance(balance)
                paid = balance.status == "payee"
                text += (
                    f" — {texts.STATUS_LABELS.get(balance.status, balance.status)}"
                    f" — reste dû : {formatting.money(balance.due_cents)}"
                )
            elif detail.credited_number:
                text += f" — sur la facture {detail.credited_number}"
            self.status_label.setText(text)
        for widget in (
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
        ):
            widget.setEnabled(not issued)
        self.lines.set_read_only(issued)
        self.pa_statuses.show_invoice(detail.id if detail is not None and issued else None)
        visible = {
            "save": not issued,
            "preview": not issued,
            "validate": not issued,
            "delete": detail is not None and not issued,
            "pdf": issued,
            "receipt": issued and paid,
            "payment": issued and kind == InvoiceKind.INVOICE,
            "cancel": issued and kind == InvoiceKind.INVOICE,
            "partial": issued and kind == InvoiceKind.INVOICE,
        }
        for key, shown in visible.items():
            self.buttons[key].setVisible(shown)

    # Actions -----------------------------------------------------------------------
    def value(self) -> tuple[DraftData, list[FieldError]]:
        typed, errors = self.lines.lines()
        regime = self.zero_regime.currentData() or ""
        lines = tuple(replace(ln, vat_category=regime if not ln.vat_rate_bp else "") for ln in typed)
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
        )
        return data, errors

    def _show_error(self, exc: PermanenceError) -> None:
        if isinstance(exc, ValidationError):
            # Line errors go under their line; the rest under the form's fields.
            exc = ValidationError(self.lines.show_errors(exc.errors))
        show_failure(self.errors, self.general_error, exc)

    def save_draft(self) -> bool:
        if not self._save():
            return False
        self.ctx.hub.notify(Changes(invoices=True))
        return True

    def _save(self) -> bool:
        """Save the draft without announcing it (validation announces once for both)."""
        if refuse_bad_input(self):  # a date not understood: said under it, nothing saved
            return False
        data, parse_errors = self.value()
        if parse_errors:
            self._show_error(ValidationError(parse_errors))
            return False
        try:
            self.detail = drafts.save_draft(
                self.ctx.uow, data, self.detail.id if self.detail else None
            )
        except PermanenceError as exc:
            self._show_error(exc)
            return False
        self.errors.clear()
        self.lines.show_errors([])
        self.general_error.hide()
        self._refresh_state()
        return True

    def preview(self) -> None:
        if self.save_draft() and self.detail is not None:
            # Under the profile (user-only modes), never the shared temp folder;
            # deleted when the dialog closes, else at the next start (app/profile.py).
            out = self.ctx.profile.paths.documents / PREVIEWS_FOLDER
            shown = documents.draft_preview(self.ctx.uow, self.detail.id, out)
            self._previews.add(shown)
            show_pdf(shown)

    def done(self, result: int) -> None:
        for shown in self._previews:
            shown.unlink(missing_ok=True)
        self._previews.clear()
        super().done(result)

    def validate(self) -> None:
        """Save, issue and maybe change the person's stage: one notice for the whole action."""
        if not self._save() or self.detail is None:
            return
        if not ask(
            self,
            "Émettre",
            "Une fois émise, la facture reçoit son numéro et ne peut plus "
            "être modifiée ni supprimée (seul un avoir peut l'annuler). Émettre maintenant ?",
        ):
            self.ctx.hub.notify(Changes(invoices=True))  # the draft was saved
            return
        try:
            result = validation.validate_invoice(
                self.ctx.uow, self.ctx.profile.paths.documents, self.detail.id
            )
        except PermanenceError as exc:
            self.ctx.hub.notify(Changes(invoices=True))  # the draft was saved
            self._show_error(exc)
            return
        self._show(drafts.get_invoice(self.ctx.uow, result.invoice_id))
        changes = Changes(invoices=True, payments=True)  # a credit note lowers « reste dû »
        if result.propose_salarie_stage and ask(
            self,
            "Entrepreneur salarié",
            "C'est la première facture de cette personne, en convention (CAPE). "
            "Passer la personne en « entrepreneur salarié » (contrat CESA) à cette date ?",
        ):
            validation.switch_to_salarie(self.ctx.uow, result.entrepreneur_id, result.issue_date)
            changes |= Changes(persons=True, parcours=True)
        self.ctx.hub.notify(changes)  # once for the whole action

    def delete_draft(self) -> None:
        if self.detail and ask(self, "Supprimer", "Supprimer ce brouillon ?"):
            drafts.delete_draft(self.ctx.uow, self.detail.id)
            self.ctx.hub.notify(Changes(invoices=True))
            self.accept()

    def open_pdf(self) -> None:
        if self.detail is None:
            return
        try:
            show_pdf(
                documents.invoice_pdf(
                    self.ctx.uow, self.ctx.profile.paths.documents, self.detail.id
                )
            )
        except PermanenceError as exc:
            self._show_error(exc)

    def open_receipt(self) -> None:
        if self.detail is None:
            return
        try:
            show_pdf(
                documents.receipt_pdf(
                    self.ctx.uow, self.ctx.profile.paths.documents, self.detail.id
                )
            )
        except PermanenceError as exc:
            self._show_error(exc)

    def add_payment(self) -> None:
        if self.detail:  # a recorded payment refreshes this window through the hub's notice
            PaymentDialog(self.ctx, self.detail.id, self.detail.number, self).exec()

    def cancel_by_credit_note(self) -> None:
        if self.detail is None or not ask(
            self,
            "Avoir",
            f"Annuler toute la facture {self.detail.number} par un avoir émis maintenant ?",
        ):
            return
        try:
            result = validation.cancel_invoice(
                self.ctx.uow, self.ctx.profile.paths.documents, self.detail.id
            )
        except PermanenceError as exc:
            self._show_error(exc)
            return
        self.ctx.hub.notify(Changes(invoices=True, payments=True))  # this window refreshes too
        parent = self.parentWidget()
        self.credit_note = open_invoice_window(self.ctx, result.invoice_id, None, parent)

    def partial_credit_note(self) -> None:
        if self.detail is None:
            return
        try:
            draft_id = validation.credit_note_draft(self.ctx.uow, self.detail.id)
        except PermanenceError as exc:
            self._show_error(exc)
            return
        self.ctx.hub.notify(Changes(invoices=True))
        self.credit_note = open_invoice_window(self.ctx, draft_id, None, self.parentWidget())

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
                [(None, "—")] + [(c.id, c.name) for c in list_clients(self.ctx.uow, person_id)],
                dialog.saved.id,
            )

    def _change_client(self) -> None:
        client_id, person_id = self.client.currentData(), self.entrepreneur.currentData()
        if client_id and person_id:
            dialog = ClientDialog(self.ctx, person_id, get_client(self.ctx.uow, client_id), self)
            if dialog.exec():
                self._entrepreneur_changed()


def _wrap(layout: QHBoxLayout, parent: QWidget) -> QWidget:
    holder = QWidget(parent)
    layout.setContentsMargins(0, 0, 0, 0)
    holder.setLayout(layout)
    return holder


def open_invoice_window(
    ctx: AppContext, invoice_id: str | None, entrepreneur_id: str | None, parent: QWidget | None
) -> InvoiceDialog:
    """Show the invoice's window, or a new invoice's: the one already open if there is one
    (brought forward), otherwise a new non-modal window."""
    key = ("invoice", invoice_id) if invoice_id else ("new_invoice", entrepreneur_id or "")

    def make() -> InvoiceDialog:
        dialog = InvoiceDialog(ctx, invoice_id, entrepreneur_id=entrepreneur_id, parent=parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return dialog

    window = ctx.windows.show(key, make)
    assert isinstance(window, InvoiceDialog)
    return window
