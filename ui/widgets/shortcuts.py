"""Keyboard shortcuts shared by the list pages (Ctrl+N creates, Ctrl+F goes to the search)
and by the records (back to the list, search, tab to tab)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QTabWidget, QWidget


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


def add_record_shortcuts(
    page: QWidget, back: Callable[[], None], tabs: QTabWidget, find: Callable[[], None]
) -> None:
    """On a record: Escape or Alt+Left back to the list, Ctrl+F to the list's search,
    Ctrl+Tab / Ctrl+PgDown (and with Shift / Ctrl+PgUp) between the record's tabs, wherever
    the focus is on the page."""
    context = Qt.ShortcutContext.WidgetWithChildrenShortcut

    def shortcut(keys: str | QKeySequence.StandardKey, action: Callable[[], None]) -> None:
        QShortcut(QKeySequence(keys), page, action, context)

    def step(delta: int) -> None:
        if tabs.count():
            tabs.setCurrentIndex((tabs.currentIndex() + delta) % tabs.count())

    for keys in ("Escape", "Alt+Left"):
        shortcut(keys, back)
    shortcut(QKeySequence.StandardKey.Find, find)
    for keys in ("Ctrl+Tab", "Ctrl+PgDown"):
        shortcut(keys, lambda: step(1))
    for keys in ("Ctrl+Shift+Tab", "Ctrl+PgUp"):
        shortcut(keys, lambda: step(-1))
