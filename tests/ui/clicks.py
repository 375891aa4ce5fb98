"""A person's double-click on a row: press, release, then the double-click (an item view
ignores a double-click on a row it did not see pressed)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView


def double_click_row(qtbot, view: QAbstractItemView, row: int, column: int = 0) -> None:
    model = view.model()
    center = view.visualRect(model.index(row, column)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=center)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=center)
