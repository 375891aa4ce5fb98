"""E-invoicing statuses on the laptop with real widgets (offscreen): statuses arrive as a
sync applies them (app/sync/apply.py, the rows the siège publishes); the Factures list
shows each invoice's « E-facture » state in French and flags a rejection above the list;
the invoice dialog shows the history with its reasons and says a rejected invoice is
corrected by a credit note and a new invoice; once cancelled by a credit note the alert
goes. (The same rows end to end through the siège and the PA simulator:
tests/integration/test_siege_einvoicing_laptop.py.)"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from app.invoicing import drafts, pa_status
from app.invoicing.validation import validate_invoice
from app.sync.apply import apply_rows
from app.sync.codec import encode_row
from app.sync.protocol import Row
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity
from ui.dialogs import invoice_dialog
from ui.dialogs.invoice_dialog import InvoiceDialog
from ui.pages.invoices_page import InvoicesPage

DAY = dt.date(2026, 11, 20)
REASON = "BR-FR-12 : l'adresse électronique de l'acheteur (BT-49) est obligatoire"


def pulled(profile, invoice_id: str, code: str, at: dt.datetime, reason: str = "") -> None:
    """A status row as the siège sends it, applied by the laptop's sync."""
    values = {
        "invoice_id": invoice_id,
        "code": code,
        "label": pa_status.label(code),
        "reason": reason,
        "received_at": at,
        "created_at": at,
        "updated_at": at,
        "deleted_at": None,
        "created_by": "Siège (plateforme agréée)",
        "updated_by": "Siège (plateforme agréée)",
    }
    row_id = pa_status.status_id(invoice_id, code, at)
    with profile.engine.begin() as conn:
        assert apply_rows(conn, [Row(1, "invoice_pa_status", row_id, encode_row(
            "invoice_pa_status", values), {})]) == 1  # fmt: skip


@pytest.fixture
def issued(ctx) -> tuple[str, str]:
    complete_identity(ctx.uow)
    person = add_entrepreneur(ctx.uow)
    client = add_client(ctx.uow, person)
    good, broken = (
        validate_invoice(
            ctx.uow, ctx.profile.paths.documents, add_draft(ctx.uow, person, client), DAY
        ).invoice_id
        for _ in range(2)
    )
    pulled(ctx.profile, good, "200", dt.datetime(2026, 11, 21, 8, 0))
    pulled(ctx.profile, broken, "200", dt.datetime(2026, 11, 21, 8, 0))
    pulled(ctx.profile, broken, "213", dt.datetime(2026, 11, 21, 8, 5), REASON)
    return good, broken


def cells(page: InvoicesPage, column: str) -> dict[str, tuple[str, str]]:
    """{number: (text, tooltip)} of one column of the list."""
    model = page.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    col = headers.index(column)
    out = {}
    for r in range(model.rowCount()):
        number = model.data(model.index(r, 0))
        text = model.data(model.index(r, col))
        tip = model.data(model.index(r, col), Qt.ItemDataRole.ToolTipRole) or ""
        out[number] = (text, tip)
    return out


def test_list_shows_the_state_and_flags_a_rejection(qtbot, ctx, issued) -> None:
    good, broken = issued
    numbers = {i: drafts.get_invoice(ctx.uow, i).number for i in issued}
    page = InvoicesPage(ctx)
    qtbot.addWidget(page)
    shown = cells(page, "E-facture")
    assert shown[numbers[good]][0] == "Déposée"
    text, tip = shown[numbers[broken]]
    assert text == "⚠ Rejetée"
    assert REASON in tip and "avoir" in tip
    assert not page.pa_alert.isHidden()
    alert = page.pa_alert.text()
    assert "1 facture rejetée ou refusée" in alert and numbers[broken] in alert
    assert numbers[good] not in alert


def test_dialog_shows_the_history_and_how_to_correct(qtbot, ctx, issued, monkeypatch) -> None:
    good, broken = issued
    monkeypatch.setattr(invoice_dialog, "ask", lambda *_a: True)
    monkeypatch.setattr(invoice_dialog, "show_pdf", lambda _p, _parent=None: None)
    dialog = InvoiceDialog(ctx, broken)
    qtbot.addWidget(dialog)
    panel = dialog.pa_statuses
    assert not panel.isHidden()
    history = [panel.list.item(i).text() for i in range(panel.list.count())]
    assert history == [
        "21/11/2026 09:00 — 200 Déposée",  # the PA's UTC time, shown in Paris time
        f"21/11/2026 09:05 — 213 Rejetée : {REASON}",
    ]
    advice = panel.advice.text()
    assert "Facture rejetée" in advice and "ne se modifie pas" in advice and "avoir" in advice
    assert not panel.advice.isHidden()
    # Never edited: the fields stay read-only, the credit note is offered.
    assert not dialog.notes.isEnabled() and not dialog.buttons["cancel"].isHidden()

    dialog.buttons["cancel"].click()  # cancelled by a credit note
    ctx.tasks.settle()  # the credit note is issued off the GUI thread (ui/operations.py)
    dialog._refresh_state()
    assert "Annulée par un avoir" in panel.advice.text()
    assert pa_status.alerts(ctx.uow) == []
    page = InvoicesPage(ctx)
    qtbot.addWidget(page)
    assert page.pa_alert.isHidden()
    number = drafts.get_invoice(ctx.uow, broken).number
    assert cells(page, "E-facture")[number][0] == "Rejetée"

    deposited = InvoiceDialog(ctx, good)
    qtbot.addWidget(deposited)
    assert deposited.pa_statuses.advice.isHidden()
    assert deposited.pa_statuses.list.count() == 1


def test_draft_and_invoice_without_status_show_nothing(qtbot, ctx) -> None:
    complete_identity(ctx.uow)
    person = add_entrepreneur(ctx.uow)
    draft = add_draft(ctx.uow, person, add_client(ctx.uow, person))
    dialog = InvoiceDialog(ctx, draft)
    qtbot.addWidget(dialog)
    assert dialog.pa_statuses.isHidden()
    page = InvoicesPage(ctx)
    qtbot.addWidget(page)
    assert page.pa_alert.isHidden()
    assert set(cells(page, "E-facture").values()) == {("", "")}


def test_right_of_access_export_carries_the_statuses_in_french(ctx, issued, tmp_path) -> None:
    from pypdf import PdfReader

    from app.people import personal_data

    _good, broken = issued
    person = drafts.get_invoice(ctx.uow, broken).data.entrepreneur_id
    data = personal_data.export_person(ctx.uow, person)
    assert sorted(r["code"] for r in data["invoice_pa_status"]) == ["200", "200", "213"]
    _json, pdf = personal_data.write_export(ctx.uow, person, tmp_path)
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Statuts de facture électronique" in text and "Motif" in text and "Rejetée" in text
    assert "invoice_pa_status" not in text and "received" not in text
