"""Nothing stale (issue 14, item 5): one typed change notice per user action, and every
open view that shows what changed refreshes — the three stale screens of the review."""

from __future__ import annotations

import pytest

from app import formatting
from app.changes import Changes
from app.invoicing import payments, validation
from app.invoicing.validation import validate_invoice
from app.workshops import registrations, workshop_list
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity
from tests.workshops_support import DAY, DURING, add_persons, new_session
from ui.dialogs import invoice_dialog
from ui.dialogs.cae_identity_dialog import CaeIdentityDialog
from ui.dialogs.invoice_dialog import InvoiceDialog
from ui.dialogs.payment_dialog import PaymentDialog
from ui.pages.workshops_page import WorkshopsPage


@pytest.fixture
def answered_yes(monkeypatch) -> None:
    monkeypatch.setattr(invoice_dialog, "show_pdf", lambda _path, _parent=None: None)
    monkeypatch.setattr(invoice_dialog, "ask", lambda *_a: True)


def _notices(ctx) -> list[Changes]:
    seen: list[Changes] = []
    ctx.hub.changed.connect(seen.append)
    return seen


def _plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


def test_changes_combine_and_say_what_a_view_shows() -> None:
    shown = Changes(invoices=True, payments=True)
    assert not Changes()
    assert Changes(payments=True).touches(shown)
    assert not Changes(persons=True).touches(shown)
    both = Changes(invoices=True) | Changes(persons=True)
    assert both.names() == {"invoices", "persons"}
    assert not Changes(agenda=True).without(Changes(agenda=True, persons=True))
    assert Changes.everything(remote=True).touches(Changes(cae_identity=True))


def test_session_header_rate_follows_the_grid_like_the_list(qtbot, ctx) -> None:
    activity_id = new_session(ctx.uow)
    for person_id in add_persons(ctx.uow, 2):
        registrations.register_person(ctx.uow, activity_id, person_id)
    page = WorkshopsPage(ctx)
    qtbot.addWidget(page)
    page.panel.clock = lambda: DURING
    page.show()
    page.open_item("activity", activity_id)
    panel = page.panel
    panel.tabs.setCurrentWidget(panel.grid)
    panel.grid.view.setFocus()
    assert "Taux de présence : 50" not in _plain(panel.header.text())
    qtbot.keyClick(panel.grid.view, "p")  # both participants present at the first half-day
    qtbot.keyClick(panel.grid.view, "p")
    ctx.tasks.settle()  # marks are written off the GUI thread (ui/operations.py)
    rate = workshop_list.attendance_rate(ctx.uow, activity_id, now=DURING)
    assert rate == 5000
    expected = _plain(f"Taux de présence : {formatting.percent_bp(rate)}")
    # The header said 0 % while the list said 50 % (issue 14): both follow the notice now.
    assert expected in _plain(panel.header.text())

    def list_shows_it() -> None:
        row = page.model.row_at(0)
        assert row is not None and row.rate_bp == 5000

    qtbot.waitUntil(list_shows_it, timeout=30000)
    # The grid kept the cursor where the typing goes on (it was not reloaded under it).
    assert panel.grid.view.currentIndex().row() == 1


def _issued(ctx) -> str:
    complete_identity(ctx.uow)
    person = add_entrepreneur(ctx.uow)
    draft = add_draft(ctx.uow, person, add_client(ctx.uow, person))
    return validate_invoice(ctx.uow, ctx.profile.paths.documents, draft, DAY).invoice_id


def test_open_invoice_shows_the_new_balance_after_a_credit_note_made_elsewhere(
    qtbot, ctx, answered_yes
) -> None:
    invoice = _issued(ctx)
    shown = InvoiceDialog(ctx, invoice)
    qtbot.addWidget(shown)
    before = payments.get_balance(ctx.uow, invoice).due_cents
    assert f"reste dû : {_plain(formatting.money(before))}" in _plain(shown.status_label.text())
    # « Avoir partiel… » from another window: the credit note is edited and issued in its own.
    credit = InvoiceDialog(ctx, validation.credit_note_draft(ctx.uow, invoice))
    qtbot.addWidget(credit)
    credit.validate()
    ctx.tasks.settle()  # issuing runs off the GUI thread (ui/operations.py)
    after = payments.get_balance(ctx.uow, invoice).due_cents
    assert after != before
    assert f"reste dû : {_plain(formatting.money(after))}" in _plain(shown.status_label.text())


def test_open_invoice_lists_a_payment_recorded_elsewhere(qtbot, ctx) -> None:
    invoice = _issued(ctx)
    shown = InvoiceDialog(ctx, invoice)
    qtbot.addWidget(shown)
    assert shown.payments.list.count() == 0
    payment = PaymentDialog(ctx, invoice, "LOC-2026-00001")
    qtbot.addWidget(payment)
    payment.amount.setText("50")
    payment.save()
    ctx.tasks.settle()  # the payment is recorded off the GUI thread
    assert shown.payments.list.count() == 1
    due = payments.get_balance(ctx.uow, invoice).due_cents
    assert f"reste dû : {_plain(formatting.money(due))}" in _plain(shown.status_label.text())


def test_validation_sends_one_notice_for_the_whole_action(qtbot, ctx, answered_yes) -> None:
    complete_identity(ctx.uow)
    person = add_entrepreneur(ctx.uow)
    dialog = InvoiceDialog(ctx, add_draft(ctx.uow, person, add_client(ctx.uow, person)))
    qtbot.addWidget(dialog)
    seen = _notices(ctx)
    dialog.validate()  # the first invoice also moves the person to « entrepreneur salarié »
    ctx.tasks.settle()  # issuing runs off the GUI thread (ui/operations.py)
    # Saving the draft, issuing it and the new stage: one notice (it was three).
    assert [c.names() for c in seen] == [{"invoices", "payments", "persons", "parcours"}]


def test_a_field_error_goes_as_soon_as_the_field_is_corrected(qtbot, ctx) -> None:
    invoice = _issued(ctx)
    dialog = PaymentDialog(ctx, invoice, "LOC-2026-00001")
    qtbot.addWidget(dialog)
    dialog.amount.setText("10 000,00")
    dialog.save()
    ctx.tasks.settle()  # the save runs off the GUI thread
    assert "Paiement supérieur au reste dû" in dialog.errors.error_text("amount")
    dialog.amount.clear()
    qtbot.keyClicks(dialog.amount, "50")
    assert dialog.errors.error_text("amount") == ""  # before saving again


def test_identity_error_goes_when_the_siren_is_retyped(qtbot, ctx) -> None:
    dialog = CaeIdentityDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.edits["siren"].setText("123456789")
    dialog.save()
    ctx.tasks.settle()  # the save runs off the GUI thread
    assert dialog.errors.error_text("siren") == "Numéro SIREN invalide."
    qtbot.keyClicks(dialog.edits["siren"], "0")
    assert dialog.errors.error_text("siren") == ""


def test_open_person_record_shows_hours_marked_on_the_ateliers_page(qtbot, ctx) -> None:
    from ui.main_window import page_specs, register_person_tabs
    from ui.pages.person_detail_page import PersonDetailPage
    from ui.pages.workshop_person_tab import PersonWorkshopsTab

    (person_id,) = add_persons(ctx.uow, 1)
    activity_id = new_session(ctx.uow)
    registrations.register_person(ctx.uow, activity_id, person_id)
    register_person_tabs(page_specs())  # as the main window does at start-up
    record = PersonDetailPage(ctx)
    qtbot.addWidget(record)
    record.show_person(person_id)
    record.show()
    titles = [record.tabs.tabText(i) for i in range(record.tabs.count())]
    tab = record.tabs.widget(titles.index("Ateliers"))
    assert isinstance(tab, PersonWorkshopsTab)
    assert "3 h 30" not in tab.total.text()
    page = WorkshopsPage(ctx)  # the Ateliers page, open beside the record
    qtbot.addWidget(page)
    page.panel.clock = lambda: DURING
    page.open_item("activity", activity_id)
    page.panel.grid.view.setFocus()
    qtbot.keyClick(page.panel.grid.view, "p")  # present at the morning half-day
    ctx.tasks.settle()  # marks are written off the GUI thread (ui/operations.py)
    assert tab.total.text() == "Total des heures de présence : 3 h 30"
