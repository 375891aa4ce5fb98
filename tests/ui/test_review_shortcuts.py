"""Keyboard use of the list pages: Ctrl+F goes to the search, Ctrl+N creates, and only
the page on screen reacts."""

from __future__ import annotations

import warnings

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.typed import page_of
from ui.main_window import MainWindow
from ui.pages.invoices_page import InvoicesPage
from ui.pages.people_area import PeopleArea


def test_ctrl_f_and_ctrl_n_act_on_the_page_on_screen(qtbot, ctx) -> None:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    # The offscreen platform never activates a window by itself, and shortcuts only
    # reach the active window: the deprecated call is the one that does it here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        QApplication.setActiveWindow(window)
    invoices = window.show_page("invoices")
    assert isinstance(invoices, InvoicesPage)
    opened: list[object] = []
    invoices.open_invoice = opened.append  # type: ignore[method-assign,assignment]
    window.nav.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: invoices.search.hasFocus(), timeout=30000)
    persons = page_of(window, "persons", PeopleArea).list_page
    assert not persons.search.hasFocus()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert opened == [None]
    assert "Ctrl+N" in invoices.new_button.toolTip()
