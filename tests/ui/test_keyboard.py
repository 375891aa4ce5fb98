"""The keyboard alone: back from a record, search from anywhere, tab to tab, a new invoice
line ready to type, and an Aide menu that lists the shortcuts, the version and the profile."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QMenu

from app.people.persons import PersonInput, create_person
from tests.invoicing_fixtures import add_entrepreneur
from tests.ui.typed import page_of
from ui.dialogs.invoice_dialog import InvoiceDialog
from ui.help_menu import about_text
from ui.main_window import MainWindow
from ui.pages.invoices_page import InvoicesPage
from ui.pages.people_area import PeopleArea


def _window(qtbot, ctx) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    assert QTest.qWaitForWindowActive(window)
    return window


def test_escape_and_alt_left_go_back_and_ctrl_tab_moves_between_tabs(qtbot, ctx) -> None:
    person = create_person(ctx.uow, PersonInput(first_name="Lea", last_name="Roux")).id
    window = _window(qtbot, ctx)
    area = page_of(window, "persons", PeopleArea)
    for back in ((Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
                 (Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)):  # fmt: skip
        window.open_item("person", person)
        detail = area.detail_page
        assert area.currentWidget() is detail
        detail.tabs.setFocus()
        first = detail.tabs.currentIndex()
        qtbot.keyClick(
            QApplication.focusWidget(), Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier
        )
        assert detail.tabs.currentIndex() == (first + 1) % detail.tabs.count()
        qtbot.keyClick(
            QApplication.focusWidget(), Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier
        )
        assert detail.tabs.currentIndex() == first
        qtbot.keyClick(QApplication.focusWidget(), *back)
        assert area.currentWidget() is area.list_page
        assert QApplication.focusWidget() is area.search


def test_ctrl_f_searches_people_from_a_record_and_from_a_page_without_search(qtbot, ctx) -> None:
    person = create_person(ctx.uow, PersonInput(first_name="Lea", last_name="Roux")).id
    window = _window(qtbot, ctx)
    area = page_of(window, "persons", PeopleArea)
    window.open_item("person", person)
    area.detail_page.tabs.setFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert area.currentWidget() is area.list_page and QApplication.focusWidget() is area.search
    window.show_page("dashboard")
    window.pages["dashboard"].setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is area
    assert QApplication.focusWidget() is area.search
    window.show_page("invoices")  # a page with its own search keeps it
    invoices = page_of(window, "invoices", InvoicesPage)
    qtbot.keyClick(invoices.search, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.pages["invoices"]


def test_a_new_invoice_line_is_ready_to_type(qtbot, ctx) -> None:
    dialog = InvoiceDialog(ctx, entrepreneur_id=add_entrepreneur(ctx.uow))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    assert QTest.qWaitForWindowActive(dialog)
    dialog.lines.add_button.click()
    table = dialog.lines.table
    assert table.currentRow() == table.rowCount() - 1 == 1
    assert table.state() == QAbstractItemView.State.EditingState
    qtbot.keyClicks(QApplication.focusWidget(), "Ourlet")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    typed = table.item(1, 0)
    assert typed is not None and typed.text() == "Ourlet"


def test_aide_menu_lists_shortcuts_version_and_profile_folder(qtbot, ctx) -> None:
    window = _window(qtbot, ctx)
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    aide = menus["Ai&de"]
    assert isinstance(aide, QMenu)
    assert [a.text() for a in aide.actions() if a.text()] == [
        "Raccourcis clavier", "Guide d'utilisation", "Ouvrir le dossier du profil",
        "À propos de Permanence",
    ]  # fmt: skip
    text = about_text(ctx.profile.paths.root)
    assert "version" in text and str(ctx.profile.paths.root) in text
