"""Record a payment of an issued invoice; the amount due is shown and overpayment refused.

The payment is saved off the GUI thread (ui/dialogs/form_writes.py): « Enregistrer le
paiement » greyed meanwhile, a refusal said in French under its field, the dialog closed
only once the payment is written, and one notice so the invoice's window shows its new
« reste dû »."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from app import formatting
from app.changes import Changes
from app.clock import today
from app.errors import ValidationError
from app.invoicing.money import parse_amount_cents
from app.invoicing.payments import Balance, PaymentData, get_balance, record_payment
from ui import messages_invoicing
from ui.context import AppContext
from ui.dialogs.form_writes import save_button, write_form
from ui.dialogs.people_widgets import date_edit, fill_combo
from ui.texts import billing, common
from ui.widgets.date_time_fields import refuse_bad_input
from ui.widgets.forms import FormErrors, dialog_frame


class PaymentDialog(QDialog):
    def __init__(
        self, ctx: AppContext, invoice_id: str, number: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.invoice_id = invoice_id
        self.result_balance: Balance | None = None
        self.errors = FormErrors()
        self.setWindowTitle(billing.PAYMENT_TITLE.format(number=number))
        balance = get_balance(ctx.uow.reading(), invoice_id)
        self.paid_on = date_edit(self, today())
        self.amount = QLineEdit(
            formatting.number(formatting.cents_to_decimal(balance.due_cents)), self
        )
        self.amount.setObjectName("paymentAmount")
        self.mode = QComboBox(self)
        fill_combo(self.mode, list(messages_invoicing.MODE_LABELS.items()), "virement")
        self.reference = QLineEdit(self)
        self.reference.setPlaceholderText(billing.PAYMENT_REFERENCE_PLACEHOLDER)
        form = QFormLayout()
        form.addRow(billing.AMOUNT_DUE, QLabel(formatting.money(balance.due_cents), self))
        self.errors.add_row(form, common.DATE, "paid_on", self.paid_on)
        self.errors.add_row(form, common.AMOUNT, "amount", self.amount)
        self.errors.add_row(form, billing.PAYMENT_MODE, "mode", self.mode)
        self.errors.add_row(form, billing.PAYMENT_REFERENCE, "reference", self.reference)
        frame = dialog_frame(self, [form], self.save, billing.SAVE_PAYMENT)
        self.general_error = frame.general_error
        self.save_button = save_button(frame.buttons)
        self.setMinimumWidth(460)  # the reference hint and French amounts need the room

    def save(self) -> None:
        """Save off the GUI thread, the button greyed meanwhile; closes once recorded."""
        if not self.save_button.isEnabled():
            return  # already saving
        if refuse_bad_input(self):  # a date not understood: said under it, nothing saved
            return
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
        uow, invoice_id = self.ctx.uow, self.invoice_id
        write_form(
            self.ctx,
            self,
            op=lambda: record_payment(uow, invoice_id, data),
            changes=Changes(invoices=True, payments=True),
            success=self._recorded,
            errors=self.errors,
            general_error=self.general_error,
            busy=self.save_button,
        ).run_in_background()

    def _recorded(self, balance: Balance) -> None:
        self.result_balance = balance
        self.accept()
