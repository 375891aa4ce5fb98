"""Record a payment of an issued invoice; the amount due is shown and overpayment refused."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app import formatting
from app.clock import today
from app.errors import PermanenceError, ValidationError
from app.invoicing.money import parse_amount_cents
from app.invoicing.payments import Balance, PaymentData, get_balance, record_payment
from ui import messages_invoicing
from ui.context import AppContext
from ui.dialogs.people_widgets import date_edit, fill_combo
from ui.messages import error_message
from ui.widgets.forms import FormErrors


class PaymentDialog(QDialog):
    def __init__(
        self, ctx: AppContext, invoice_id: str, number: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.invoice_id = invoice_id
        self.result_balance: Balance | None = None
        self.errors = FormErrors()
        self.setWindowTitle(f"Paiement de la facture {number}")
        balance = get_balance(ctx.uow, invoice_id)
        self.paid_on = date_edit(self, today())
        self.amount = QLineEdit(
            formatting.number(formatting.cents_to_decimal(balance.due_cents)), self
        )
        self.amount.setObjectName("paymentAmount")
        self.mode = QComboBox(self)
        fill_combo(self.mode, list(messages_invoicing.MODE_LABELS.items()), "virement")
        self.reference = QLineEdit(self)
        self.reference.setPlaceholderText("N° de chèque, libellé du virement…")
        form = QFormLayout()
        form.addRow("Reste dû", QLabel(formatting.money(balance.due_cents), self))
        self.errors.add_row(form, "Date", "paid_on", self.paid_on)
        self.errors.add_row(form, "Montant", "amount", self.amount)
        self.errors.add_row(form, "Mode", "mode", self.mode)
        self.errors.add_row(form, "Référence", "reference", self.reference)
        self.general_error = QLabel(self)
        self.general_error.setStyleSheet("color: #b00020;")
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("Enregistrer le paiement")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)

    def save(self) -> None:
        try:
            amount = parse_amount_cents(self.amount.text())
        except ValueError:
            self.errors.show(ValidationError.single("amount", "invalid_amount"))
            return
        data = PaymentData(
            self.paid_on.date().toPython(),  # type: ignore[arg-type]
            amount,
            self.mode.currentData(),
            self.reference.text(),
        )
        try:
            self.result_balance = record_payment(self.ctx.uow, self.invoice_id, data)
        except ValidationError as exc:
            unplaced = self.errors.show(exc)
            self.general_error.setText("\n".join(unplaced))
            self.general_error.setVisible(bool(unplaced))
            return
        except PermanenceError as exc:
            self.general_error.setText(error_message(exc))
            self.general_error.show()
            return
        self.ctx.hub.notify("invoices", "payments")
        self.accept()
