"""Tab leaves a table (issue 14, item 3: "never trap focus").

A QTableView moves from cell to cell with Tab by default and wraps round from the last
cell to the first, so a person who tabbed into a list of persons or into an invoice's
lines could never tab out again (the buttons under it, « Valider et émettre… » among
them, were out of the keyboard's reach).

- In a read-only list, and in the attendance grid whose cells are marked with keys, the
  arrows move the cursor and Tab goes straight to the next field: :func:`tab_leaves` says
  so explicitly, and :func:`install` does it for any table nothing can be typed in.
- In a table typed into cell by cell (an invoice's lines), Tab still goes from cell to
  cell, as in a spreadsheet, but from the last cell it goes on to the next field, and
  Shift+Tab from the first cell to the previous one; the cell being typed is kept (the
  editor commits when it loses the focus). :func:`install` does this for every table of
  the application, with one event filter.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget


def tab_leaves(*views: QAbstractItemView) -> None:
    for view in views:
        view.setTabKeyNavigation(False)


def _view_of(widget: QWidget) -> tuple[QAbstractItemView, QModelIndex] | None:
    """The table ``widget`` is (or types into: an editor or a cell widget), and its cell."""
    if isinstance(widget, QAbstractItemView):
        return widget, widget.currentIndex()
    child, parent = widget, widget.parentWidget()
    while parent is not None and not parent.isWindow():
        view = parent.parentWidget()
        if isinstance(view, QAbstractItemView) and parent is view.viewport():
            return view, view.indexAt(child.geometry().center())
        child, parent = parent, parent.parentWidget()
    return None


def _edge(view: QAbstractItemView, index: QModelIndex, forward: bool) -> bool:
    model = view.model()
    if model is None or not index.isValid():
        return True  # no cell to move from: leave
    header = getattr(view, "horizontalHeader", None)
    columns = [
        c for c in range(model.columnCount()) if header is None or not header().isSectionHidden(c)
    ]
    if not columns:
        return True
    if forward:
        return index.row() == model.rowCount() - 1 and index.column() == columns[-1]
    return index.row() == 0 and index.column() == columns[0]


def _next_outside(view: QAbstractItemView, forward: bool) -> QWidget | None:
    """The next widget of the window's Tab chain that is not in the table."""
    widget: QWidget = view
    for _ in range(500):
        following = widget.nextInFocusChain() if forward else widget.previousInFocusChain()
        if following is None or following is view:
            return None
        widget = following
        if view.isAncestorOf(widget) or widget.window() is not view.window():
            continue
        if (
            widget.isVisible()
            and widget.isEnabled()
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            and widget.focusProxy() is None
        ):
            return widget
    return None


class _TabOut(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(watched, QWidget):
            return False
        assert isinstance(event, QKeyEvent)
        modifiers = event.modifiers()
        if event.key() not in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) or modifiers & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        ):
            return False
        found = _view_of(watched)
        if found is None or not found[0].tabKeyNavigation():
            return False
        view, index = found
        forward = event.key() == Qt.Key.Key_Tab and not (
            modifiers & Qt.KeyboardModifier.ShiftModifier
        )
        read_only = view.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
        if not read_only and not _edge(view, index, forward):
            return False
        target = _next_outside(view, forward)
        if target is None:
            return False
        reason = Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason
        target.setFocus(reason)
        return True


_filter: _TabOut | None = None


def install(app: QApplication) -> None:
    """Let Tab leave every table of the application at its last cell (once)."""
    global _filter
    if _filter is None:
        _filter = _TabOut(app)
        app.installEventFilter(_filter)
