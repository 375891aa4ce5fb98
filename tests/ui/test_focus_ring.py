"""A visible focus ring (issue 14, item 8): the focused field of a real dialog is
circled in the palette's highlight colour, the ring follows Tab, and a list's painting
does not go through any style sheet or Python style (its paint is measured beside)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QProxyStyle, QTableView, QWidget

from ui import focus_ring
from ui.context import AppContext


@pytest.fixture
def ring(qapp: QApplication) -> Iterator[focus_ring.FocusRing]:
    yield focus_ring.install(qapp)
    focus_ring.uninstall(qapp)


def _ringed() -> QWidget | None:
    current = focus_ring.ring()
    return current.widget() if current is not None else None


def _pixel_is_highlight(widget, x: int, y: int) -> bool:
    image = widget.grab().toImage()
    return image.pixelColor(x, y) == widget.palette().color(QPalette.ColorRole.Highlight)


def test_the_focused_field_is_ringed_and_the_ring_follows_tab(
    qtbot, ctx: AppContext, ring: focus_ring.FocusRing
) -> None:
    from ui.dialogs.cae_identity_dialog import CaeIdentityDialog

    dialog = CaeIdentityDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    name = dialog.edits["name"]
    name.setFocus()
    qtbot.waitUntil(lambda: _ringed() is name)
    current = focus_ring.ring()
    assert current is not None and current.isVisible()
    # Around the field, on every side, in the highlight colour.
    top_left = name.mapTo(dialog, name.rect().topLeft())
    host = current.parentWidget()
    assert host is not None
    assert current.geometry().contains(host.mapFrom(dialog, top_left))
    left = current.mapTo(dialog, current.rect().topLeft())
    assert _pixel_is_highlight(dialog, left.x() + 1, left.y() + current.height() // 2)
    qtbot.keyClick(name, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: _ringed() is dialog.edits["legal_form"])


class _Cells(QAbstractTableModel):
    """A Python model like the app's lists (data() answered from Python per cell)."""

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 3000

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 6

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            return f"Cellule {index.row()}·{index.column()}"
        return None


def test_a_list_paints_the_same_way_with_the_ring_on_it(qtbot, qapp: QApplication) -> None:
    window = QWidget()
    view = QTableView(window)
    cells = _Cells()
    view.setModel(cells)
    window.resize(1000, 700)
    view.resize(990, 690)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()

    def paint_ms() -> float:
        timings = []
        for _ in range(15):
            started = time.perf_counter()
            window.grab()  # paints the list and, when shown, the ring over it
            timings.append(time.perf_counter() - started)
        return sorted(timings)[len(timings) // 2] * 1000

    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    paint_ms()  # warm-up: fonts, glyph caches
    without = paint_ms()
    focus_ring.install(qapp)
    try:
        view.clearFocus()
        view.setFocus()
        qtbot.waitUntil(lambda: _ringed() is view)
        current = focus_ring.ring()
        assert current is not None and current.isVisible()
        with_ring = paint_ms()
        # Nothing between the list and its painting: no style sheet, no Python style, and
        # the ring is a sibling over the list, not inside it.
        assert view.styleSheet() == "" and qapp.styleSheet() == ""
        assert not isinstance(qapp.style(), QProxyStyle)
        assert current.parentWidget() is window and current not in view.findChildren(QWidget)
    finally:
        focus_ring.uninstall(qapp)
    print(f"list paint: {without:.1f} ms without the ring, {with_ring:.1f} ms with it")
    assert with_ring < without * 2 + 2.0, (without, with_ring)  # a loaded machine's noise
