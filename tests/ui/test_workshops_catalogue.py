"""Editing the catalogue of themes and the funders' statements and emblems."""

from __future__ import annotations

import io

from PIL import Image as PilImage
from PySide6.QtCore import Qt

from app.workshops import workshop_catalogue
from tests.workshops_support import FSE
from ui.dialogs.workshop_catalogue_dialog import WorkshopCatalogueDialog


def test_new_theme_is_added_to_the_catalogue(qtbot, ctx) -> None:
    dialog = WorkshopCatalogueDialog(ctx)
    qtbot.addWidget(dialog)
    tab = dialog.themes
    qtbot.keyClicks(tab.name, "Communication visuelle")
    tab.duration.setValue(420)
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert not tab.save_button.isEnabled()  # saving off the GUI thread: no second click
    qtbot.waitUntil(lambda: tab.list.currentItem() is not None, timeout=30000)
    assert tab.save_button.isEnabled()
    themes = {t.name: t for t in workshop_catalogue.list_themes(ctx.uow)}
    assert themes["Communication visuelle"].default_duration_minutes == 420
    assert tab.list.currentItem().text() == "Communication visuelle"


def test_duplicate_theme_name_is_refused_under_the_field(qtbot, ctx) -> None:
    dialog = WorkshopCatalogueDialog(ctx)
    qtbot.addWidget(dialog)
    tab = dialog.themes
    qtbot.keyClicks(tab.name, "Gestion")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(tab.errors.error_text("name")), timeout=30000)
    assert tab.errors.error_text("name") == "Un thème porte déjà ce nom."
    assert len(workshop_catalogue.list_themes(ctx.uow)) == 6


def test_funder_statement_and_emblem_are_saved(qtbot, ctx) -> None:
    dialog = WorkshopCatalogueDialog(ctx)
    qtbot.addWidget(dialog)
    tab = dialog.funders
    row = next(
        i for i in range(tab.list.count()) if tab.list.item(i).data(Qt.ItemDataRole.UserRole) == FSE
    )
    tab.list.setCurrentRow(row)
    tab.statement.setPlainText("Projet cofinancé par le Fonds social européen plus (FSE+).")
    buffer = io.BytesIO()
    PilImage.new("RGB", (30, 20), (0, 51, 153)).save(buffer, format="PNG")
    tab.set_emblem(buffer.getvalue())
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(tab.message.text()), timeout=30000)
    funder = next(f for f in workshop_catalogue.list_funders(ctx.uow) if f.id == FSE)
    assert funder.statement == "Projet cofinancé par le Fonds social européen plus (FSE+)."
    assert funder.emblem_png == buffer.getvalue()
    assert tab.message.text() == "Financeur enregistré."
