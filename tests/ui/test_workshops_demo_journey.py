"""The journey the issue asks for, on the demo profile: create a workshop at the Langres
permanence, register people, print the blank sheet, mark attendance, print attestations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt

from app.clock import today
from app.demo.generator import generate
from app.people import person_directory
from app.profile import Profile, open_profile
from app.text import fold
from app.workshops import workshops
from ui.context import AppContext, ChangeHub
from ui.dialogs.workshop_session_dialog import WorkshopSessionDialog
from ui.main_window import MainWindow
from ui.pages.workshops_page import WorkshopsPage
from ui.tasks import TaskManager


@pytest.fixture
def demo_ctx(qapp, tmp_path: Path) -> Iterator[AppContext]:
    generate(tmp_path / "demo", size="demo", seed=1)
    profile: Profile = open_profile(tmp_path / "demo")
    context = AppContext(profile=profile, tasks=TaskManager(), hub=ChangeHub())
    yield context
    context.tasks.wait_idle()
    profile.close()


def _text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(path).pages)


@pytest.mark.slow  # generates the demo profile (~4 s) then drives the whole page
def test_demo_workshop_at_langres_from_creation_to_attestations(qtbot, demo_ctx) -> None:
    ctx = demo_ctx
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    page = window.show_page("workshops")
    assert isinstance(page, WorkshopsPage)
    evening = dt.datetime.combine(today(), dt.time(18, 0))
    page.panel.clock = lambda: evening
    opened: list[Path] = []
    page.panel.open_file = opened.append

    # 1. Create the workshop: the permanence of the day (Langres) is the default place.
    dialog = WorkshopSessionDialog(ctx, parent=page)
    qtbot.addWidget(dialog)
    assert dialog.permanence.currentText().startswith("Langres")
    qtbot.keyClicks(dialog.title_edit, "Gestion : fixer ses prix")
    dialog.save()
    ctx.tasks.settle()  # written off the GUI thread
    assert dialog.saved_id is not None
    page.open_item("activity", dialog.saved_id)
    window.show()

    # 2. Register three people by typing their names.
    people = person_directory.search_persons(ctx.uow, "", limit=3)
    for person in people:
        qtbot.keyClicks(page.panel.registrations.search, fold(person.last_name)[:5] + " ")
        qtbot.keyClicks(page.panel.registrations.search, fold(person.first_name))
        qtbot.keyClick(page.panel.registrations.search, Qt.Key.Key_Return)
        ctx.tasks.settle()  # registered off the GUI thread
    detail = workshops.get_session(ctx.uow, dialog.saved_id)
    assert {p.person_id for p in detail.participants} == {p.id for p in people}

    # 3. Print the blank sheet.
    page.panel.blank_action.trigger()  # "Imprimer ▾" menu entry
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=10000)
    sheet = _text(opened[0])
    assert "Langres" in sheet and "Gestion : fixer ses prix" in sheet
    assert all(p.full_name in sheet for p in detail.participants)

    # 4. Mark attendance: all present, then the second person absent in the afternoon.
    page.panel.tabs.setCurrentWidget(page.panel.grid)
    qtbot.mouseClick(page.panel.grid.all_present_button, Qt.MouseButton.LeftButton)
    view = page.panel.grid.view
    view.setFocus()
    view.setCurrentIndex(page.panel.grid.model.index(1, 2))
    qtbot.keyClick(view, "a")

    # 5. Attestations for everyone who attended.
    page.panel.attestations_action.trigger()  # "Imprimer ▾" menu entry
    qtbot.waitUntil(lambda: len(opened) == 2, timeout=20000)
    assert len(page.panel.last_paths) == 3
    texts = sorted(_text(path) for path in page.panel.last_paths)
    assert sum("3 h 30 sur 7 h" in t for t in texts) == 1
    assert sum("7 h sur 7 h" in t for t in texts) == 2
