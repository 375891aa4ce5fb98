"""The directory line and the deposit picker with real widgets (offscreen; issue 15,
items 1 and 5): the client dialog says, from the synced ``client_directory`` row and
without any network, whether the client receives e-invoices; it saves the billing
address and the public-entity flag; the deposit picker offers the client's deposit
invoices not deducted yet and asks for the deduction lines of the one chosen."""

from __future__ import annotations

import datetime as dt

from app.invoicing.clients import get_client
from app.invoicing.deposits import deposit_choices
from app.invoicing.drafts import LineData, deduction_lines
from app.invoicing.validation import validate_invoice
from app.models.invoicing import ClientDirectory
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity
from ui.dialogs.client_dialog import ClientDialog
from ui.widgets.invoice_deposit import DepositPicker

DAY = dt.date(2026, 3, 2)


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


def test_client_dialog_says_whether_the_client_receives_e_invoices(qtbot, ctx) -> None:
    person = add_entrepreneur(ctx.uow)
    listed = add_client(ctx.uow, person)
    _published(ctx, listed, "552100554")
    dialog = ClientDialog(ctx, person, get_client(ctx.uow, listed))
    qtbot.addWidget(dialog)
    assert dialog.directory.text() == (
        "Reçoit les factures électroniques (annuaire : 552100554, vérifié le 20/11/2026)."
    )
    unlisted = add_client(ctx.uow, person, name="Association Lire")
    _published(ctx, unlisted, "")
    dialog = ClientDialog(ctx, person, get_client(ctx.uow, unlisted))
    qtbot.addWidget(dialog)
    assert dialog.directory.text().startswith("Absent de l'annuaire")
    private = add_client(ctx.uow, person, business=False)
    dialog = ClientDialog(ctx, person, get_client(ctx.uow, private))
    qtbot.addWidget(dialog)
    assert dialog.directory.text().startswith("Particulier ou client à l'étranger")
    fresh = ClientDialog(ctx, person)
    qtbot.addWidget(fresh)
    assert fresh.directory.text().startswith("Annuaire pas encore consulté")


def test_billing_address_and_public_entity_are_saved(qtbot, ctx) -> None:
    person = add_entrepreneur(ctx.uow)
    client = get_client(ctx.uow, add_client(ctx.uow, person))
    dialog = ClientDialog(ctx, person, client)
    qtbot.addWidget(dialog)
    dialog.edits["billing_address"].setText("12 rue des Comptes")
    dialog.save()
    ctx.tasks.settle()  # the save runs off the GUI thread
    assert dialog.saved is None  # the billing address is whole or absent
    assert dialog.rows["billing_postcode"].error_label.text()
    dialog.edits["billing_postcode"].setText("51100")
    dialog.edits["billing_city"].setText("Reims")
    dialog.public_entity.setChecked(True)
    dialog.save()
    ctx.tasks.settle()  # the save runs off the GUI thread
    assert dialog.saved is not None
    saved = dialog.saved.data
    assert (saved.billing_address, saved.billing_postcode, saved.billing_city) == (
        "12 rue des Comptes", "51100", "Reims"
    )  # fmt: skip
    assert saved.public_entity
    # The flag is a business's: hidden and dropped for a private person.
    dialog = ClientDialog(ctx, person, dialog.saved)
    qtbot.addWidget(dialog)
    assert dialog.public_entity.isChecked()
    dialog.kind.setCurrentIndex(dialog.kind.findData("particulier"))
    assert not dialog.public_entity.isVisibleTo(dialog)


def test_deposit_picker_offers_the_deposits_not_deducted_yet(qtbot, ctx) -> None:
    complete_identity(ctx.uow)
    person = add_entrepreneur(ctx.uow)
    client = add_client(ctx.uow, person)
    deposit = validate_invoice(
        ctx.uow, ctx.profile.paths.documents,
        add_draft(ctx.uow, person, client, (LineData("Acompte 30 %", 10000, 30000, 2000),), role="acompte"),
        DAY,
    )  # fmt: skip
    picker = DepositPicker()
    qtbot.addWidget(picker)
    picker.show()
    picker.set_choices(deposit_choices(ctx.uow, client))
    assert not picker.deposit_box.isVisible()  # a plain invoice deducts nothing
    assert picker.deposit_invoice_id() is None
    picker.set_value("solde", None)
    assert picker.deposit_box.isVisible() and picker.add_lines.isEnabled()
    shown = picker.deposit_box.currentText().replace("\xa0", " ").replace("\u202f", " ")
    assert shown == f"n° {deposit.number} du 02/03/2026 — 360,00 € TTC"
    asked: list[str] = []
    picker.deduction_requested.connect(asked.append)
    picker.add_lines.click()
    assert asked == [deposit.invoice_id]
    assert (picker.role(), picker.deposit_invoice_id()) == ("solde", deposit.invoice_id)
    # Once a final invoice deducts it, it is no longer offered.
    lines = (
        LineData("Travaux", 10000, 100000, 2000),
        *deduction_lines(ctx.uow, deposit.invoice_id),
    )
    validate_invoice(
        ctx.uow, ctx.profile.paths.documents,
        add_draft(ctx.uow, person, client, lines, role="solde", deposit_invoice_id=deposit.invoice_id),
        DAY,
    )  # fmt: skip
    picker.set_choices(deposit_choices(ctx.uow, client))
    assert picker.deposit_invoice_id() is None and not picker.add_lines.isEnabled()


def test_text_the_invoice_cannot_print_is_refused_under_its_field(qtbot, ctx) -> None:
    person = add_entrepreneur(ctx.uow)
    dialog = ClientDialog(ctx, person)
    qtbot.addWidget(dialog)
    dialog.edits["name"].setText("Librairie 書店")
    dialog.edits["address"].setText("3 place Ducale")
    dialog.edits["postcode"].setText("08000")
    dialog.edits["city"].setText("Charleville-Mézières")
    dialog.edits["siren"].setText("552100554")
    dialog.save()
    ctx.tasks.settle()  # the save runs off the GUI thread
    assert dialog.saved is None
    assert "« 書 », « 店 »" in dialog.rows["name"].error_label.text()
    dialog.edits["name"].setText("Librairie Shoten")
    dialog.save()
    ctx.tasks.settle()  # the save runs off the GUI thread
    assert dialog.saved is not None
