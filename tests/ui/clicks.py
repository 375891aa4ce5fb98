"""A person's hands in the UI tests: a double-click on a row (press, release, then the
double-click: an item view ignores a double-click on a row it did not see pressed), and
an answer to a question box."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QApplication, QMessageBox


def double_click_row(qtbot, view: QAbstractItemView, row: int, column: int = 0) -> None:
    model = view.model()
    center = view.visualRect(model.index(row, column)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=center)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=center)


def answer_next_question(button: QMessageBox.StandardButton) -> list[str]:
    """Click ``button`` on the next modal question box once it shows (a real one,
    offscreen), as a person would; returns the texts seen."""
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text())
        target = box.button(button)
        assert target is not None
        target.click()

    QTimer.singleShot(0, answer)
    return seen
