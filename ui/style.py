"""The app's few style sheets, each set on the widgets it styles, never on the application.

An application-wide style sheet puts every widget behind Qt's style-sheet style, which
repaints item views several times slower: the person list took 40 ms per keystroke
instead of 26 ms on the decade profile. So the navigation list and the tab bars get
their sheet (``resources/style/*.qss``) themselves.

Colours follow the system palette (issue 14, item 10): the sheets name palette roles
(``palette(window)``...), and the few colours that carry meaning (errors, warnings,
muted text, the pastel cells of a grid) come from the functions below, which pick a
light or a dark variant from the palette in use, so a dark desktop keeps its contrast.
The palette is read when a widget is built; a theme switched while the app runs applies
to the windows opened after.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QColor, QGuiApplication, QPalette
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


# Text on the pastel backgrounds of grid cells (attendance states, a line in error),
# whatever the palette: those backgrounds stay light.
ON_PASTEL = QColor("#1f2933")


def palette() -> QPalette:
    return QGuiApplication.palette()


def is_dark(colours: QPalette | None = None) -> bool:
    """A dark theme: the window background is darker than its text."""
    colours = colours or palette()
    window = colours.color(QPalette.ColorRole.Window)
    text = colours.color(QPalette.ColorRole.WindowText)
    return window.lightness() < text.lightness()


def error_colour() -> QColor:
    # #b00020 on white: 7.5:1; #ff8a80 on #2d2d2d: 6.6:1 (WCAG AA needs 4.5:1).
    return QColor("#ff8a80") if is_dark() else QColor("#b00020")


def warning_colour() -> QColor:
    return QColor("#ffcc80") if is_dark() else QColor("#8a5a00")


def muted_colour() -> QColor:
    """Secondary text (stamps, states, hints): the text colour two thirds of the way
    from the background, readable on either theme."""
    colours = palette()
    text = colours.color(QPalette.ColorRole.WindowText)
    back = colours.color(QPalette.ColorRole.Window)

    def mix(a: int, b: int) -> int:
        return round(a * 0.68 + b * 0.32)

    return QColor(
        mix(text.red(), back.red()), mix(text.green(), back.green()), mix(text.blue(), back.blue())
    )


def colour_css(colour: QColor) -> str:
    return f"color: {colour.name()};"


def error_css() -> str:
    return colour_css(error_colour())


def warning_css() -> str:
    return colour_css(warning_colour())


def muted_css() -> str:
    return colour_css(muted_colour())
