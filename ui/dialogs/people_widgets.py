"""Small inputs shared by the accueil dialogs: dates that may be empty, combos over codes,
note fields where Tab moves on (keyboard-friendly), and opening a generated PDF."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QComboBox, QPlainTextEdit, QWidget

from app.clock import today
from app.reference import reference
from app.uow import UnitOfWorkFactory
from ui.widgets.date_time_fields import DateField
from ui.widgets.documents import document_ready


@dataclass
class SavedId:
    """The id of the record a dialog writes. Its writes run on the task manager's one
    database worker, one after the other (ui/tasks.py); each reads this id when it runs
    and sets it, so a second save started before the first one's answer (an autosave,
    then Ctrl+Entrée) updates the record the first one created instead of adding another.
    A plain value, never a widget: it is read off the GUI thread."""

    value: str | None = None


def date_edit(parent: QWidget, value: dt.date | None = None) -> DateField:
    """A date that must be given (today unless ``value``): see ui/widgets/date_time_fields.py."""
    return DateField(parent, value or today())


class OptionalDateEdit(DateField):
    """A date that may be left empty."""

    def __init__(self, parent: QWidget | None = None, value: dt.date | None = None) -> None:
        super().__init__(parent, value, optional=True)


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


def option_items(
    uow: UnitOfWorkFactory, kind: str, blank: str = "—"
) -> list[tuple[str | None, str]]:
    items: list[tuple[str | None, str]] = [("", blank)]
    return items + [(o.code, o.label) for o in reference.list_options(uow, kind)]


def permanence_items(uow: UnitOfWorkFactory) -> list[tuple[str | None, str]]:
    return [(None, "—")] + [(p.id, p.label) for p in reference.list_permanences(uow)]


def staff_items(uow: UnitOfWorkFactory) -> list[tuple[str | None, str]]:
    return [(None, "—")] + [(a.id, a.full_name) for a in reference.list_accompagnateurs(uow)]


def open_file(path: Path, parent: QWidget) -> None:
    """A generated document: where it is, with Ouvrir / Ouvrir le dossier / Imprimer, over
    ``parent``'s window (the one that asked), never a parentless top-level window."""
    document_ready(path, parent)
