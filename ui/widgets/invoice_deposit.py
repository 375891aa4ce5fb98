"""The invoice's role in the invoice window: a plain invoice, a deposit invoice, or the
final invoice after one or several deposits — then which deposit invoice to deduct, a
button adding its deduction lines, and the list of the deposits deducted (number, date,
amount), which is all an issued final invoice shows of them (docs/invoicing.md,
"Deposits").

No database here: the window gives the choices (``app.invoicing.deposits.
deposit_choices``), asks for the lines (``app.invoicing.drafts.deduction_lines``) when
``deduction_requested`` fires and then calls :meth:`DepositPicker.mark_deducted`, and
reads ``role()`` / ``deposit_invoice_ids()`` into its ``DraftData``."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QPushButton, QWidget

from app import formatting
from app.invoicing.deposit_links import DepositRef
from app.invoicing.einvoicing import FINAL
from app.invoicing.labels import ROLE_LABELS
from ui.texts import invoicing as texts


def deposit_label(deposit: DepositRef) -> str:
    return texts.DEDUCTED_DEPOSIT.format(
        number=deposit.number,
        date=formatting.date(deposit.issue_date),
        amount=formatting.money(deposit.total_incl_cents),
    )


class DepositPicker(QWidget):
    deduction_requested = Signal(str)  # the deposit invoice's id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._deducted: list[tuple[str, str]] = []  # (id, label), in the order added
        self._issued = False
        self.role_box = QComboBox(self)
        self.role_box.setObjectName("invoice_role")
        for code, label in ROLE_LABELS.items():
            self.role_box.addItem(label, code)
        self.deposit_box = QComboBox(self)
        self.deposit_box.setObjectName("invoice_deposit")
        self.add_lines = QPushButton(texts.ADD_DEDUCTION_LINES, self)
        self.add_lines.setObjectName("invoice_add_deduction")
        self.deducted = QLabel(self)
        self.deducted.setObjectName("invoice_deducted_deposits")
        self.deducted.setWordWrap(True)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(texts.INVOICE_ROLE, self.role_box)
        form.addRow(texts.DEPOSIT_TO_DEDUCT, self.deposit_box)
        form.addRow("", self.add_lines)
        form.addRow(texts.DEDUCTED_DEPOSITS, self.deducted)
        self._form = form
        self.role_box.currentIndexChanged.connect(self._role_changed)
        self.deposit_box.currentIndexChanged.connect(self._role_changed)
        self.add_lines.clicked.connect(self._ask_lines)
        self.set_choices([])

    def set_choices(self, choices: list[tuple[str, str]]) -> None:
        """The client's deposit invoices a final invoice may deduct: (id, label). Those
        already deducted by this draft stay deducted only if still offered (same client)."""
        current = self.deposit_box.currentData()
        offered = {deposit_id for deposit_id, _label in choices}
        self._deducted = [(i, label) for i, label in self._deducted if i in offered]
        self.deposit_box.blockSignals(True)
        self.deposit_box.clear()
        for deposit_id, label in choices:
            self.deposit_box.addItem(label, deposit_id)
        if not choices:
            self.deposit_box.addItem(texts.NO_DEPOSIT_TO_DEDUCT, None)
        if current is not None and (index := self.deposit_box.findData(current)) >= 0:
            self.deposit_box.setCurrentIndex(index)
        self.deposit_box.blockSignals(False)
        self._role_changed()

    def set_value(self, role: str, deposits: Sequence[DepositRef] | None = ()) -> None:
        """An invoice's role and the deposits it deducts (read with it; None: none)."""
        deposits = deposits or ()
        self.role_box.setCurrentIndex(max(self.role_box.findData(role), 0))
        self._deducted = [(d.id, deposit_label(d)) for d in deposits]
        if deposits and (index := self.deposit_box.findData(deposits[-1].id)) >= 0:
            self.deposit_box.setCurrentIndex(index)
        self._role_changed()

    def set_issued(self, issued: bool) -> None:
        """An issued invoice shows its role and the deposits deducted, nothing to choose."""
        self._issued = issued
        self._role_changed()

    def mark_deducted(self, deposit_id: str) -> None:
        """The deduction lines of ``deposit_id`` were added to the invoice."""
        index = self.deposit_box.findData(deposit_id)
        if index >= 0 and deposit_id not in self._deducted_ids():
            self._deducted.append((deposit_id, self.deposit_box.itemText(index)))
        self._role_changed()

    def role(self) -> str:
        return str(self.role_box.currentData() or "")

    def deposit_invoice_ids(self) -> tuple[str, ...]:
        """The deposits deducted; before any is, the one selected (a final invoice names
        at least one: its lines are then checked against it)."""
        if self.role() != FINAL:
            return ()
        if self._deducted:
            return self._deducted_ids()
        value = self.deposit_box.currentData()
        return (str(value),) if value else ()

    def deposit_invoice_id(self) -> str | None:
        """The first deposit of :meth:`deposit_invoice_ids`, if any."""
        ids = self.deposit_invoice_ids()
        return ids[0] if ids else None

    def _deducted_ids(self) -> tuple[str, ...]:
        return tuple(deposit_id for deposit_id, _label in self._deducted)

    def _role_changed(self, *_args: object) -> None:
        final = self.role() == FINAL
        choosing = final and not self._issued
        self._form.setRowVisible(self.deposit_box, choosing)
        self._form.setRowVisible(self.add_lines, choosing)
        self._form.setRowVisible(self.deducted, final and bool(self._deducted))
        self.deducted.setText("\n".join(label for _id, label in self._deducted))
        selected = self.deposit_box.currentData()
        self.add_lines.setEnabled(
            choosing and selected is not None and selected not in self._deducted_ids()
        )

    def _ask_lines(self) -> None:
        selected = self.deposit_box.currentData()
        if self.role() == FINAL and selected:
            self.deduction_requested.emit(str(selected))
