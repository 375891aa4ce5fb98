"""The app's few style sheets, each set on the widgets it styles, never on the application.

An application-wide style sheet puts every widget behind Qt's style-sheet style, which
repaints item views several times slower: the person list took 40 ms per keystroke
instead of 26 ms on the decade profile. So the navigation list and the tab bars get
their sheet (``resources/style/*.qss``) themselves.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtWidgets import QTabWidget, QWidget

from ui.resources import resources_dir


@cache
def stylesheet(name: str) -> str:
    path = resources_dir() / "style" / f"{name}.qss"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def tab_widget(parent: QWidget | None = None) -> QTabWidget:
    """A QTabWidget whose tab labels are never clipped (see tabs.qss)."""
    tabs = QTabWidget(parent)
    tabs.tabBar().setStyleSheet(stylesheet("tabs"))
    return tabs
