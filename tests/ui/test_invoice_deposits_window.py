"""A final invoice deducting several deposits, in the invoice window with real widgets
(offscreen; issue 15, docs/invoicing.md "Deposits"): each deposit's deduction lines are
added from the picker, the deposits deducted are listed (number, date, amount) while
typing and once issued, and the issued window read back from the database lists them
too — the picker has nothing left to offer then."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QTableWidget

from app import formatting
from app.invoicing.drafts import LineData
from app.invoicing.validation import validate_invoice
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity
from ui.dialogs import invoice_dialog
from ui.dialogs.invoice_dialog import InvoiceDialog

DAY = dt.date(2026, 3, 2)
LATER = dt.date(2026, 4, 15)


@pytest.fixture(autouse=True)
def no_questions(monkeypatch) -> None:
    monkeypatch.setattr(invoice_dialog, "show_pdf", lambda _path, _parent=None: None)
    monkeypatch.setattr(invoice_dialog, "ask", lambda *_a: True)


def _clean_at_close(widget: InvoiceDialog) -> None:
    widget._mark_clean()


def _set_cell(table: QTableWidget, row: int, column: int, text: str) -> None:
    item = table.item(row, column)
    assert item is not None
    item.setText(text)


def _shown(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ")


def test_final_invoice_deducts_two_deposits_and_lists_them_once_issued(qtbot, ctx) -> None:
    complete_identity(ctx.uow)
    person = add_entrepreneur(ctx.uow)
    client = add_client(ctx.uow, person)
    deposits = [
        validate_invoice(
            ctx.uow,
            ctx.profile.paths.documents,
            add_draft(
                ctx.uow, person, client, (LineData(label, 10000, cents, 2000),), role="acompte"
            ),
            day,
        )
        for label, cents, day in (("Acompte 30 %", 30000, DAY), ("Acompte 20 %", 20000, LATER))
    ]
    expected = [
        f"n° {deposits[0].number} du 02/03/2026 — 360,00 € TTC",
        f"n° {deposits[1].number} du 15/04/2026 — 240,00 € TTC",
    ]
    final = InvoiceDialog(ctx, entrepreneur_id=person)
    qtbot.addWidget(final, before_close_func=_clean_at_close)
    final.show()
    final.client.setCurrentIndex(final.client.findData(client))
    _set_cell(final.lines.table, 0, 0, "Travaux")
    _set_cell(final.lines.table, 0, 3, "1000")
    picker = final.deposit
    picker.role_box.setCurrentIndex(picker.role_box.findData("solde"))
    assert not picker.deducted.isVisible()  # nothing deducted yet
    for deposit in deposits:
        picker.deposit_box.setCurrentIndex(picker.deposit_box.findData(deposit.invoice_id))
        picker.add_lines.click()
        assert not picker.add_lines.isEnabled()  # its lines are there: not twice
    typed, errors = final.lines.lines()
    assert not errors and len(typed) == 3
    assert picker.deposit_invoice_ids() == tuple(d.invoice_id for d in deposits)
    assert _shown(picker.deducted.text()).splitlines() == expected

    final.validate()
    ctx.tasks.settle()
    assert final.general_error.isHidden(), final.general_error.text()
    assert final.detail is not None and not final.detail.is_draft
    assert final.detail.data.deposit_invoice_ids == tuple(d.invoice_id for d in deposits)
    assert picker.deducted.isVisible()
    assert _shown(picker.deducted.text()).splitlines() == expected
    assert not picker.deposit_box.isVisible() and not picker.add_lines.isVisible()
    # 1,000 − 300 − 200 excluding VAT, VAT at 20 %: 600 € left to pay.
    assert formatting.money(final.detail.totals.incl_cents) == formatting.money(60000)

    # The issued invoice opened again, read from the database.
    again = InvoiceDialog(ctx, final.detail.id)
    qtbot.addWidget(again, before_close_func=_clean_at_close)
    again.show()
    assert again.deposit.role() == "solde"
    assert again.deposit.deducted.isVisible()
    assert _shown(again.deposit.deducted.text()).splitlines() == expected
    assert again.deposit.deducted.objectName() == "invoice_deducted_deposits"
    assert not again.has_unsaved_changes()
