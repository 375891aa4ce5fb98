"""The window reads while a writer holds the database (issue 14, item 6): with a write
transaction held open on another thread (as a sync applying a page does), the Factures
list, an invoice's window, a person's Facturation tab and a session's panel still open
and fill. Their reads are read-only units of work (app/uow.py); one that took the write
lock would wait for the busy timeout and fail with "database is locked"."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator

import pytest

from app.changes import Changes
from app.invoicing.validation import validate_invoice
from app.models import Person
from app.profile import Profile
from app.workshops import registrations
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity
from tests.workshops_support import DURING, add_persons, new_session
from ui.dialogs.invoice_dialog import InvoiceDialog
from ui.pages.invoices_page import InvoicesPage
from ui.pages.person_invoicing_tab import PersonInvoicingTab
from ui.pages.workshop_session_panel import SessionPanel

DAY = dt.date(2026, 3, 2)


@contextlib.contextmanager
def writer_held(profile: Profile) -> Iterator[None]:
    """A write transaction held open on another thread for the test's duration."""
    holding, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def hold() -> None:
        try:
            with profile.uow() as uow:
                uow.session.add(Person(first_name="Écrit", last_name="Pendant"))
                uow.session.flush()  # BEGIN IMMEDIATE + INSERT: the write lock is held
                holding.set()
                release.wait(60)
                uow.commit()
        except BaseException as exc:  # reported below
            failures.append(exc)
            holding.set()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert holding.wait(30) and not failures
    try:
        yield
    finally:
        release.set()
        thread.join(30)
    assert not failures


@pytest.fixture
def invoice(ctx) -> tuple[str, str]:
    complete_identity(ctx.uow)
    person = add_entrepreneur(ctx.uow)
    draft = add_draft(ctx.uow, person, add_client(ctx.uow, person))
    issued = validate_invoice(ctx.uow, ctx.profile.paths.documents, draft, DAY).invoice_id
    return person, issued


def test_invoice_screens_fill_while_a_writer_holds_the_database(
    qtbot, ctx, profile, invoice
) -> None:
    person, issued = invoice
    with writer_held(profile):
        page = InvoicesPage(ctx)
        qtbot.addWidget(page)
        assert page.model.rowCount() == 1
        dialog = InvoiceDialog(ctx, issued)
        qtbot.addWidget(dialog)
        assert "reste dû" in dialog.status_label.text()
        tab = PersonInvoicingTab(ctx)
        qtbot.addWidget(tab)
        tab.show_person(person)
        assert tab.invoices.rowCount() == 1


def test_a_session_opens_while_a_writer_holds_the_database(qtbot, ctx, profile) -> None:
    activity_id = new_session(ctx.uow)
    for person_id in add_persons(ctx.uow, 3):
        registrations.register_person(ctx.uow, activity_id, person_id)
    panel = SessionPanel(ctx)
    qtbot.addWidget(panel)
    panel.clock = lambda: DURING
    with writer_held(profile):
        panel.load(activity_id)
        assert panel.detail is not None and len(panel.detail.participants) == 3


def test_the_factures_list_rereads_a_sync_notice_off_the_gui_thread(qtbot, ctx, invoice) -> None:
    person, _issued = invoice
    page = InvoicesPage(ctx)
    qtbot.addWidget(page)
    assert page.model.rowCount() == 1
    client = add_client(ctx.uow, person, name="Épicerie Martin")
    draft = add_draft(ctx.uow, person, client)
    validate_invoice(ctx.uow, ctx.profile.paths.documents, draft, DAY)
    ctx.hub.notify(Changes.everything(remote=True))
    # The notice returns at once: the list is read on the database worker...
    assert page.model.rowCount() == 1
    assert ctx.tasks.settle()
    # ...and shown when it comes back.
    assert page.model.rowCount() == 2
    assert "2 factures ou avoirs" in page.count_label.text()
