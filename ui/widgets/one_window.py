"""One window per thing: opening an invoice that is already open brings its window forward
instead of making a second one (the same for a new invoice still blank on screen).

Windows say what they show with a ``window_key()`` method, read each time (a new invoice's
key becomes its id once saved).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Protocol, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget


class KeyedWindow(Protocol):
    def window_key(self) -> Hashable: ...


W = TypeVar("W", bound=QWidget)


def bring_forward(window: QWidget) -> None:
    if window.isMinimized():
        window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()


class OpenWindows:
    """The app's non-modal windows that show one thing each."""

    def __init__(self) -> None:
        self._windows: list[QWidget] = []

    def find(self, key: Hashable) -> QWidget | None:
        self._windows = [w for w in self._windows if _alive(w)]
        for window in self._windows:
            window_key = getattr(window, "window_key", None)
            if window.isVisible() and window_key is not None and window_key() == key:
                return window
        return None

    def show(self, key: Hashable, make: Callable[[], W]) -> W | QWidget:
        """Bring forward the window showing ``key``, or make one with ``make`` and show it."""
        existing = self.find(key)
        if existing is not None:
            bring_forward(existing)
            return existing
        window = make()
        self.track(window)
        window.show()
        return window

    def track(self, window: QWidget) -> None:
        self._windows.append(window)


def _alive(widget: QWidget) -> bool:
    try:
        widget.isVisible()
    except RuntimeError:  # the C++ window was deleted (WA_DeleteOnClose)
        return False
    return True
