"""Editable invoice lines with live totals (the arithmetic is the core's, never redone here)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import formatting
from app.errors import FieldError
from app.invoicing.drafts import LineData, totals_of
from app.invoicing.money import VAT_RATES_BP, decimal_text, parse_amount_cents, parse_quantity_e4
from ui.messages import field_message
from ui.style import ON_PASTEL, error_css
from ui.texts import invoicing as texts

COLUMNS = list(texts.LINE_COLUMNS)
DESCRIPTION, QUANTITY, UNIT, PRICE, DISCOUNT, VAT = range(6)
FIELD_COLUMNS = {
    "description": DESCRIPTION,
    "quantity": QUANTITY,
    "unit_price": PRICE,
    "discount": DISCOUNT,
    "vat_rate": VAT,
}
INVALID = QBrush(QColor("#f8d7da"))  # light on any theme: its text is ON_PASTEL


def _french(value: str) -> str:
    return value.replace(".", ",")


class InvoiceLinesEditor(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, credit_note: bool = False) -> None:
        super().__init__(parent)
        self.credit_note = credit_note
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("invoiceLines")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(
            DESCRIPTION, QHeaderView.ResizeMode.Stretch
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.cellChanged.connect(lambda *_a: self._recompute())
        self.add_button = QPushButton(texts.ADD_LINE, self)
        self.add_button.clicked.connect(self.add_new_line)
        self.remove_button = QPushButton(texts.REMOVE_LINE, self)
        self.remove_button.clicked.connect(self.remove_current)
        self.totals_label = QLabel(self)
        self.totals_label.setObjectName("invoiceTotals")
        self.error_label = QLabel(self)
        self.error_label.setStyleSheet(error_css())
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(self.totals_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.error_label)

    # Rows --------------------------------------------------------------------------
    def add_line(self, line: LineData | None = None) -> None:
        row = self.table.rowCount()
        self.table.blockSignals(True)
        self.table.insertRow(row)
        line = line or LineData("", -10000 if self.credit_note else 10000, 0, 2000)
        values = {
            DESCRIPTION: line.description,
            QUANTITY: _french(decimal_text(line.quantity_e4, 4).rstrip("0").rstrip(".")),
            UNIT: line.unit,
            PRICE: _french(decimal_text(line.unit_price_cents, 2)),
            DISCOUNT: _french(decimal_text(line.discount_bp, 2)) if line.discount_bp else "",
        }
        for column, text in values.items():
            self.table.setItem(row, column, QTableWidgetItem(text))
        combo = QComboBox(self.table)
        for rate in VAT_RATES_BP:
            combo.addItem(formatting.percent_bp(rate), rate)
        combo.setCurrentIndex(max(combo.findData(line.vat_rate_bp), 0))
        combo.currentIndexChanged.connect(lambda *_a: self._recompute())
        self.table.setCellWidget(row, VAT, combo)
        self.table.blockSignals(False)
        self._recompute()

    def add_new_line(self) -> None:
        """« Ajouter une ligne »: the new line's description is ready to be typed."""
        self.add_line()
        row = self.table.rowCount() - 1
        self.table.setCurrentCell(row, DESCRIPTION)
        self.table.setFocus()
        self.table.edit(self.table.model().index(row, DESCRIPTION))

    def remove_current(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self._recompute()

    def set_lines(self, lines: tuple[LineData, ...]) -> None:
        self.table.setRowCount(0)
        for line in lines:
            self.add_line(line)
        self._recompute()

    def set_read_only(self, read_only: bool) -> None:
        triggers = (
            QAbstractItemView.EditTrigger.NoEditTriggers
            if read_only
            else QAbstractItemView.EditTrigger.AllEditTriggers
        )
        self.table.setEditTriggers(triggers)
        for row in range(self.table.rowCount()):
            widget = self.table.cellWidget(row, VAT)
            if widget is not None:
                widget.setEnabled(not read_only)
        self.add_button.setVisible(not read_only)
        self.remove_button.setVisible(not read_only)

    # Values ------------------------------------------------------------------------
    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

    def lines(self) -> tuple[tuple[LineData, ...], list[FieldError]]:
        """The typed lines, and the cells that could not be read as numbers."""
        lines: list[LineData] = []
        errors: list[FieldError] = []
        for row in range(self.table.rowCount()):
            try:
                quantity = parse_quantity_e4(self._text(row, QUANTITY))
            except ValueError:
                errors.append(FieldError(f"lines.{row}.quantity", "invalid_quantity"))
                quantity = 0
            try:
                price = parse_amount_cents(self._text(row, PRICE))
            except ValueError:
                errors.append(FieldError(f"lines.{row}.unit_price", "invalid_amount"))
                price = 0
            discount_text = self._text(row, DISCOUNT).replace("%", "").strip()
            try:
                discount = parse_amount_cents(discount_text) if discount_text else 0
            except ValueError:
                errors.append(FieldError(f"lines.{row}.discount", "invalid_discount"))
                discount = 0
            combo = self.table.cellWidget(row, VAT)
            rate = combo.currentData() if isinstance(combo, QComboBox) else 2000
            lines.append(
                LineData(
                    self._text(row, DESCRIPTION),
                    quantity,
                    price,
                    int(rate),
                    discount,
                    self._text(row, UNIT),
                )
            )
        return tuple(lines), errors

    def _recompute(self) -> None:
        lines, errors = self.lines()
        if errors:
            self.totals_label.setText(texts.TOTALS_INCOMPLETE)
        else:
            totals = totals_of(lines)
            vat = " ; ".join(
                texts.TOTALS_VAT_RATE.format(
                    rate=formatting.percent_bp(b.rate_bp), amount=formatting.money(b.vat_cents)
                )
                for b in totals.breakdown
            )
            self.totals_label.setText(
                texts.TOTALS.format(
                    excl=formatting.money(totals.excl_cents),
                    vat=vat or texts.TOTALS_NO_VAT,
                    incl=formatting.money(totals.incl_cents),
                )
            )
        self.changed.emit()

    def show_errors(self, errors: list[FieldError]) -> list[FieldError]:
        """Highlight the line cells in error; return the errors that are not about lines."""
        self.table.blockSignals(True)
        for row in range(self.table.rowCount()):
            for column in range(VAT):
                item = self.table.item(row, column)
                if item is not None:
                    item.setBackground(QBrush())
        others: list[FieldError] = []
        messages: list[str] = []
        for error in errors:
            parts = error.field.split(".")
            if len(parts) == 3 and parts[0] == "lines":
                row, column = int(parts[1]), FIELD_COLUMNS.get(parts[2], DESCRIPTION)
                item = self.table.item(row, column)
                if item is not None:
                    item.setBackground(INVALID)
                    item.setForeground(ON_PASTEL)
                messages.append(
                    texts.LINE_ERROR.format(number=row + 1, message=field_message(error))
                )
            elif error.field == "lines":
                messages.append(field_message(error))
            else:
                others.append(error)
        self.table.blockSignals(False)
        self.error_label.setText("\n".join(messages))
        self.error_label.setVisible(bool(messages))
        return others
