"""The NDA field of the CAE identity dialog: refused in French when it is not 11 digits,
kept as its digits otherwise (issue 16, item 3)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit

from app.invoicing.cae_identity import get_cae_identity
from tests.invoicing_fixtures import complete_identity
from ui.dialogs.cae_identity_dialog import CaeIdentityDialog


def test_the_nda_is_checked_in_the_dialog_and_saved_as_digits(qtbot, ctx) -> None:
    complete_identity(ctx.uow)
    dialog = CaeIdentityDialog(ctx)
    qtbot.addWidget(dialog)
    edit = dialog.findChild(QLineEdit, "cae_nda")
    assert edit is not None and edit.toolTip()
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    edit.setText("44 51 0123")
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.errors.error_text("nda")), timeout=30000)
    assert dialog.errors.error_text("nda") == (
        "Numéro de déclaration d'activité invalide (11 chiffres)."
    )
    assert get_cae_identity(ctx.uow).nda == ""
    edit.setText("44 51 01234 51")
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result() == dialog.DialogCode.Accepted, timeout=30000)
    assert get_cae_identity(ctx.uow).nda == "44510123451"
