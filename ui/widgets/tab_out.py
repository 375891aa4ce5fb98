"""Tab leaves a list (issue 14, item 3: "never trap focus").

A QTableView moves from cell to cell with Tab by default, so a person who tabbed into
a list of persons, sessions or interviews could never tab out of it again (the cursor
wraps round the cells). In a read-only list, and in the attendance grid whose cells are
marked with keys, the arrows move the cursor; Tab and Shift+Tab go to the next field.
"""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView


def tab_leaves(*views: QAbstractItemView) -> None:
    for view in views:
        view.setTabKeyNavigation(False)
