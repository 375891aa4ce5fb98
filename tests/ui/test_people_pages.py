"""Personnes and Entretiens pages in the real main window: receive a new person, record
the intake, admit, print; agenda of the day; alerts; the tab hook for other areas."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from app.changes import Changes
from app.clock import today
from app.people import agenda, parcours
from app.people.agenda import AppointmentInput
from app.people.parcours import StageInput
from app.people.persons import PersonInput, create_person
from app.reference import reference
from tests.ui.clicks import double_click_row
from tests.ui.typed import page_of
from ui.dialogs import people_widgets
from ui.dialogs.intake_dialog import IntakeDialog
from ui.dialogs.person_dialog import PersonDialog
from ui.main_window import MainWindow
from ui.pages import person_tabs
from ui.pages.people_area import PeopleArea


@pytest.fixture
def window(qtbot, ctx):
    staff = reference.add_accompagnateur(ctx.uow, "Claire", "Testeuse")
    langres = next(p for p in reference.list_permanences(ctx.uow) if p.town == "Langres")
    ctx.profile.save_settings(
        ctx.profile.settings.with_changes(accompagnateur_id=staff.id, permanence_id=langres.id)
    )
    main = MainWindow(ctx)
    qtbot.addWidget(main)
    main.show()
    return main


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_receive_a_new_person_record_intake_admit_and_print(qtbot, ctx, window, monkeypatch):
    printed: list[Path] = []
    monkeypatch.setattr(people_widgets, "open_file", lambda path, _parent: printed.append(path))
    area = window.pages["persons"]
    click(qtbot, area.list_page.new_button)
    dialog = area.active_dialog
    assert isinstance(dialog, PersonDialog)
    dialog.first_name.setText("Hélène")
    dialog.last_name.setText("Dupré")
    qtbot.keyClicks(dialog.phone, "0612345678")
    dialog.save()
    qtbot.waitUntil(lambda: area.currentWidget() is area.detail_page, timeout=30000)
    detail = area.detail_page
    assert detail.name_label.text() == "Hélène DUPRÉ"
    assert detail.status_label.text() == "Situation : Premier contact"

    click(qtbot, detail.buttons["Entretien d'accueil…"])
    intake = detail.active_dialog
    assert isinstance(intake, IntakeDialog)
    assert intake.accompagnateur.currentText() == "Claire Testeuse"
    assert intake.permanence.currentText().startswith("Langres")
    qtbot.keyClicks(intake.texts["project_what"], "Couture sur mesure")
    intake.decision.setCurrentIndex(intake.decision.findData("admis"))
    intake.activateWindow()
    qtbot.waitUntil(intake.isActiveWindow, timeout=30000)
    qtbot.keyClick(
        intake.texts["project_what"], Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
    )
    qtbot.waitUntil(lambda: intake.is_final, timeout=30000)
    click(qtbot, intake.print_button)
    qtbot.waitUntil(lambda: bool(printed), timeout=30000)
    assert printed[0].exists()
    intake.close()
    qtbot.waitUntil(lambda: not intake.isVisible(), timeout=30000)
    assert detail.status_label.text().startswith(
        "Situation : En convention d'accompagnement (CAPE)"
    )
    events = [
        detail.timeline_model.index(r, 1).data() for r in range(detail.timeline_model.rowCount())
    ]
    assert (
        "Entretien d'accueil" in events and "Début : Convention d'accompagnement (CAPE)" in events
    )
    assert "Fiche créée par Claire Testeuse" in detail.stamp_label.text()
    click(qtbot, detail.back_button)
    assert area.currentWidget() is area.list_page
    assert area.model.rowCount() == 1


def test_open_requested_shows_the_person_record(qtbot, ctx, window):
    pid = create_person(ctx.uow, PersonInput(first_name="Zoé", last_name="Perrin")).id
    window.show_page("interviews")
    ctx.hub.open_requested.emit("person", pid)
    area = window.pages["persons"]
    assert window.stack.currentWidget() is area
    assert area.currentWidget() is area.detail_page
    assert area.detail_page.name_label.text() == "Zoé PERRIN"


def test_agenda_of_the_day_starts_the_expected_intake_in_one_click(qtbot, ctx, window):
    pid = create_person(ctx.uow, PersonInput(first_name="Yann", last_name="Morel")).id
    later = dt.datetime.combine(today(), dt.time(23, 59))
    agenda.schedule_appointment(
        ctx.uow,
        AppointmentInput(pid, later, "accueil", ctx.profile.settings.permanence_id),
    )
    page = window.show_page("interviews")
    ctx.hub.notify(Changes(agenda=True))
    assert page.agenda_table.rowCount() == 1
    assert page.agenda_table.item(0, 1).text() == "MOREL Yann"
    button = page.agenda_table.cellWidget(0, 4)
    assert isinstance(button, QPushButton) and button.text() == "Commencer l'entretien"
    click(qtbot, button)
    dialog = page.active_dialog
    assert isinstance(dialog, IntakeDialog) and dialog.person.id == pid
    qtbot.keyClicks(dialog.texts["project_what"], "Traiteur")
    dialog.close()  # the draft is saved on closing, then the agenda says so
    qtbot.waitUntil(
        lambda: page.agenda_table.cellWidget(0, 4).text() == "Reprendre le brouillon",
        timeout=30000,
    )


def test_alerts_list_opens_the_person(qtbot, ctx, window):
    pid = create_person(ctx.uow, PersonInput(first_name="Anne", last_name="Fin")).id
    start = today() - dt.timedelta(days=350)
    parcours.add_stage(ctx.uow, StageInput(pid, "cape", start, start + dt.timedelta(days=364)))
    page = window.show_page("interviews")
    ctx.hub.notify(Changes(parcours=True))
    qtbot.waitUntil(lambda: not page.loading and page.alert_model.rowCount() == 1, timeout=30000)
    assert "convention d'accompagnement se termine" in page.alert_model.index(0, 2).data()
    double_click_row(qtbot, page.alert_view, 0)
    assert window.pages["persons"].detail_page.name_label.text() == "Anne FIN"
    assert "se termine" in window.pages["persons"].detail_page.alerts_label.text()


def test_other_areas_can_add_a_tab_to_the_person_record(qtbot, ctx, monkeypatch):
    shown = []

    class WorkshopsTab(QLabel):
        def show_person(self, person_id: str) -> None:
            shown.append(person_id)

    monkeypatch.setattr(person_tabs, "_EXTRA_TABS", [])
    person_tabs.register_person_tab("Ateliers", lambda c, parent: WorkshopsTab(parent))
    main = MainWindow(ctx)
    qtbot.addWidget(main)
    pid = create_person(ctx.uow, PersonInput(first_name="Bob", last_name="Tab")).id
    ctx.hub.open_requested.emit("person", pid)
    detail = page_of(main, "persons", PeopleArea).detail_page
    titles = [detail.tabs.tabText(i) for i in range(detail.tabs.count())]
    tab = detail.tabs.widget(titles.index("Ateliers"))
    assert isinstance(tab, WorkshopsTab) and shown == [pid]


def test_option_lists_page_adds_and_deactivates_a_choice_seen_in_the_person_form(qtbot, ctx):
    from ui.pages.options_page import OptionsPage

    page = OptionsPage(ctx)
    qtbot.addWidget(page)
    page.kind.setCurrentIndex(page.kind.findData("prescriber"))
    page.add("Chambre de métiers")
    assert not page.items.isEnabled()  # greyed while it is written off the GUI thread
    qtbot.waitUntil(lambda: page.items.currentItem() is not None, timeout=30000)
    assert page.items.currentItem().text() == "Chambre de métiers"
    form = PersonDialog(ctx)
    qtbot.addWidget(form)
    assert form.prescriber.findText("Chambre de métiers") >= 0
    page.toggle()
    qtbot.waitUntil(
        lambda: page.items.currentItem().text() == "Chambre de métiers (désactivé)", timeout=30000
    )
    form = PersonDialog(ctx)
    qtbot.addWidget(form)
    assert form.prescriber.findText("Chambre de métiers") < 0


def test_export_and_anonymise_from_the_person_record(qtbot, ctx, window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    pid = create_person(
        ctx.uow, PersonInput(first_name="Inès", last_name="Garnier", email="ines@example.fr")
    ).id
    ctx.hub.open_requested.emit("person", pid)
    detail = window.pages["persons"].detail_page
    detail.export_data()
    qtbot.waitUntil(lambda: hasattr(detail, "last_export"), timeout=10000)
    json_path, pdf_path = detail.last_export
    assert "ines@example.fr" in json_path.read_text(encoding="utf-8") and pdf_path.exists()
    monkeypatch.setattr(detail, "_confirm", lambda _text: True)
    detail.anonymise()  # off the GUI thread (ui/operations.py): shown once it is done
    qtbot.waitUntil(lambda: detail.name_label.text() == "ANONYME", timeout=10000)
    assert not detail.buttons["Modifier…"].isEnabled()


def test_record_and_option_actions_are_greyed_out_until_they_can_work(qtbot, ctx, window):
    from ui.pages.options_page import OptionsPage

    person = create_person(ctx.uow, PersonInput(first_name="Inès", last_name="Marchal"))
    window.open_item("person", person.id)
    detail = window.pages["persons"].detail_page
    # No stage yet, nothing selected: renewing, deleting, printing, cancelling cannot work.
    assert not detail.renew_button.isEnabled()
    assert not detail.delete_stage_button.isEnabled()
    assert not detail.print_interview_button.isEnabled()
    assert not detail.cancel_appointment_button.isEnabled()
    parcours.add_stage(
        ctx.uow,
        StageInput(
            person_id=person.id,
            kind="cape",
            start_date=today(),
            end_date=today() + dt.timedelta(days=364),
        ),
    )
    ctx.hub.notify(Changes(parcours=True))
    detail.refresh()
    assert detail.renew_button.isEnabled()
    row = next(
        r
        for r in range(detail.timeline_model.rowCount())
        if detail.timeline_model.row_at(r).ref_kind == "stage"
    )
    detail.timeline.setCurrentIndex(detail.timeline_model.index(row, 0))
    assert detail.delete_stage_button.isEnabled()

    page = OptionsPage(ctx)
    qtbot.addWidget(page)
    assert page.items.count() > 0 and page.items.currentItem() is None
    assert not any(b.isEnabled() for b in page.selection_buttons)
    page.items.setCurrentRow(0)
    assert all(b.isEnabled() for b in page.selection_buttons)


def test_empty_attention_and_retention_lists_say_so(qtbot, ctx, window):
    page = window.show_page("interviews")
    page.refresh()
    qtbot.waitUntil(lambda: not page.loading, timeout=30000)
    assert page.alert_model.rowCount() == 0 and page.no_alert_label.isVisibleTo(page)
    assert page.retention_model.rowCount() == 0
    assert page.no_retention_label.isVisibleTo(page.no_retention_label.parentWidget())
    assert not page.anonymise_button.isEnabled()
