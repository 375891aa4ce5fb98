"""E-invoicing in the invoicing dialogs (issue 15), with real widgets (offscreen): the
client's electronic address asked for and checked under its field, the 0 % VAT regime
and the references of an invoice, and the « facture acquittée » of a paid invoice."""

from __future__ import annotations

import datetime as dt

import pytest

from app.invoicing import drafts, payments
from app.invoicing.clients import get_client
from app.invoicing.validation import validate_invoice
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity
from ui.dialogs import invoice_dialog
from ui.dialogs.client_dialog import ClientDialog
from ui.dialogs.invoice_dialog import InvoiceDialog

DAY = dt.date(2026, 3, 2)


@pytest.fixture
def opened(monkeypatch) -> list[object]:
    shown: list[object] = []
    monkeypatch.setattr(invoice_dialog, "show_pdf", lambda path, _parent=None: shown.append(path))
    monkeypatch.setattr(invoice_dialog, "ask", lambda *_a: True)
    return shown


def test_client_electronic_address_is_checked_under_its_field(qtbot, ctx) -> None:
    person = add_entrepreneur(ctx.uow)
    client = get_client(ctx.uow, add_client(ctx.uow, person))
    dialog = ClientDialog(ctx, person, client)
    qtbot.addWidget(dialog)
    dialog.edits["einvoicing_address"].setText("0225:732829320")  # another company's SIREN
    dialog.save()
    ctx.tasks.settle()  # the save runs off the GUI thread
    assert dialog.saved is None
    assert "suivi de son SIREN" in dialog.rows["einvoicing_address"].error_label.text()
    dialog.edits["einvoicing_address"].setText("552100554_compta")  # the scheme is implied
    dialog.save()
    ctx.tasks.settle()  # the save runs off the GUI thread
    assert dialog.saved is not None
    assert dialog.saved.data.einvoicing_address == "0225:552100554_compta"


def test_private_client_without_any_address_is_asked_for_one(qtbot, ctx, opened) -> None:
    complete_identity(ctx.uow)
    person = add_entrepreneur(ctx.uow)
    client = add_client(ctx.uow, person, business=False, email="")
    dialog = InvoiceDialog(ctx, add_draft(ctx.uow, person, client))
    qtbot.addWidget(dialog)
    dialog.validate()
    ctx.tasks.settle()  # issuing runs off the GUI thread (ui/operations.py)
    assert "l'adresse de facturation électronique manque" in dialog.general_error.text()
    assert dialog.detail is not None
    assert drafts.get_invoice(ctx.uow, dialog.detail.id).status == "brouillon"


def test_zero_vat_regime_and_references_are_saved_and_issued(qtbot, ctx, opened) -> None:
    complete_identity(ctx.uow)
    person = add_entrepreneur(ctx.uow)
    client = add_client(ctx.uow, person)
    lines = (drafts.LineData("Débours", 10000, 4500, 0),)
    dialog = InvoiceDialog(ctx, add_draft(ctx.uow, person, client, lines))
    qtbot.addWidget(dialog)
    dialog.zero_regime.setCurrentIndex(dialog.zero_regime.findData("O"))
    dialog.order_reference.setText("BC-2026/114")
    dialog.buyer_reference.setText("SERV-ACHATS")
    dialog.validate()
    ctx.tasks.settle()  # issuing runs off the GUI thread (ui/operations.py)
    assert dialog.detail is not None and not dialog.detail.is_draft, dialog.general_error.text()
    data = dialog.detail.data
    assert [ln.vat_category for ln in data.lines] == ["O"]
    assert (data.order_reference, data.buyer_reference) == ("BC-2026/114", "SERV-ACHATS")
    assert not dialog.zero_regime.isEnabled()


def test_receipt_button_appears_once_the_invoice_is_paid(qtbot, ctx, opened) -> None:
    complete_identity(ctx.uow)
    person = add_entrepreneur(ctx.uow)
    client = add_client(ctx.uow, person)
    draft = add_draft(ctx.uow, person, client)
    invoice = validate_invoice(ctx.uow, ctx.profile.paths.documents, draft, DAY).invoice_id
    dialog = InvoiceDialog(ctx, invoice)
    qtbot.addWidget(dialog)
    assert dialog.buttons["receipt"].isHidden()
    total = drafts.get_invoice(ctx.uow, invoice).totals.incl_cents
    payments.record_payment(ctx.uow, invoice, payments.PaymentData(DAY, total, "virement"))
    dialog._refresh_state()
    assert not dialog.buttons["receipt"].isHidden()
    dialog.buttons["receipt"].click()
    ctx.tasks.settle()
    assert opened and str(opened[-1]).endswith("LOC-2026-00001-acquittee.pdf")
