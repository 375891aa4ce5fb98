"""One window per thing: a double-click opens one window, opening an invoice already on
screen brings its window forward, and "Nouvelle facture" does not pile up blank ones."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QDialog

from app.people.persons import PersonInput, create_person
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur
from tests.ui.clicks import double_click_row
from tests.ui.typed import page_of
from ui.dialogs.intake_dialog import IntakeDialog
from ui.dialogs.invoice_dialog import InvoiceDialog
from ui.main_window import MainWindow
from ui.pages.invoices_page import InvoicesPage
from ui.pages.people_area import PeopleArea
from ui.pages.person_invoicing_tab import PersonInvoicingTab


def _shown(ctx, kind: type[QDialog] = InvoiceDialog) -> list[QDialog]:
    """The windows of this test's app on screen (earlier tests' windows are not counted)."""
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind)
            and w.isVisible() and getattr(w, "ctx", None) is ctx]  # fmt: skip


def test_double_click_on_an_invoice_opens_one_window_and_again_brings_it_forward(qtbot, ctx):
    person = add_entrepreneur(ctx.uow)
    draft = add_draft(ctx.uow, person, add_client(ctx.uow, person))
    page = InvoicesPage(ctx)
    qtbot.addWidget(page)
    page.show()
    double_click_row(qtbot, page.table, 0)
    windows = _shown(ctx)
    assert len(windows) == 1 and isinstance(windows[0], InvoiceDialog)
    assert windows[0].window_key() == ("invoice", draft)
    first = windows[0]
    double_click_row(qtbot, page.table, 0)
    assert _shown(ctx) == [first]
    first.close()
    qtbot.waitUntil(lambda: not _shown(ctx))


def test_new_invoice_twice_shows_the_same_blank_invoice(qtbot, ctx):
    person = add_entrepreneur(ctx.uow)
    page = InvoicesPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.new_button.click()
    page.new_button.click()
    assert len(_shown(ctx)) == 1
    tab = PersonInvoicingTab(ctx)
    qtbot.addWidget(tab)
    tab.show_person(person)
    tab._new_invoice()  # another entrepreneur's new invoice is another window
    tab._new_invoice()
    assert len(_shown(ctx)) == 2
    for window in _shown(ctx):
        window.close()


def test_the_same_invoice_from_the_list_and_from_the_person_is_one_window(qtbot, ctx):
    person = add_entrepreneur(ctx.uow)
    draft = add_draft(ctx.uow, person, add_client(ctx.uow, person))
    page = InvoicesPage(ctx)
    qtbot.addWidget(page)
    first = page.open_invoice(draft)
    tab = PersonInvoicingTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    tab.show_person(person)
    double_click_row(qtbot, tab.invoices_view, 0)
    assert _shown(ctx) == [first]
    first.close()


def test_double_click_on_a_person_opens_the_record_once(qtbot, ctx):
    person = create_person(ctx.uow, PersonInput(first_name="Lea", last_name="Roux")).id
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    area = page_of(window, "persons", PeopleArea)
    opened: list[str] = []
    area.list_page.person_activated.connect(opened.append)
    double_click_row(qtbot, area.list_page.table, 0)
    assert opened == [person]
    assert area.currentWidget() is area.detail_page


def test_double_click_on_an_interview_opens_one_dialog(qtbot, ctx):
    person = create_person(ctx.uow, PersonInput(first_name="Lea", last_name="Roux")).id
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.open_item("person", person)
    detail = page_of(window, "persons", PeopleArea).detail_page
    detail.start_intake()
    first = detail.active_dialog
    assert isinstance(first, IntakeDialog)
    first.texts["project_what"].setPlainText("Pain au levain")
    first.autosave(force=True)  # written off the GUI thread
    qtbot.waitUntil(lambda: first.intake is not None)
    first.close()
    qtbot.waitUntil(lambda: detail.active_dialog is None)
    detail.tabs.setCurrentIndex(1)  # Entretiens
    qtbot.waitUntil(lambda: detail.interview_model.rowCount() == 1)
    double_click_row(qtbot, detail.interview_table, 0)
    shown = _shown(ctx, QDialog)
    assert len(shown) == 1
    shown[0].close()
