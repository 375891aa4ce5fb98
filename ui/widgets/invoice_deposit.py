"""The invoice's role in the invoice window: a plain invoice, a deposit invoice, or the
final invoice after a deposit — then which deposit invoice it deducts, and a button
adding the deduction lines (docs/invoicing.md, "Deposits").

No database here: the window gives the choices (``app.invoicing.deposits.
deposit_choices``), asks for the lines (``app.invoicing.drafts.deduction_lines``) when
``deduction_requested`` fires, and reads ``role()`` / ``deposit_invoice_id()`` into its
``DraftData``."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QPushButton, QWidget

from app.invoicing.einvoicing import FINAL
from app.invoicing.labels import ROLE_LABELS
from ui.texts import invoicing as texts


class DepositPicker(QWidget):
    deduction_requested = Signal(str)  # the deposit invoice's id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.role_box = QComboBox(self)
        self.role_box.setObjectName("invoice_role")
        for code, label in ROLE_LABELS.items():
            self.role_box.addItem(label, code)
        self.deposit_box = QComboBox(self)
        self.deposit_box.setObjectName("invoice_deposit")
        self.add_lines = QPushButton(texts.ADD_DEDUCTION_LINES, self)
        self.add_lines.setObjectName("invoice_add_deduction")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(texts.INVOICE_ROLE, self.role_box)
        form.addRow(texts.DEPOSIT_TO_DEDUCT, self.deposit_box)
        form.addRow("", self.add_lines)
        self._form = form
        self.role_box.currentIndexChanged.connect(self._role_changed)
        self.add_lines.clicked.connect(self._ask_lines)
        self.set_choices([])

    def set_choices(self, choices: list[tuple[str, str]]) -> None:
        """The client's deposit invoices a final invoice may deduct: (id, label)."""
        current = self.deposit_invoice_id()
        self.deposit_box.clear()
        for deposit_id, label in choices:
            self.deposit_box.addItem(label, deposit_id)
        if not choices:
            self.deposit_box.addItem(texts.NO_DEPOSIT_TO_DEDUCT, None)
        if current is not None and (index := self.deposit_box.findData(current)) >= 0:
            self.deposit_box.setCurrentIndex(index)
        self._role_changed()

    def set_value(self, role: str, deposit_invoice_id: str | None) -> None:
        self.role_box.setCurrentIndex(max(self.role_box.findData(role), 0))
        if deposit_invoice_id is not None:
            index = self.deposit_box.findData(deposit_invoice_id)
            if index >= 0:
                self.deposit_box.setCurrentIndex(index)
        self._role_changed()

    def role(self) -> str:
        return str(self.role_box.currentData() or "")

    def deposit_invoice_id(self) -> str | None:
        if self.role() != FINAL:
            return None
        value = self.deposit_box.currentData()
        return str(value) if value else None

    def _role_changed(self, *_args: object) -> None:
        final = self.role() == FINAL
        self._form.setRowVisible(self.deposit_box, final)
        self._form.setRowVisible(self.add_lines, final)
        self.add_lines.setEnabled(final and self.deposit_invoice_id() is not None)

    def _ask_lines(self) -> None:
        deposit_id = self.deposit_invoice_id()
        if deposit_id is not None:
            self.deduction_requested.emit(deposit_id)
