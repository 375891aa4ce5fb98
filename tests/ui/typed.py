"""Typed access to what the window builds, for tests that drive a page's own widgets.

``MainWindow.pages`` holds every page as a ``QWidget`` (they are built lazily, from
module names); a test asserts which page class it got, so mypy checks what it touches.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QWidget

from ui.main_window import MainWindow

PageT = TypeVar("PageT", bound=QWidget)


def page_of(window: MainWindow, key: str, kind: type[PageT]) -> PageT:
    """``window.pages[key]`` (built if need be), checked to be a ``kind``."""
    page = window.pages[key]
    assert isinstance(page, kind), (key, type(page))
    return page
