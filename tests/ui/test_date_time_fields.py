"""Dates and times typed the way people type them: understood, never changed behind their
back, refused next to the field with the reason when they cannot be right."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from app.people.person_directory import count_persons
from app.people.persons import PersonInput, create_person
from app.reference import reference
from app.workshops import workshop_list
from ui.dialogs.person_dialog import PersonDialog
from ui.dialogs.stage_dialog import StageDialog
from ui.dialogs.workshop_session_dialog import WorkshopSessionDialog
from ui.widgets.date_time_fields import InputProblem, parse_date, parse_time


@pytest.mark.parametrize(
    "typed",
    ["12031985", "12/03/1985", "12/3/85", "120385", "12-3-1985", "12.03.1985", " 12/3/1985 "],
)
def test_a_date_is_understood_however_it_is_typed(typed: str) -> None:
    assert parse_date(typed) == dt.date(1985, 3, 12)


@pytest.mark.parametrize(
    ("typed", "time"),
    [("9", (9, 0)), ("9h", (9, 0)), ("9h30", (9, 30)), ("9 h 30", (9, 30)), ("09:30", (9, 30)),
     ("930", (9, 30)), ("0930", (9, 30)), ("17.45", (17, 45))],
)  # fmt: skip
def test_a_time_is_understood_however_it_is_typed(typed: str, time: tuple[int, int]) -> None:
    assert parse_time(typed) == dt.time(*time)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("31021985", "Cette date n'existe pas : 31/02/1985."),
     ("12/13/1985", "Cette date n'existe pas : 12/13/1985."),
     ("demain", "Date non reconnue : tapez jj/mm/aaaa, par ex. 12/03/1985 ou 12031985."),
     ("2031985", "Date non reconnue : tapez jj/mm/aaaa, par ex. 12/03/1985 ou 12031985.")],
)  # fmt: skip
def test_an_impossible_date_says_why(typed: str, reason: str) -> None:
    with pytest.raises(InputProblem, match=reason.replace("(", r"\(").replace(".", r"\.")):
        parse_date(typed)


def test_empty_is_no_date_and_no_time() -> None:
    assert parse_date("  ") is None and parse_time("") is None
    with pytest.raises(InputProblem, match="Cette heure n'existe pas : 25:00"):
        parse_time("25h")


def _show(dialog: QWidget) -> None:
    dialog.show()
    dialog.activateWindow()  # focus moves (and fields are left) only in the active window
    assert QTest.qWaitForWindowActive(dialog)


def _type_then_tab(qtbot, field, text: str) -> None:
    field.edit.setFocus()
    field.edit.selectAll()
    qtbot.keyClicks(field.edit, text)
    qtbot.keyClick(field.edit, Qt.Key.Key_Tab)


def test_birth_date_typed_as_digits_is_kept_and_tab_moves_on(qtbot, ctx) -> None:
    dialog = PersonDialog(ctx)
    qtbot.addWidget(dialog)
    _show(dialog)
    _type_then_tab(qtbot, dialog.birth_date, "12031985")
    assert dialog.birth_date.edit.text() == "12/03/1985"
    assert dialog.birth_date.value() == dt.date(1985, 3, 12)
    assert not dialog.birth_date.edit.hasFocus()  # Tab went to the next field
    assert dialog.birth_date.error_label.isHidden()
    _type_then_tab(qtbot, dialog.birth_date, "12/3/85")
    assert dialog.birth_date.edit.text() == "12/03/1985"
    dialog.birth_date.edit.clear()  # optional: empty is fine
    assert dialog.birth_date.value() is None and dialog.birth_date.problem() is None


def test_impossible_birth_date_is_refused_by_the_field_and_nothing_saved(qtbot, ctx) -> None:
    dialog = PersonDialog(ctx)
    qtbot.addWidget(dialog)
    _show(dialog)
    dialog.first_name.setText("Lea")
    dialog.last_name.setText("Roux")
    _type_then_tab(qtbot, dialog.birth_date, "31021985")
    assert dialog.birth_date.edit.text() == "31021985"  # as typed, not blanked
    assert dialog.birth_date.error_label.text() == "Cette date n'existe pas : 31/02/1985."
    assert dialog.birth_date.error_label.isVisibleTo(dialog)
    dialog.save()
    ctx.tasks.settle()  # the save runs off the GUI thread
    assert dialog.result() != dialog.DialogCode.Accepted
    assert count_persons(ctx.uow, "") == 0
    assert QApplication.focusWidget() is dialog.birth_date.edit  # back to what to correct
    _type_then_tab(qtbot, dialog.birth_date, "28021985")
    assert dialog.birth_date.error_label.isHidden()


def test_typed_end_date_is_not_replaced_by_the_suggestion(qtbot, ctx) -> None:
    person = create_person(ctx.uow, PersonInput(first_name="Lea", last_name="Roux")).id
    dialog = StageDialog(ctx, person, kind="cape")
    qtbot.addWidget(dialog)
    _show(dialog)
    _type_then_tab(qtbot, dialog.start, "01/01/2025")
    _type_then_tab(qtbot, dialog.end, "01/06/2025")
    dialog.renewals.setValue(1)
    _type_then_tab(qtbot, dialog.start, "02/01/2025")
    assert dialog.end.edit.text() == "01/06/2025"


def test_workshop_end_before_start_is_refused_next_to_it(qtbot, ctx) -> None:
    reference.add_accompagnateur(ctx.uow, "Claire", "Testeuse")
    dialog = WorkshopSessionDialog(ctx)
    qtbot.addWidget(dialog)
    _show(dialog)
    dialog.title_edit.setText("Gestion")
    row = dialog.slots.rows[0]
    _type_then_tab(qtbot, row.start, "9h")
    assert row.start.edit.text() == "09:00"
    _type_then_tab(qtbot, row.end, "0800")
    assert row.end.edit.text() == "08:00"  # kept as typed (in full), never changed to 12:00
    assert row.end.error_label.text() == "La fin (08:00) est avant le début (09:00)."
    dialog.save()
    ctx.tasks.settle()  # the save runs off the GUI thread
    assert workshop_list.count_sessions(ctx.uow) == 0
    _type_then_tab(qtbot, row.end, "12h30")
    assert row.end.error_label.isHidden()


def test_appointment_time_typed_loosely_is_saved_and_a_bad_one_is_not(qtbot, ctx) -> None:
    from app.people import agenda
    from ui.dialogs.appointment_dialog import AppointmentDialog

    person = create_person(ctx.uow, PersonInput(first_name="Lea", last_name="Roux")).id
    dialog = AppointmentDialog(ctx, person)
    qtbot.addWidget(dialog)
    _show(dialog)
    _type_then_tab(qtbot, dialog.starts_at.day, "15/1/27")
    _type_then_tab(qtbot, dialog.starts_at.time, "25h")
    dialog.save()
    ctx.tasks.settle()  # the save runs off the GUI thread
    assert dialog.saved_id is None
    assert dialog.starts_at.time.error_label.text() == "Cette heure n'existe pas : 25:00."
    _type_then_tab(qtbot, dialog.starts_at.time, "14h15")
    dialog.save()
    ctx.tasks.settle()  # the save runs off the GUI thread
    assert dialog.saved_id is not None
    (saved,) = agenda.agenda_for_day(ctx.uow, dt.date(2027, 1, 15))
    assert (saved.person_id, saved.starts_at) == (person, dt.datetime(2027, 1, 15, 14, 15))
