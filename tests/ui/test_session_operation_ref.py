"""The FSE+ operation number beside its funder in the session dialog: enabled with the
funder, saved, shown again, refused in French when malformed (issue 16, item 3)."""

from __future__ import annotations

from app.workshops import workshops
from tests.workshops_support import FSE, LANGRES
from ui.dialogs.workshop_session_dialog import WorkshopSessionDialog


def test_the_operation_number_is_typed_beside_the_fse_funder(qtbot, ctx) -> None:
    ctx.profile.save_settings(ctx.profile.settings.with_changes(permanence_id=LANGRES))
    dialog = WorkshopSessionDialog(ctx)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.title_edit, "Gestion : fixer ses prix")
    reference = dialog.funder_refs[FSE]
    assert not reference.isEnabled()
    dialog.funder_boxes[FSE].setChecked(True)
    assert reference.isEnabled()
    qtbot.keyClicks(reference, "n°<2023>")
    dialog.save()
    ctx.tasks.settle()  # written off the GUI thread
    assert "Numéro d'opération invalide" in dialog.errors.error_text("funders")
    reference.setText("202300123")
    dialog.save()
    ctx.tasks.settle()  # written off the GUI thread
    assert dialog.saved_id is not None
    detail = workshops.get_session(ctx.uow, dialog.saved_id)
    assert [(f.id, f.operation_ref) for f in detail.funders] == [(FSE, "202300123")]
    again = WorkshopSessionDialog(ctx, detail)
    qtbot.addWidget(again)
    assert again.funder_refs[FSE].text() == "202300123" and again.funder_refs[FSE].isEnabled()
