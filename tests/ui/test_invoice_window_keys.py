"""The invoice window by keyboard and without lost work (issue 14), with real widgets
(offscreen): Escape and « Fermer » ask before dropping typed lines, Ctrl+S and
Ctrl+Entrée save and issue, the focus lands on « Ouvrir le PDF », the entrepreneur
search picks the only person found, the VAT-exemption hint leaves issued invoices, the
« Document enregistré » window sits over the window that asked, and the deposit picker
and the directory line are wired into the form (issue 15)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QTableWidget, QWidget

from app.invoicing import drafts
from app.invoicing.drafts import LineData
from app.invoicing.validation import validate_invoice
from app.models.invoicing import ClientDirectory, Invoice
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity
from tests.ui.clicks import answer_next_question
from ui.dialogs import invoice_dialog
from ui.dialogs.invoice_dialog import InvoiceDialog
from ui.texts import invoicing as texts
from ui.widgets.documents import document_ready

DAY = dt.date(2026, 3, 2)
Button = QMessageBox.StandardButton


@pytest.fixture
def opened(monkeypatch) -> list[tuple[Path, QWidget | None]]:
    shown: list[tuple[Path, QWidget | None]] = []
    monkeypatch.setattr(
        invoice_dialog, "show_pdf", lambda path, parent=None: shown.append((path, parent))
    )
    monkeypatch.setattr(invoice_dialog, "ask", lambda *_a: True)
    return shown


def _clean_at_close(widget: InvoiceDialog) -> None:
    """pytest-qt closes the windows at teardown: no question left open then."""
    widget._mark_clean()


def _set_cell(table: QTableWidget, row: int, column: int, text: str) -> None:
    item = table.item(row, column)
    assert item is not None
    item.setText(text)


def _typed_invoice(qtbot, ctx) -> tuple[InvoiceDialog, str]:
    person = add_entrepreneur(ctx.uow)
    client = add_client(ctx.uow, person)
    dialog = InvoiceDialog(ctx, entrepreneur_id=person)
    qtbot.addWidget(dialog, before_close_func=_clean_at_close)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    dialog.client.setCurrentIndex(dialog.client.findData(client))
    _set_cell(dialog.lines.table, 0, 0, "Retouche de robe")
    _set_cell(dialog.lines.table, 0, 3, "40")
    return dialog, person


def _drafts_of(ctx, person: str) -> list[str]:
    with ctx.uow() as uow:
        return [
            i.id
            for i in uow.session.query(Invoice).filter(
                Invoice.entrepreneur_id == person, Invoice.deleted_at.is_(None)
            )
        ]


def test_untouched_new_invoice_closes_without_a_question(qtbot, ctx) -> None:
    person = add_entrepreneur(ctx.uow)
    dialog = InvoiceDialog(ctx, entrepreneur_id=person)
    qtbot.addWidget(dialog, before_close_func=_clean_at_close)
    dialog.show()
    assert not dialog.has_unsaved_changes()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isHidden()


def test_escape_on_typed_lines_asks_and_continue_keeps_them(qtbot, ctx) -> None:
    dialog, person = _typed_invoice(qtbot, ctx)
    seen = answer_next_question(Button.Cancel)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert seen == [texts.UNSAVED_QUESTION]
    assert dialog.isVisible()  # « Continuer la saisie »
    assert dialog.lines.lines()[0][0].description == "Retouche de robe"
    # « Abandonner les modifications »: closed, nothing saved.
    answer_next_question(Button.Discard)
    dialog.buttons["close"].click()
    assert dialog.isHidden()
    assert _drafts_of(ctx, person) == []


def test_close_on_typed_lines_can_save_the_draft(qtbot, ctx) -> None:
    dialog, person = _typed_invoice(qtbot, ctx)
    answer_next_question(Button.Save)
    dialog.buttons["close"].click()
    assert dialog.isHidden()
    saved = _drafts_of(ctx, person)
    assert len(saved) == 1
    assert drafts.get_invoice(ctx.uow, saved[0]).data.lines[0].description == "Retouche de robe"


def test_the_question_says_its_three_choices_in_french(qtbot, ctx) -> None:
    dialog, _person = _typed_invoice(qtbot, ctx)
    labels: list[str] = []

    def read_and_continue() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, read_and_continue)
            return
        labels.extend(b.text() for b in box.buttons())
        cancel = box.button(Button.Cancel)
        assert cancel is not None
        cancel.click()

    QTimer.singleShot(0, read_and_continue)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert sorted(labels) == sorted(
        [texts.UNSAVED_SAVE, texts.UNSAVED_DISCARD, texts.UNSAVED_CONTINUE]
    )
    assert dialog.isVisible()


def test_ctrl_s_saves_and_ctrl_enter_issues_then_focus_on_the_pdf(qtbot, ctx, opened) -> None:
    complete_identity(ctx.uow)
    dialog, person = _typed_invoice(qtbot, ctx)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    qtbot.keyClick(dialog.notes, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.detail is not None and dialog.detail.is_draft
    assert not dialog.has_unsaved_changes()
    qtbot.keyClick(dialog.notes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    ctx.tasks.settle()  # issuing runs off the GUI thread
    assert dialog.detail is not None and not dialog.detail.is_draft
    assert dialog.focusWidget() is dialog.buttons["pdf"]
    # Issued: nothing left to lose, Escape closes; Ctrl+S does nothing more.
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isHidden()
    assert len(_drafts_of(ctx, person)) == 1


def test_ctrl_keypad_enter_issues_too(qtbot, ctx, opened) -> None:
    complete_identity(ctx.uow)
    dialog, _person = _typed_invoice(qtbot, ctx)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    qtbot.keyClick(
        dialog.notes,
        Qt.Key.Key_Enter,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.KeypadModifier,
    )
    ctx.tasks.settle()
    assert dialog.detail is not None and not dialog.detail.is_draft


def test_search_finding_one_person_selects_them(qtbot, ctx) -> None:
    person = add_entrepreneur(ctx.uow, last_name="Zanetti")
    add_entrepreneur(ctx.uow, last_name="Martin")
    client = add_client(ctx.uow, person)
    dialog = InvoiceDialog(ctx)
    qtbot.addWidget(dialog, before_close_func=_clean_at_close)
    qtbot.keyClicks(dialog.person_search, "zanet")
    assert dialog.entrepreneur.currentData() == person
    assert dialog.client.findData(client) >= 0


def test_exemption_hint_only_on_a_draft_without_vat(qtbot, ctx, opened) -> None:
    complete_identity(ctx.uow)
    person = add_entrepreneur(ctx.uow)
    client = add_client(ctx.uow, person)
    free = add_draft(ctx.uow, person, client, (LineData("Conseil", 10000, 5000, 0),))
    dialog = InvoiceDialog(ctx, free)
    qtbot.addWidget(dialog, before_close_func=_clean_at_close)
    assert dialog.exemption.placeholderText() == "TVA non applicable, art. 293 B du CGI"
    taxed = add_draft(ctx.uow, person, client, (LineData("Conseil", 10000, 5000, 2000),))
    taxed_dialog = InvoiceDialog(ctx, taxed)
    qtbot.addWidget(taxed_dialog, before_close_func=_clean_at_close)
    assert taxed_dialog.exemption.placeholderText() == ""
    # Issued with VAT: its exemption field is empty and must not seem to say otherwise.
    issued = validate_invoice(ctx.uow, ctx.profile.paths.documents, taxed, DAY).invoice_id
    issued_dialog = InvoiceDialog(ctx, issued)
    qtbot.addWidget(issued_dialog, before_close_func=_clean_at_close)
    assert issued_dialog.exemption.text() == ""
    assert issued_dialog.exemption.placeholderText() == ""


def test_document_ready_sits_over_the_window_that_asked(qtbot, tmp_path: Path) -> None:
    asking = QWidget()
    qtbot.addWidget(asking)
    inner = QWidget(asking)
    other = QWidget()
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()  # the person switched away while the PDF was made
    pdf = tmp_path / "feuille.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    ready = document_ready(pdf, inner)
    qtbot.addWidget(ready)
    assert ready.parentWidget() is asking
    alone = document_ready(pdf, None)
    qtbot.addWidget(alone)
    assert alone.parentWidget() is None


def test_invoice_pdf_is_shown_over_the_invoice_window(qtbot, ctx, opened) -> None:
    complete_identity(ctx.uow)
    person = add_entrepreneur(ctx.uow)
    client = add_client(ctx.uow, person)
    issued = validate_invoice(
        ctx.uow, ctx.profile.paths.documents, add_draft(ctx.uow, person, client), DAY
    ).invoice_id
    dialog = InvoiceDialog(ctx, issued)
    qtbot.addWidget(dialog, before_close_func=_clean_at_close)
    dialog.open_pdf()
    ctx.tasks.settle()
    assert opened and opened[0][1] is dialog


def _published(ctx, client_id: str, address: str) -> None:
    """The row the siège publishes and the sync brings (siege/einvoicing/directory.py)."""
    with ctx.uow() as uow:
        uow.session.add(
            ClientDirectory(
                client_id=client_id, siren="552100554", addressing_identifier=address,
                platform="PA", public_entity=False, checked_at=dt.datetime(2026, 11, 20, 9, 0),
            )
        )  # fmt: skip
        uow.commit()


def test_deposit_then_final_invoice_from_the_picker(qtbot, ctx, opened) -> None:
    complete_identity(ctx.uow)
    person = add_entrepreneur(ctx.uow)
    client = add_client(ctx.uow, person)
    _published(ctx, client, "552100554")
    # The deposit invoice, typed and issued in the window.
    deposit = InvoiceDialog(ctx, entrepreneur_id=person)
    qtbot.addWidget(deposit, before_close_func=_clean_at_close)
    deposit.client.setCurrentIndex(deposit.client.findData(client))
    assert deposit.reception.text().startswith("Reçoit les factures électroniques")
    deposit.deposit.role_box.setCurrentIndex(deposit.deposit.role_box.findData("acompte"))
    _set_cell(deposit.lines.table, 0, 0, "Acompte 30 %")
    _set_cell(deposit.lines.table, 0, 3, "300")
    deposit.validate()
    ctx.tasks.settle()
    assert deposit.detail is not None and not deposit.detail.is_draft
    assert deposit.detail.data.role == "acompte"
    # The final invoice: the picker offers it; its lines are added from the button.
    final = InvoiceDialog(ctx, entrepreneur_id=person)
    qtbot.addWidget(final, before_close_func=_clean_at_close)
    final.show()
    final.client.setCurrentIndex(final.client.findData(client))
    _set_cell(final.lines.table, 0, 0, "Travaux")
    _set_cell(final.lines.table, 0, 3, "1000")
    picker = final.deposit
    picker.role_box.setCurrentIndex(picker.role_box.findData("solde"))
    assert picker.deposit_invoice_id() == deposit.detail.id
    picker.add_lines.click()
    typed, errors = final.lines.lines()
    assert not errors and len(typed) == 2
    assert typed[1].description.startswith("Acompte versé — facture d'acompte n°")
    final.validate()
    ctx.tasks.settle()
    assert final.general_error.isHidden(), final.general_error.text()
    assert final.detail is not None and not final.detail.is_draft
    assert final.detail.data.role == "solde"
    assert final.detail.data.deposit_invoice_ids == (deposit.detail.id,)
    assert final.reception.isVisible()


def test_deposit_errors_show_beside_the_picker(qtbot, ctx, opened) -> None:
    complete_identity(ctx.uow)
    person = add_entrepreneur(ctx.uow)
    client = add_client(ctx.uow, person)
    dialog = InvoiceDialog(ctx, entrepreneur_id=person)
    qtbot.addWidget(dialog, before_close_func=_clean_at_close)
    dialog.client.setCurrentIndex(dialog.client.findData(client))
    _set_cell(dialog.lines.table, 0, 0, "Travaux")
    _set_cell(dialog.lines.table, 0, 3, "1000")
    dialog.deposit.role_box.setCurrentIndex(dialog.deposit.role_box.findData("solde"))
    assert not dialog.save_draft()  # a final invoice without a deposit to deduct
    assert dialog.errors.error_text("role") or dialog.errors.error_text("deposit_invoice_id")
