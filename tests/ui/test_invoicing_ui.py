"""Factures UI with real widgets (offscreen): list, draft editor, validation, payments,
credit notes, CAE identity, batch export, the person's Facturation tab."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox, QTableWidget

from app.clock import today
from app.invoicing import drafts, payments
from app.invoicing.validation import validate_invoice
from app.people.parcours import list_stages
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity
from tests.ui.clicks import answer_next_question
from tests.ui.typed import page_of
from ui.dialogs import invoice_dialog
from ui.dialogs.cae_identity_dialog import CaeIdentityDialog
from ui.dialogs.invoice_dialog import InvoiceDialog
from ui.dialogs.payment_dialog import PaymentDialog
from ui.pages.invoices_page import InvoicesPage
from ui.pages.people_area import PeopleArea
from ui.pages.person_invoicing_tab import PersonInvoicingTab

DAY = dt.date(2026, 3, 2)


def _set_cell(table: QTableWidget, row: int, column: int, text: str) -> None:
    item = table.item(row, column)
    assert item is not None
    item.setText(text)


@pytest.fixture
def opened(monkeypatch) -> list[object]:
    shown: list[object] = []
    monkeypatch.setattr(invoice_dialog, "show_pdf", lambda path, _parent=None: shown.append(path))
    monkeypatch.setattr(invoice_dialog, "ask", lambda *_a: True)
    return shown


def _issue(
    ctx,
    person: str,
    client: str,
    lines: tuple[drafts.LineData, ...] | None = None,
    **changes: object,
) -> str:
    draft = add_draft(ctx.uow, person, client, lines, **changes)
    return validate_invoice(ctx.uow, ctx.profile.paths.documents, draft, DAY).invoice_id


def test_list_filters_as_you_type_and_by_status(qtbot, ctx) -> None:
    complete_identity(ctx.uow)
    person = add_entrepreneur(ctx.uow)
    dupre = add_client(ctx.uow, person)
    petit = add_client(ctx.uow, person, business=False)
    _issue(ctx, person, dupre)
    _issue(ctx, person, petit)
    add_draft(ctx.uow, person, petit)
    page = InvoicesPage(ctx)
    qtbot.addWidget(page)
    assert page.model.rowCount() == 3
    first = page.model.row_at(0)
    assert first is not None and first.status == "brouillon"  # drafts first
    qtbot.keyClicks(page.search, "DUPRE")  # accents and case ignored
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=30000)
    first = page.model.row_at(0)
    assert first is not None and first.client_name == "Boulangerie Dupré"
    page.search.clear()
    page.status.setCurrentIndex(page.status.findData("brouillon"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=30000)
    assert "1 facture" in page.count_label.text()


def test_new_invoice_live_totals_then_validation_proposes_salarie(qtbot, ctx, opened) -> None:
    complete_identity(ctx.uow)
    person = add_entrepreneur(ctx.uow)
    client = add_client(ctx.uow, person)
    dialog = InvoiceDialog(ctx, entrepreneur_id=person)
    qtbot.addWidget(dialog)
    dialog.client.setCurrentIndex(dialog.client.findData(client))
    table = dialog.lines.table
    _set_cell(table, 0, 0, "Retouche de robe")
    _set_cell(table, 0, 1, "1,5")
    _set_cell(table, 0, 3, "40")
    assert "Total TTC : 72,00" in dialog.lines.totals_label.text().replace("\u202f", " ")
    dialog.validate()
    ctx.tasks.settle()  # issuing runs off the GUI thread (ui/operations.py)
    assert dialog.detail is not None and dialog.detail.number == f"LOC-{today().year}-00001"
    assert "émise" in dialog.status_label.text()
    assert not dialog.buttons["save"].isVisible() or dialog.isHidden()
    assert {s.kind for s in list_stages(ctx.uow, person)} == {"cape", "salarie"}
    dialog.open_pdf()
    ctx.tasks.settle()
    assert opened and opened[0].read_bytes().startswith(b"%PDF")


def test_validation_refusal_lists_what_is_missing(qtbot, ctx, opened) -> None:
    person = add_entrepreneur(ctx.uow)
    client = add_client(ctx.uow, person, siren="", address="")
    dialog = InvoiceDialog(ctx, add_draft(ctx.uow, person, client))
    qtbot.addWidget(dialog)
    dialog.validate()
    ctx.tasks.settle()  # issuing runs off the GUI thread (ui/operations.py)
    text = dialog.general_error.text()
    assert "Client : l'adresse manque." in text
    assert "Client professionnel : le SIREN manque." in text
    assert "Identité de la CAE incomplète : le SIREN manque." in text
    assert dialog.detail is not None
    assert drafts.get_invoice(ctx.uow, dialog.detail.id).status == "brouillon"


def test_bad_line_is_shown_on_its_line(qtbot, ctx) -> None:
    person = add_entrepreneur(ctx.uow)
    client = add_client(ctx.uow, person)
    dialog = InvoiceDialog(ctx, entrepreneur_id=person)
    qtbot.addWidget(dialog)
    dialog.client.setCurrentIndex(dialog.client.findData(client))
    _set_cell(dialog.lines.table, 0, 0, "Remboursement")
    _set_cell(dialog.lines.table, 0, 1, "-2")
    _set_cell(dialog.lines.table, 0, 3, "10")
    assert not dialog.save_draft()
    assert "Ligne 1 : Quantité négative" in dialog.lines.error_label.text()


def test_payment_dialog_refuses_overpayment_under_the_field(qtbot, ctx) -> None:
    complete_identity(ctx.uow)
    person = add_entrepreneur(ctx.uow)
    invoice = _issue(ctx, person, add_client(ctx.uow, person))
    dialog = PaymentDialog(ctx, invoice, "LOC-2026-00001")
    qtbot.addWidget(dialog)
    dialog.show()
    seen: list[set[str]] = []
    ctx.hub.changed.connect(lambda changes: seen.append(changes.names()))
    dialog.amount.setText("10 000,00")
    dialog.save()
    assert not dialog.save_button.isEnabled()  # greyed while the worker records it
    ctx.tasks.settle()  # the save runs off the GUI thread
    assert "Paiement supérieur au reste dû (95,74" in dialog.errors.error_text("amount").replace(
        "\u202f", " "
    )
    assert dialog.isVisible() and dialog.save_button.isEnabled() and seen == []
    dialog.amount.setText("50")
    dialog.save()
    ctx.tasks.settle()
    assert payments.get_balance(ctx.uow, invoice).status == "partiellement_payee"
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Accepted
    assert seen == [{"invoices", "payments"}]  # one notice: the invoice's « reste dû »


def test_cancel_by_credit_note_from_the_dialog(qtbot, ctx, opened) -> None:
    complete_identity(ctx.uow)
    person = add_entrepreneur(ctx.uow)
    invoice = _issue(ctx, person, add_client(ctx.uow, person))
    dialog = InvoiceDialog(ctx, invoice)
    qtbot.addWidget(dialog)
    assert dialog.buttons["cancel"].isVisibleTo(dialog)
    dialog.cancel_by_credit_note()
    ctx.tasks.settle()
    qtbot.addWidget(dialog.credit_note)
    assert dialog.credit_note.detail is not None
    assert dialog.credit_note.detail.credited_number == "LOC-2026-00001"
    assert "Annulée par avoir" in dialog.status_label.text()
    assert "Avoir n° LOC-2026-00002 émis le" in dialog.credit_note.status_label.text()


def test_cae_identity_dialog_shows_the_reason_under_each_field(qtbot, ctx) -> None:
    dialog = CaeIdentityDialog(ctx)
    qtbot.addWidget(dialog)
    assert "il manque" in dialog.missing_label.text()
    dialog.edits["siren"].setText("123456789")
    dialog.save()
    ctx.tasks.settle()  # the save runs off the GUI thread
    assert dialog.errors.error_text("siren") == "Numéro SIREN invalide."


def test_batch_export_runs_in_the_background(qtbot, ctx, tmp_path) -> None:
    complete_identity(ctx.uow)
    person = add_entrepreneur(ctx.uow)
    client = add_client(ctx.uow, person)
    for _ in range(3):
        _issue(ctx, person, client)
    page = InvoicesPage(ctx)
    qtbot.addWidget(page)
    page.export_to(tmp_path / "export")
    qtbot.waitUntil(lambda: "exporté" in page.count_label.text(), timeout=10000)
    assert sorted(p.name for p in (tmp_path / "export").iterdir()) == [
        "LOC-2026-00001.pdf",
        "LOC-2026-00002.pdf",
        "LOC-2026-00003.pdf",
    ]


def test_person_tab_shows_turnover(qtbot, ctx) -> None:
    complete_identity(ctx.uow)
    person = add_entrepreneur(ctx.uow)
    _issue(ctx, person, add_client(ctx.uow, person))
    tab = PersonInvoicingTab(ctx)
    qtbot.addWidget(tab)
    tab.show_person(person)
    assert tab.turnover.rowCount() == 1
    assert tab.turnover.data(tab.turnover.index(0, 0), Qt.ItemDataRole.DisplayRole) == "mars 2026"
    assert "82,50" in tab.summary.text()
    assert tab.invoices.rowCount() == 1


def test_main_window_has_factures_and_the_person_record_a_facturation_tab(qtbot, ctx) -> None:
    from ui.main_window import MainWindow

    complete_identity(ctx.uow)
    person = add_entrepreneur(ctx.uow)
    invoice = _issue(ctx, person, add_client(ctx.uow, person))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles.index("Factures") == titles.index("Ateliers") + 1
    ctx.hub.open_requested.emit("person", person)
    detail = page_of(window, "persons", PeopleArea).detail_page
    tabs = [detail.tabs.tabText(i) for i in range(detail.tabs.count())]
    assert "Facturation" in tabs
    tab = detail.tabs.widget(tabs.index("Facturation"))
    assert isinstance(tab, PersonInvoicingTab)
    assert tab.invoices.rowCount() == 1
    ctx.hub.open_requested.emit("invoice", invoice)
    page = page_of(window, "invoices", InvoicesPage)
    assert window.stack.currentWidget() is page
    shown = ctx.windows.find(("invoice", invoice))
    assert isinstance(shown, InvoiceDialog)
    assert shown.detail is not None and shown.detail.id == invoice


def test_new_invoice_from_a_person_shows_their_name_not_an_id(qtbot, ctx) -> None:
    person = add_entrepreneur(ctx.uow, last_name="Marchal")
    dialog = InvoiceDialog(ctx, entrepreneur_id=person)
    qtbot.addWidget(dialog)
    assert dialog.entrepreneur.currentText() == "Céline Marchal"
    assert dialog.entrepreneur.currentData() == person


def test_client_country_is_chosen_by_its_french_name(qtbot, ctx) -> None:
    from ui.dialogs.client_dialog import ClientDialog

    person = add_entrepreneur(ctx.uow)
    dialog = ClientDialog(ctx, person)
    qtbot.addWidget(dialog)
    assert dialog.country.currentText() == "France"
    dialog.kind.setCurrentIndex(dialog.kind.findData("particulier"))
    dialog.edits["name"].setText("Lucie Peeters")
    dialog.edits["address"].setText("12 rue Haute")
    dialog.edits["postcode"].setText("1000")
    dialog.edits["city"].setText("Bruxelles")
    dialog.country.setCurrentIndex(dialog.country.findText("Belgique"))
    dialog.save()
    ctx.tasks.settle()  # the save runs off the GUI thread
    assert dialog.saved is not None and dialog.saved.data.country_code == "BE"
    again = ClientDialog(ctx, person, dialog.saved)
    qtbot.addWidget(again)
    assert again.country.currentText() == "Belgique"


def test_a_payment_recorded_by_mistake_is_listed_and_cancelled_from_the_invoice(qtbot, ctx) -> None:
    complete_identity(ctx.uow)
    person = add_entrepreneur(ctx.uow)
    invoice = _issue(ctx, person, add_client(ctx.uow, person))
    payments.record_payment(
        ctx.uow, invoice, payments.PaymentData(today(), 5000, "cheque", "CHQ 42")
    )
    dialog = InvoiceDialog(ctx, invoice)
    qtbot.addWidget(dialog)
    assert dialog.payments.isVisibleTo(dialog)
    assert dialog.payments.list.count() == 1
    assert "50,00" in dialog.payments.list.item(0).text()
    assert "CHQ 42" in dialog.payments.list.item(0).text()
    assert not dialog.payments.cancel_button.isEnabled()  # nothing selected yet

    dialog.payments.list.setCurrentRow(0)
    answer_next_question(QMessageBox.StandardButton.No)
    dialog.payments.cancel_button.click()
    ctx.tasks.settle()  # the cancellation is written off the GUI thread
    assert payments.get_balance(ctx.uow, invoice).paid_cents == 5000  # "No" keeps it

    answer_next_question(QMessageBox.StandardButton.Yes)
    dialog.payments.cancel_button.click()
    ctx.tasks.settle()  # the cancellation is written off the GUI thread
    balance = payments.get_balance(ctx.uow, invoice)
    assert (balance.paid_cents, balance.status) == (0, "a_payer")
    assert not dialog.payments.isVisibleTo(dialog)
    assert "à payer" in dialog.status_label.text().lower()
