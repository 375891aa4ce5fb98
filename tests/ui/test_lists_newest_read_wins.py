"""The Personnes and Factures lists read off the GUI thread and show the newest read only
(issue 14's leftovers): a typed search of persons is read by the database worker, what
was typed and the selected person kept, a slower read of an older query never shows
over a newer one, and Entrée still opens the person; on Factures a notice's read
delivered after a filter typed since does not bring the older rows back."""

from __future__ import annotations

import datetime as dt
import threading

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from app.changes import Changes
from app.invoicing import drafts
from app.invoicing.validation import validate_invoice
from app.people.person_list import PersonPage, PersonRow
from app.people.persons import PersonInput, create_person
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity
from tests.ui.keyboard_hands import Hands, Key, Mod
from tests.ui.test_invoice_pa_status import REASON, pulled
from ui.dialogs.invoice_dialog import InvoiceDialog
from ui.pages.invoices_page import InvoicesPage
from ui.pages.people_area import PeopleArea
from ui.pages.persons_page import PersonsPage, ProfileReads

DAY = dt.date(2026, 3, 2)


class WatchedReads:
    """The profile's own reads (app/people/person_directory.py), noting which thread ran
    each first page, and holding back the first page of ``held`` until released."""

    def __init__(self, reads: ProfileReads, held: str = "") -> None:
        self.reads, self.held = reads, held
        self.threads: dict[str, threading.Thread] = {}
        self.started, self.release = threading.Event(), threading.Event()

    def first_page(self, text: str = "", *, limit: int = 200) -> PersonPage:
        self.threads[text] = threading.current_thread()
        if text == self.held:
            self.started.set()
            assert self.release.wait(30)
        return self.reads.first_page(text, limit=limit)

    def page(self, text: str = "", *, offset: int = 0, limit: int = 200) -> list[PersonRow]:
        return self.reads.page(text, offset=offset, limit=limit)


def _person(ctx, first: str, last: str) -> str:
    return create_person(ctx.uow, PersonInput(first_name=first, last_name=last)).id


def _names(page: PersonsPage) -> list[str]:
    return [f"{r.first_name} {r.last_name}" for r in page.model.loaded_rows()]


def _shown(qtbot, widget: QWidget) -> Hands:
    """``widget`` on screen, active: the keys go to it."""
    widget.show()
    widget.activateWindow()
    assert QTest.qWaitForWindowActive(widget)
    return Hands(qtbot, (0, 0), None)  # the screen's size is not checked here


def test_a_typed_search_is_read_off_the_gui_thread_keeping_text_and_selection(qtbot, ctx) -> None:
    _person(ctx, "Inès", "Garnier")
    chosen = _person(ctx, "Hélène", "Garnier-Martin")
    _person(ctx, "Paul", "Durand")
    page = PersonsPage(ctx)
    qtbot.addWidget(page)
    watched = page.reads = WatchedReads(ProfileReads(ctx.uow))
    page.table.selectRow([r.id for r in page.model.loaded_rows()].index(chosen))
    qtbot.keyClicks(page.search, "garnier")
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=30000)
    assert ctx.tasks.settle()
    assert watched.threads["garnier"] is not threading.main_thread()
    assert page.search.text() == "garnier" and "2" in page.count_label.text()
    (selected,) = page.table.selectionModel().selectedRows()
    still = page.model.row_at(selected.row())
    assert still is not None and still.id == chosen


def test_a_slower_older_query_never_shows_over_a_newer_one(qtbot, ctx) -> None:
    _person(ctx, "Paul", "Gaston")
    _person(ctx, "Inès", "Garnier")
    _person(ctx, "Léa", "Durand")
    page = PersonsPage(ctx)
    qtbot.addWidget(page)
    watched = page.reads = WatchedReads(ProfileReads(ctx.uow), held="ga")
    shown: list[list[str]] = []
    page.model.modelReset.connect(lambda: shown.append(_names(page)))
    page.search.setText("ga")
    page.refresh_in_background()  # what the debounce calls once typing pauses
    assert watched.started.wait(30)  # the worker is reading « ga », slowly
    page.search.setText("garnier")
    page.refresh_in_background()  # the newer query, read after it
    watched.release.set()
    assert ctx.tasks.settle()
    # « ga » (Gaston and Garnier) landed after « garnier » was asked: never shown.
    assert shown == [["Inès Garnier"]]
    assert page.search.text() == "garnier" and page.count_label.text() == "1 personne"


def test_type_arrows_and_entree_open_the_person_even_before_the_read_lands(qtbot, ctx) -> None:
    """The keyboard alone: Entrée pressed before typing paused still answers the newest
    query (one match: opened); with several, the list takes the keys, the arrows choose,
    Entrée opens."""
    _person(ctx, "Inès", "Garnier")
    helene = _person(ctx, "Hélène", "Garnier-Martin")
    paul = _person(ctx, "Paul", "Garnier")
    _person(ctx, "Léa", "Durand")
    area = PeopleArea(ctx)
    qtbot.addWidget(area)
    hands = _shown(qtbot, area)
    area.search.setFocus()
    hands.write("garnier-m")
    hands.key(Key.Key_Return)  # at once: the debounce has not even fired
    assert area.currentWidget() is area.list_page  # the rows of « garnier-m » are not in yet
    qtbot.waitUntil(lambda: area.currentWidget() is area.detail_page, timeout=30000)
    assert area.detail_page.person_id == helene
    assert ctx.tasks.settle()

    area.show_list()
    assert QApplication.focusWidget() is area.search
    hands.write("garnier")  # replaces the selected text
    hands.key(Key.Key_Return)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is area.list_page.table, timeout=30000)
    assert [r.last_name for r in area.model.loaded_rows()].count("Garnier") == 2
    rows = area.model.loaded_rows()
    hands.key(Key.Key_Down, times=[r.id for r in rows].index(paul))
    hands.key(Key.Key_Return)
    assert area.currentWidget() is area.detail_page and area.detail_page.person_id == paul
    assert area.search.text() == "garnier"
    assert ctx.tasks.settle()


def _issue(ctx, person: str, client: str) -> str:
    draft = add_draft(ctx.uow, person, client)
    return validate_invoice(ctx.uow, ctx.profile.paths.documents, draft, DAY).invoice_id


def test_a_notice_read_delivered_after_a_typed_filter_does_not_bring_back_older_rows(
    qtbot, ctx
) -> None:
    complete_identity(ctx.uow)
    person = add_entrepreneur(ctx.uow)
    dupre = _issue(ctx, person, add_client(ctx.uow, person))
    petit = _issue(ctx, person, add_client(ctx.uow, person, business=False))
    page = InvoicesPage(ctx)
    qtbot.addWidget(page)
    assert page.model.rowCount() == 2 and page.pa_alert.isHidden()
    # A sync brings a rejection: the notice's read runs, its result waits to be shown.
    pulled(ctx.profile, petit, "213", dt.datetime(2026, 3, 3, 8, 0), REASON)
    ctx.hub.notify(Changes(invoices=True, remote=True))
    assert ctx.tasks.wait_idle() and ctx.tasks.pending == 1
    # Meanwhile a filter is typed and read (on the GUI thread, as when the page is
    # built; a typed filter's own reads are in test_invoice_filter_off_gui_thread.py).
    page.search.setText("DUPRE")
    page.refresh(alerts=False)
    assert [r.id for r in page.model.loaded_rows()] == [dupre]
    assert ctx.tasks.settle()  # the older read is delivered now, out of order
    assert [r.id for r in page.model.loaded_rows()] == [dupre]
    assert page.count_label.text().startswith("1 facture") and page.search.text() == "DUPRE"
    # Its alert does not depend on the filter, and no newer read brought alerts.
    assert not page.pa_alert.isHidden()
    assert drafts.get_invoice(ctx.uow, petit).number in page.pa_alert.text()


def test_filter_with_the_keyboard_while_a_notice_is_read_then_open_the_invoice(qtbot, ctx) -> None:
    complete_identity(ctx.uow)
    person = add_entrepreneur(ctx.uow)
    dupre_client = add_client(ctx.uow, person)
    _issue(ctx, person, add_client(ctx.uow, person, business=False))
    page = InvoicesPage(ctx)
    qtbot.addWidget(page)
    hands = _shown(qtbot, page)
    dupre = _issue(ctx, person, dupre_client)  # issued on another screen
    ctx.hub.notify(Changes(invoices=True))
    page.search.setFocus()
    hands.write("DUPRE")
    # The filter's own rows: until its read lands, the list still shows the rows read
    # before (one invoice too, Petit's), the notice's read of no filter being dropped.
    qtbot.waitUntil(
        lambda: not ctx.tasks.pending and [r.id for r in page.model.loaded_rows()] == [dupre],
        timeout=30000,
    )
    hands.tab_to(page.table)
    hands.key(Key.Key_Home, Mod.ControlModifier)
    hands.key(Key.Key_Return)
    opened = ctx.windows.find(("invoice", dupre))
    assert isinstance(opened, InvoiceDialog)
    opened.close()
