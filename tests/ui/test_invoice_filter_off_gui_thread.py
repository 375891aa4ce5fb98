"""The Factures filter read on the database worker (ui/pages/invoices_page.py), as the
Personnes search is: typing fast reads the last text once, off the GUI thread, keeping
what was typed and the selected invoice; a slower read of an older filter never shows
over a newer one; Entrée, the arrows and Entrée again open an invoice with the keyboard
alone; a filter that cannot be read is said in French and leaves the list as it was.
A real profile, real invoices, the page's own reads (held back, never replaced)."""

from __future__ import annotations

import datetime as dt
import threading

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.invoicing.validation import validate_invoice
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity
from tests.ui.keyboard_hands import Hands, Key, Mod
from ui.dialogs.invoice_dialog import InvoiceDialog
from ui.pages.invoice_list_reads import InvoiceReads, Listing
from ui.pages.invoices_page import InvoicesPage

DAY = dt.date(2026, 3, 2)


class WatchedReads(InvoiceReads):
    """The page's own reads, noting which thread read each filter and in what order,
    and holding back the read of ``held`` until released."""

    def __init__(self, page: InvoicesPage, held: str = "") -> None:
        super().__init__(page.ctx.uow)
        self.held = held
        self.threads: dict[str, threading.Thread] = {}
        self.read: list[str] = []  # the filters read, once each read was over
        self.started, self.release = threading.Event(), threading.Event()

    def listing(self, text: str, status: str, *, alerts: bool, limit: int) -> Listing:
        self.threads[text] = threading.current_thread()
        if text == self.held:
            self.started.set()
            assert self.release.wait(30)
        listing = super().listing(text, status, alerts=alerts, limit=limit)
        self.read.append(text)
        return listing


def _invoices(ctx) -> dict[str, str]:
    """Three issued invoices, one per client: Paul Gaston, Inès Garnier, Léa Durand."""
    complete_identity(ctx.uow)
    person = add_entrepreneur(ctx.uow)
    ids = {}
    for name in ("Paul Gaston", "Inès Garnier", "Léa Durand"):
        client = add_client(ctx.uow, person, business=False, name=name)
        draft = add_draft(ctx.uow, person, client)
        ids[name] = validate_invoice(ctx.uow, ctx.profile.paths.documents, draft, DAY).invoice_id
    return ids


def _clients(page: InvoicesPage) -> list[str]:
    return [r.client_name for r in page.model.loaded_rows()]


def _selected(page: InvoicesPage) -> str | None:
    rows = page.table.selectionModel().selectedRows()
    row = page.model.row_at(rows[0].row()) if rows else None
    return row.id if row is not None else None


def test_typing_fast_reads_the_last_text_once_off_the_gui_thread_keeping_the_selection(
    qtbot, ctx
) -> None:
    ids = _invoices(ctx)
    page = InvoicesPage(ctx)
    qtbot.addWidget(page)
    watched = page.reads = WatchedReads(page)
    page.table.selectRow([r.id for r in page.model.loaded_rows()].index(ids["Inès Garnier"]))
    qtbot.keyClicks(page.search, "ga")  # two keys before the window turns once
    qtbot.waitUntil(
        lambda: sorted(_clients(page)) == ["Inès Garnier", "Paul Gaston"], timeout=30000
    )
    assert ctx.tasks.settle()
    assert watched.read == ["ga"]  # not « g »: typing had not paused
    assert watched.threads["ga"] is not threading.main_thread()
    assert page.search.text() == "ga" and page.count_label.text() == "2 factures ou avoirs"
    assert _selected(page) == ids["Inès Garnier"]
    qtbot.keyClicks(page.search, "rnier")
    qtbot.waitUntil(lambda: _clients(page) == ["Inès Garnier"], timeout=30000)
    assert ctx.tasks.settle()
    assert watched.read == ["ga", "garnier"]
    assert (
        _selected(page) == ids["Inès Garnier"] and page.count_label.text() == "1 facture ou avoir"
    )


def test_a_slower_older_filter_never_shows_over_a_newer_one(qtbot, ctx) -> None:
    _invoices(ctx)
    page = InvoicesPage(ctx)
    qtbot.addWidget(page)
    watched = page.reads = WatchedReads(page, held="ga")
    shown: list[list[str]] = []
    page.model.modelReset.connect(lambda: shown.append(_clients(page)))
    page.search.setText("ga")
    page.refresh_in_background(alerts=False)  # what the debounce calls once typing pauses
    assert watched.started.wait(30)  # the worker is reading « ga », slowly
    page.search.setText("garnier")
    page.refresh_in_background(alerts=False)  # the newer filter, read after it
    watched.release.set()
    assert ctx.tasks.settle()
    assert watched.read == ["ga", "garnier"]  # « ga » was read and delivered, late
    # « ga » (Gaston and Garnier) landed after « garnier » was asked: never shown.
    assert shown == [["Inès Garnier"]]
    assert page.search.text() == "garnier" and page.count_label.text() == "1 facture ou avoir"


def test_an_older_filter_landing_while_more_is_typed_is_not_shown(qtbot, ctx) -> None:
    """The newer text typed, its read not asked yet (typing has not paused) when the
    older read lands: the older rows are not shown either."""
    _invoices(ctx)
    page = InvoicesPage(ctx)
    qtbot.addWidget(page)
    watched = page.reads = WatchedReads(page, held="ga")
    shown: list[list[str]] = []
    page.model.modelReset.connect(lambda: shown.append(_clients(page)))
    qtbot.keyClicks(page.search, "ga")
    qtbot.waitUntil(watched.started.is_set, timeout=30000)  # typing paused: « ga » read slowly
    qtbot.keyClicks(page.search, "rnier")
    watched.release.set()
    qtbot.waitUntil(
        lambda: watched.read == ["ga", "garnier"] and not ctx.tasks.pending, timeout=30000
    )
    assert shown == [["Inès Garnier"]]
    assert page.search.text() == "garnier"


def test_type_entree_arrows_entree_open_invoices_with_the_keyboard_alone(qtbot, ctx) -> None:
    """Entrée pressed before typing paused answers the newest filter once its rows are
    in (one match: opened); with several, the list takes the keys, the arrows choose,
    Entrée opens. The filter typed stays."""
    ids = _invoices(ctx)
    page = InvoicesPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.activateWindow()
    assert QTest.qWaitForWindowActive(page)
    hands = Hands(qtbot, (0, 0), None)  # the screen's size is not checked here
    page.search.setFocus()
    hands.write("durand")
    hands.key(Key.Key_Return)  # at once: the debounce has not even fired
    assert ctx.windows.find(("invoice", ids["Léa Durand"])) is None  # its rows are not in
    qtbot.waitUntil(
        lambda: ctx.windows.find(("invoice", ids["Léa Durand"])) is not None, timeout=30000
    )
    opened = ctx.windows.find(("invoice", ids["Léa Durand"]))
    assert isinstance(opened, InvoiceDialog)
    assert ctx.tasks.settle()
    opened.close()
    hands.closed(opened)
    page.activateWindow()
    assert QTest.qWaitForWindowActive(page)

    hands.key(Key.Key_F, Mod.ControlModifier)  # back to the filter, its text selected
    assert QApplication.focusWidget() is page.search
    hands.write("ga")  # replaces the selected text
    hands.key(Key.Key_Return)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.table, timeout=30000)
    rows = [r.id for r in page.model.loaded_rows()]
    assert sorted(rows) == sorted([ids["Paul Gaston"], ids["Inès Garnier"]])
    assert _selected(page) == rows[0]
    hands.key(Key.Key_Down, times=rows.index(ids["Inès Garnier"]))
    hands.key(Key.Key_Return)
    chosen = ctx.windows.find(("invoice", ids["Inès Garnier"]))
    assert isinstance(chosen, InvoiceDialog)
    assert ctx.windows.find(("invoice", ids["Paul Gaston"])) is None
    assert page.search.text() == "ga"
    assert ctx.tasks.settle()
    chosen.close()


def test_a_thousand_pasted_words_filter_the_list_without_an_error(qtbot, ctx) -> None:
    """A thousand words pasted in the filter (SQLite refused such a query, « Expression
    tree is too large », and the person got the unexpected-error box): the list is read
    with the most selective words (app/text.py search_patterns), finds nothing, says so,
    and keeps what was pasted; the next filter reads again."""
    _invoices(ctx)
    page = InvoicesPage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: len(_clients(page)) == 3, timeout=30000)
    pasted = " ".join(f"mot{n}" for n in range(1000))
    page.search.setText(pasted)  # a paste: one edit
    qtbot.waitUntil(lambda: _clients(page) == [], timeout=30000)
    assert ctx.tasks.settle()
    assert page.search.text() == pasted
    assert page.count_label.text() == "Aucune facture ne correspond."
    page.search.setText("durand")
    qtbot.waitUntil(lambda: _clients(page) == ["Léa Durand"], timeout=30000)
