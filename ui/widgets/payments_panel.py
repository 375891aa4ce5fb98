"""The payments recorded on an issued invoice, listed in its dialog, with a way to cancel
one recorded by mistake (a wrong amount, the wrong invoice): the payment is tombstoned
and the balance comes back (docs/invoicing.md, "Payments")."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import formatting
from app.changes import Changes
from app.invoicing import payments
from app.invoicing.payments import Balance, PaymentInfo
from ui import messages_invoicing
from ui.context import AppContext
from ui.messages import error_message
from ui.operations import CollectionOp
from ui.texts import invoicing as texts


def payment_text(payment: PaymentInfo) -> str:
    data = payment.data
    mode = messages_invoicing.MODE_LABELS.get(data.mode, data.mode)
    reference = f" — {data.reference}" if data.reference else ""
    return f"{formatting.date(data.paid_on)} — {formatting.money(data.amount_cents)} — {mode}{reference}"


class PaymentsPanel(QWidget):
    """Hidden until it shows a balance with at least one payment."""

    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.title = QLabel(texts.PAYMENTS_TITLE, self)
        self.list = QListWidget(self)
        self.list.setObjectName("invoicePayments")
        self.list.setMaximumHeight(90)
        self.cancel_button = QPushButton(texts.CANCEL_PAYMENT, self)
        self.cancel_button.setObjectName("invoice_cancel_payment")
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.error = QLabel(self)
        self.error.setObjectName("paymentsError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.list.currentItemChanged.connect(self._selection_changed)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addLayout(row)
        layout.addWidget(self.error)
        self.hide()

    def show_balance(self, balance: Balance | None) -> None:
        self.list.clear()
        self.error.hide()
        for payment in balance.payments if balance else ():
            item = QListWidgetItem(payment_text(payment), self.list)
            item.setData(Qt.ItemDataRole.UserRole, payment.id)
        self.setVisible(self.list.count() > 0)
        self._selection_changed()

    def _selection_changed(self, *_args: object) -> None:
        self.cancel_button.setEnabled(self.list.currentItem() is not None)

    def _cancelled(self) -> None:
        self.changed.emit()

    def cancel_selected(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        question = texts.CANCEL_PAYMENT_QUESTION.format(payment=item.text())
        answer = QMessageBox.question(self, texts.CANCEL_PAYMENT_TITLE, question)
        if answer != QMessageBox.StandardButton.Yes:
            return
        uow, payment_id = self.ctx.uow, str(item.data(Qt.ItemDataRole.UserRole))

        def refused(exc: BaseException) -> None:
            self.error.setText(error_message(exc))
            self.error.show()

        # Off the GUI thread (ui/operations.py); the notice refreshes the invoice window.
        CollectionOp(
            self.ctx,
            parent=self,
            op=lambda: payments.cancel_payment(uow, payment_id),
            changes=Changes(invoices=True, payments=True),
            success=lambda _result: self._cancelled(),
        ).failure(refused).run_in_background()
