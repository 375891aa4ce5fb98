"""Search-as-you-type: run a refresh once typing pauses, not on every keystroke."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLineEdit

# Long enough to skip intermediate keystrokes, short enough to feel live.
SEARCH_DELAY_MS = 120


def debounced_search(
    search: QLineEdit, refresh: Callable[[], None], delay_ms: int = SEARCH_DELAY_MS
) -> QTimer:
    """Call ``refresh`` ``delay_ms`` after the last edit of ``search``; returns the timer
    (``start()`` it to ask for a refresh, ``stop()`` to cancel a pending one)."""
    timer = QTimer(search)
    timer.setSingleShot(True)
    timer.setInterval(delay_ms)
    timer.timeout.connect(refresh)
    search.textChanged.connect(lambda _text: timer.start())
    return timer
