"""Keyboard shortcuts shared by the list pages: Ctrl+N creates, Ctrl+F goes to the search."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QWidget


def add_list_shortcuts(page: QWidget, new_button: QAbstractButton, search: QLineEdit) -> None:
    """Only the page on screen reacts: Qt ignores the shortcuts of hidden widgets."""
    new_key = QKeySequence(QKeySequence.StandardKey.New)
    shown = new_key.toString(QKeySequence.SequenceFormat.NativeText)
    new_button.setToolTip(f"{new_button.text().rstrip('…')} ({shown})")
    # A QShortcut rather than the button's own: Qt counts the buttons of hidden pages
    # too, and the same key on three buttons is ambiguous, so none would fire.
    QShortcut(new_key, page, lambda: new_button.click() if new_button.isEnabled() else None)

    def focus_search() -> None:
        search.setFocus()
        search.selectAll()

    QShortcut(QKeySequence(QKeySequence.StandardKey.Find), page, focus_search)
