"""The day at the permanence, step by step, driven with the keyboard only
(tests/ui/test_day_at_the_permanence.py runs it on a 1366×768 screen)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from app.demo.generator import generate
from app.models import IntakeInterview, Person
from app.profile import Profile, open_profile
from tests.ui.keyboard_hands import Hands, Key, Mod


def _person_without_intake(profile: Profile) -> tuple[str, str]:
    with profile.uow() as uow:
        seen = select(IntakeInterview.person_id)
        person = uow.session.scalars(
            select(Person)
            .where(Person.id.not_in(seen), Person.anonymised_at.is_(None))
            .order_by(Person.last_name)
            .limit(1)
        ).one()
        return person.id, f"{person.last_name} {person.first_name}"


def walk_the_day(qtbot: Any, folder: Path, screen: tuple[int, int], shots: Path | None) -> None:
    from ui.context import AppContext, ChangeHub
    from ui.launcher import make_application
    from ui.main_window import MainWindow
    from ui.tasks import TaskManager

    make_application([])  # French locale and Qt strings, the focus ring: as the app starts
    generate(folder / "profil", "demo")
    profile = open_profile(folder / "profil")
    ctx = AppContext(profile=profile, tasks=TaskManager(), hub=ChangeHub())
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    hands = Hands(qtbot, screen, shots)
    try:
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.show()
        window.activateWindow()
        hands.window(MainWindow)
        person_id = find_a_person(hands, window, profile)
        run_an_intake(hands, window, person_id)
        take_attendance_and_print_the_sheet(hands, window, profile)
    finally:
        ctx.tasks.wait_idle()
        for top in QApplication.topLevelWidgets():
            top.close()
        ctx.tasks.wait_idle()
        profile.close()


def find_a_person(hands: Hands, window: Any, profile: Profile) -> str:
    from ui.pages.people_area import PeopleArea

    person_id, name = _person_without_intake(profile)
    hands.key(Key.Key_F, Mod.ControlModifier)
    area = window.pages["persons"]
    assert isinstance(area, PeopleArea)
    assert QApplication.focusWidget() is area.search
    hands.write(name)
    hands.until(lambda: area.model.rowCount() == 1)
    hands.shot("personne_trouvee")
    hands.key(Key.Key_Return)
    hands.until(lambda: area.currentWidget() is area.detail_page)
    assert area.detail_page.person_id == person_id
    hands.shot("fiche")
    return person_id


def run_an_intake(hands: Hands, window: Any, person_id: str) -> None:
    from ui.dialogs.intake_dialog import IntakeDialog
    from ui.pages.people_area import PeopleArea
    from ui.texts import accueil

    area = window.pages["persons"]
    assert isinstance(area, PeopleArea)
    detail = area.detail_page
    hands.tab_to(detail.buttons[accueil.INTAKE_ELLIPSIS])
    hands.key(Key.Key_Space)
    dialog = hands.window(IntakeDialog)
    assert isinstance(dialog, IntakeDialog)
    assert hands.focus() is dialog.texts["project_what"]
    hands.write("Ouvrir une épicerie ambulante dans les villages du canton.")
    hands.key(Key.Key_Tab)
    hands.write("Un camion aménagé, deux tournées par semaine.")
    hands.tab_to(dialog.decision)
    hands.write("Admis")
    assert dialog.decision.currentText() == "Admis en convention"
    hands.shot("entretien_accueil")
    hands.key(Key.Key_Return, Mod.ControlModifier)
    hands.until(lambda: dialog.is_final)
    hands.shot("entretien_finalise")
    assert "finalisé" in dialog.state_label.text().lower()
    hands.key(Key.Key_Escape)
    hands.closed(dialog)
    # The record shows the intake and the new situation without being reopened.
    hands.until(lambda: "En convention d'accompagnement" in detail.status_label.text())
    assert detail.interview_model.rowCount() == 1
    assert area.currentWidget() is detail


def _last_workshop(profile: Profile) -> tuple[str, str]:
    """The last atelier already held, with people registered: its sheet is to be done."""
    from app.clock import today
    from app.workshops import workshop_list
    from app.workshops.attendance import local_now

    rows = workshop_list.list_sessions(profile.uow.reading(), offset=0, limit=50, now=local_now())
    row = next(r for r in rows if r.kind == "atelier" and r.registered and r.held_on < today())
    return row.id, row.title


def take_attendance_and_print_the_sheet(hands: Hands, window: Any, profile: Profile) -> None:
    from ui.pages.workshops_page import RATE, WorkshopsPage
    from ui.widgets.documents import DocumentReadyDialog

    activity_id, title = _last_workshop(profile)
    hands.key(Key.Key_3, Mod.ControlModifier)
    page = window.pages["workshops"]
    assert isinstance(page, WorkshopsPage)
    hands.key(Key.Key_F, Mod.ControlModifier)
    assert hands.focus() is page.search
    hands.write(title)

    def listed() -> list[str]:
        rows = [page.model.row_at(i) for i in range(page.model.rowCount())]
        return [r.id for r in rows if r is not None and r.title == title]

    hands.until(lambda: activity_id in listed() and len(listed()) == page.model.rowCount())
    hands.tab_to(page.table)
    hands.key(Key.Key_Home, Mod.ControlModifier)
    row = listed().index(activity_id)
    hands.key(Key.Key_Down, times=row)
    if row == 0:
        hands.key(Key.Key_Space)  # the cursor was already on it: select it
    panel = page.panel
    hands.until(lambda: panel.detail is not None and panel.detail.id == activity_id)
    hands.tab_to(panel.tabs.tabBar())
    hands.key(Key.Key_Right)
    assert panel.tabs.currentWidget() is panel.grid
    grid = panel.grid
    # The sheet typed from the paper one: the first two people back to « attendu » (T),
    # then « Tous présents » for whoever is not marked, then the first one absent (A).
    hands.tab_to(grid.view)
    hands.key(Key.Key_Home, Mod.ControlModifier)
    hands.key(Key.Key_Right)
    hands.write("tt")
    hands.until(lambda: "2 à pointer" in grid.summary.text())
    hands.tab_to(grid.all_present_button, back=True)
    hands.key(Key.Key_Space)
    hands.until(lambda: "0 à pointer" in grid.summary.text())
    hands.tab_to(grid.view)
    hands.key(Key.Key_Home, Mod.ControlModifier)
    hands.key(Key.Key_Right)
    absences = grid.summary.text().split(", ")[1]
    hands.write("a")
    hands.until(lambda: grid.summary.text().split(", ")[1] != absences)
    # The list's rate follows the sheet (nothing stale): as the panel's header says.
    shown = page.model.row_at(page.table.currentIndex().row())
    hands.until(lambda: page.model.row_at(page.table.currentIndex().row()) != shown)
    rate = page.model.data(page.model.index(page.table.currentIndex().row(), RATE))
    assert f"Taux de présence : {rate}" in panel.header.text()
    hands.shot("emargement")
    hands.tab_to(panel.print_button, back=True)
    hands.key(Key.Key_Space)
    menu = hands.popup()
    hands.choose(menu, panel.filled_action)
    ready = hands.window(DocumentReadyDialog)
    assert isinstance(ready, DocumentReadyDialog)
    assert ready.path.exists() and ready.path.suffix == ".pdf"
    hands.shot("feuille_enregistree")
    hands.key(Key.Key_Escape)
    hands.closed(ready)
