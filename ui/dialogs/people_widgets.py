"""Small inputs shared by the accueil dialogs: dates that may be empty, combos over codes,
note fields where Tab moves on (keyboard-friendly), and opening a generated PDF."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QDate, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QComboBox, QDateEdit, QPlainTextEdit, QWidget

from app.clock import today
from app.services import reference
from app.uow import UnitOfWorkFactory

EMPTY_DATE = QDate(1900, 1, 1)
DATE_FORMAT = "dd/MM/yyyy"


def date_edit(parent: QWidget, value: dt.date | None = None) -> QDateEdit:
    edit = QDateEdit(parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setDate(QDate(value or today()))
    return edit


class OptionalDateEdit(QDateEdit):
    """A date that may be left empty: the minimum date stands for "none" and shows blank."""

    def __init__(self, parent: QWidget | None = None, value: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat(DATE_FORMAT)
        self.setMinimumDate(EMPTY_DATE)
        self.setSpecialValueText(" ")
        self.set_value(value)

    def value(self) -> dt.date | None:
        current = self.date()
        return None if current == EMPTY_DATE else current.toPython()  # type: ignore[return-value]

    def set_value(self, value: dt.date | None) -> None:
        self.setDate(QDate(value) if value else EMPTY_DATE)


def text_area(parent: QWidget, text: str = "", lines: int = 3) -> QPlainTextEdit:
    edit = QPlainTextEdit(parent)
    edit.setTabChangesFocus(True)  # Tab goes to the next field, as in every other input
    edit.setPlainText(text)
    edit.setMinimumHeight(edit.fontMetrics().lineSpacing() * lines + 12)
    return edit


def fill_combo(
    combo: QComboBox, items: Iterable[tuple[str | None, str]], current: str | None = None
) -> None:
    combo.clear()
    for code, label in items:
        combo.addItem(label, code)
    index = combo.findData(current)
    combo.setCurrentIndex(max(index, 0))


def select_data(combo: QComboBox, value: str | None) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


def option_items(
    uow: UnitOfWorkFactory, kind: str, blank: str = "—"
) -> list[tuple[str | None, str]]:
    items: list[tuple[str | None, str]] = [("", blank)]
    return items + [(o.code, o.label) for o in reference.list_options(uow, kind)]


def permanence_items(uow: UnitOfWorkFactory) -> list[tuple[str | None, str]]:
    return [(None, "—")] + [(p.id, p.label) for p in reference.list_permanences(uow)]


def staff_items(uow: UnitOfWorkFactory) -> list[tuple[str | None, str]]:
    return [(None, "—")] + [(a.id, a.full_name) for a in reference.list_accompagnateurs(uow)]


def open_file(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
