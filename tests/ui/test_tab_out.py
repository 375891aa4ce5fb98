"""Tab leaves a table (ui/widgets/tab_out.py): cell to cell in a table typed into, out of
it after the last cell (what was typed kept) and back before the first; at once out of a
table nothing is typed in. Real widgets, real key events."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.widgets import tab_out


def _dialog(qtbot, editable: bool) -> tuple[QDialog, QLineEdit, QTableWidget, QLineEdit]:
    tab_out.install(QApplication.instance())  # type: ignore[arg-type]
    dialog = QDialog()
    qtbot.addWidget(dialog)
    before = QLineEdit(dialog)  # made in the order of the Tab chain
    table = QTableWidget(2, 2, dialog)
    after = QLineEdit(dialog)
    for row in range(2):
        for column in range(2):
            table.setItem(row, column, QTableWidgetItem(""))
    if not editable:
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    layout = QVBoxLayout(dialog)
    for widget in (before, table, after):
        layout.addWidget(widget)
    dialog.show()
    dialog.activateWindow()
    assert QTest.qWaitForWindowActive(dialog)
    before.setFocus()
    qtbot.waitUntil(before.hasFocus)
    return dialog, before, table, after


def _in(table: QTableWidget) -> bool:
    focused = QApplication.focusWidget()
    return focused is not None and (focused is table or table.isAncestorOf(focused))


def _focused() -> QWidget:
    focused = QApplication.focusWidget()
    assert focused is not None
    return focused


def _press(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(_focused(), key, modifier)


def test_tab_goes_cell_to_cell_then_out_of_the_table_keeping_what_was_typed(qtbot) -> None:
    _shown, before, table, after = _dialog(qtbot, editable=True)
    _press(Qt.Key.Key_Tab)
    assert _in(table)
    typed = ["a", "b", "c", "d"]
    for index, letter in enumerate(typed):
        if table.state() != QAbstractItemView.State.EditingState:
            _press(Qt.Key.Key_F2)
        QTest.keyClicks(_focused(), letter)
        _press(Qt.Key.Key_Tab)
        if index < len(typed) - 1:
            assert not after.hasFocus(), f"left the table after cell {index}"
    qtbot.waitUntil(after.hasFocus)
    cells = [table.item(r, c).text() for r in range(2) for c in range(2)]  # type: ignore[union-attr]
    assert cells == typed
    # Back: Shift+Tab from the field under it goes to the last cell, and from the first
    # cell out to the field above.
    _press(Qt.Key.Key_Backtab)
    assert _in(table)
    table.setCurrentCell(0, 0)
    table.setFocus()
    _press(Qt.Key.Key_Backtab)
    qtbot.waitUntil(before.hasFocus)


def test_tab_leaves_a_read_only_table_at_once(qtbot) -> None:
    _shown, before, table, after = _dialog(qtbot, editable=False)
    _press(Qt.Key.Key_Tab)
    assert table.hasFocus()
    _press(Qt.Key.Key_Tab)
    assert after.hasFocus()
    _press(Qt.Key.Key_Backtab)
    assert table.hasFocus()
    _press(Qt.Key.Key_Backtab)
    assert before.hasFocus()
