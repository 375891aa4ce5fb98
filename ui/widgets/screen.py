"""Windows that fit the screen they open on, and that remember their size per screen.

The most common laptop at a permanence is 1366×768 with a taskbar (about 1366×728 left to
windows), or 1280×720 at 125 % scaling. A window asks for its comfortable size; it gets at
most what the screen's free area holds, minus room for the window manager's title bar and
borders (Qt only learns their size once the window is shown). Long forms put their fields
in a :func:`scrolling` area so that the buttons under them stay on screen.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QObject, QRect, QSettings, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QLayout, QScrollArea, QWidget

# Title bar and borders of common window managers (GNOME, KDE, Windows 10/11: 30-40 px).
FRAME_RESERVE = QSize(16, 40)


def available_area(widget: QWidget) -> QRect:
    """The free area (without taskbars) of the screen the widget is on, or will open on."""
    screen = widget.screen() if widget.isWindow() else widget.window().screen()
    if screen is None:
        screen = QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fitted(widget: QWidget, width: int, height: int) -> QSize:
    """``width``×``height`` reduced to what the widget's screen can show with a frame."""
    area = available_area(widget).size() - FRAME_RESERVE
    return QSize(min(width, area.width()), min(height, area.height()))


def fit_to_screen(widget: QWidget, width: int, height: int) -> None:
    """Give a top-level window its preferred size, or the screen's free area if smaller."""
    widget.resize(fitted(widget, width, height))


def scrolling(content: QWidget | QLayout, parent: QWidget) -> QScrollArea:
    """Put a form's fields in a frameless scroll area (they scroll, the buttons stay)."""
    if isinstance(content, QLayout):
        body = QWidget()
        body.setLayout(content)
        content = body
    scroll = QScrollArea(parent)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidgetResizable(True)
    scroll.setWidget(content)
    return scroll


def _settings_key(widget: QWidget, name: str) -> str:
    size = available_area(widget).size()
    return f"windows/{name}/{size.width()}x{size.height()}"


class _GeometryKeeper(QObject):
    """Saves the window's geometry when it hides (closing, accepting and rejecting all hide)."""

    def __init__(self, window: QWidget, name: str) -> None:
        super().__init__(window)
        self._window, self._name = window, name
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # getattr: a full tests/ui run once saw this filter called on a keeper whose
        # Python attributes were already gone (during a window's teardown).
        window: QWidget | None = getattr(self, "_window", None)
        if window is not None and watched is window:
            if event.type() == QEvent.Type.Hide:
                save_geometry(window, self._name)
            elif event.type() in (QEvent.Type.Show, QEvent.Type.Resize) and window.isVisible():
                keep_inside(window)
        return False


def save_geometry(window: QWidget, name: str) -> None:
    QSettings().setValue(_settings_key(window, name), window.saveGeometry())


def restore_geometry(window: QWidget, name: str) -> bool:
    """Put back the size and place the window had on a screen of this size; False if none."""
    saved = QSettings().value(_settings_key(window, name))
    if not isinstance(saved, QByteArray | bytes) or not window.restoreGeometry(saved):
        return False
    # A geometry saved by an older version, or before a taskbar moved, may not fit.
    size = fitted(window, window.width(), window.height())
    if size != window.size():
        window.resize(size)
    keep_inside(window)
    return True


def keep_inside(window: QWidget) -> None:
    """Move a window back inside the screen's free area, same size: one left low on the
    screen, or one that grew when its content arrived (an issued invoice's payments and
    statuses), would otherwise have its buttons under the taskbar."""
    area, frame = available_area(window), window.frameGeometry()
    x = max(area.left(), min(frame.x(), area.right() + 1 - frame.width()))
    y = max(area.top(), min(frame.y(), area.bottom() + 1 - frame.height()))
    if (x, y) != (frame.x(), frame.y()):
        window.move(x, y)


def remember_geometry(window: QWidget, name: str, width: int, height: int) -> None:
    """Size a window as it was last left on a screen of this size, else ``width``×``height``
    fitted to the screen; and remember it when it is closed."""
    if not restore_geometry(window, name):
        fit_to_screen(window, width, height)
    _GeometryKeeper(window, name)
