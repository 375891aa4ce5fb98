"""The attendance grid, driven by the keyboard like an accompagnateur typing a sheet."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QItemSelectionModel, Qt

from app.workshops import registrations, workshops
from app.workshops.workshop_values import ABSENT, EXCUSED, EXPECTED, PRESENT
from tests.workshops_support import DAY, DURING, add_persons, new_session
from ui.pages.workshop_session_panel import SessionPanel


def _panel(qtbot, ctx, count: int = 3, now: dt.datetime = DURING):
    activity_id = new_session(ctx.uow)
    for person_id in add_persons(ctx.uow, count):
        registrations.register_person(ctx.uow, activity_id, person_id)
    panel = SessionPanel(ctx)
    qtbot.addWidget(panel)
    panel.clock = lambda: now
    panel.load(activity_id)
    panel.tabs.setCurrentWidget(panel.grid)
    panel.show()
    panel.grid.view.setFocus()
    return panel, activity_id


def _saved(ctx, activity_id: str) -> list[list[str]]:
    ctx.tasks.settle()  # marks are written off the GUI thread (ui/operations.py)
    detail = workshops.get_session(ctx.uow, activity_id)
    return [[detail.state(s.id, p.person_id) for s in detail.slots] for p in detail.participants]


def test_one_key_per_state_marks_and_moves_down(qtbot, ctx) -> None:
    panel, activity_id = _panel(qtbot, ctx)
    view = panel.grid.view
    qtbot.keyClick(view, "p")
    qtbot.keyClick(view, "a")
    qtbot.keyClick(view, "e")
    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_Up)
    qtbot.keyClick(view, Qt.Key.Key_Up)
    qtbot.keyClick(view, "P", Qt.KeyboardModifier.ShiftModifier)
    # The cursor stayed on the last row, went right, then up twice to the first row.
    assert _saved(ctx, activity_id) == [
        [PRESENT, PRESENT],
        [ABSENT, EXPECTED],
        [EXCUSED, EXPECTED],
    ]
    assert panel.grid.state_at(1, 0) == ABSENT


def test_delete_or_t_resets_to_expected(qtbot, ctx) -> None:
    panel, activity_id = _panel(qtbot, ctx, count=2)
    view = panel.grid.view
    qtbot.keyClick(view, "a")
    qtbot.keyClick(view, Qt.Key.Key_Up)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert _saved(ctx, activity_id)[0] == [EXPECTED, EXPECTED]


def test_a_key_on_a_selection_marks_every_selected_cell(qtbot, ctx) -> None:
    panel, activity_id = _panel(qtbot, ctx, count=3)
    view, model = panel.grid.view, panel.grid.model
    selection = view.selectionModel()
    selection.select(model.index(0, 2), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    for row in (1, 2):
        selection.select(model.index(row, 2), QItemSelectionModel.SelectionFlag.Select)
    qtbot.keyClick(view, "e")
    assert [states[1] for states in _saved(ctx, activity_id)] == [EXCUSED] * 3


def test_all_present_button_fills_the_grid_but_keeps_absences(qtbot, ctx) -> None:
    panel, activity_id = _panel(qtbot, ctx, count=3)
    qtbot.keyClick(panel.grid.view, Qt.Key.Key_Down)
    qtbot.keyClick(panel.grid.view, "a")
    qtbot.mouseClick(panel.grid.all_present_button, Qt.MouseButton.LeftButton)
    assert _saved(ctx, activity_id) == [
        [PRESENT, PRESENT],
        [ABSENT, PRESENT],
        [PRESENT, PRESENT],
    ]
    assert "5 présence(s) notée(s)" in panel.message.text()
    assert panel.grid.state_at(1, 0) == ABSENT


def test_marking_a_slot_not_started_is_refused_in_french(qtbot, ctx) -> None:
    lunch = dt.datetime.combine(DAY, dt.time(13))
    panel, activity_id = _panel(qtbot, ctx, count=1, now=lunch)
    view = panel.grid.view
    assert panel.grid.model.data(panel.grid.model.index(0, 2)) == "à venir"
    view.setCurrentIndex(panel.grid.model.index(0, 2))
    qtbot.keyClick(view, "p")
    ctx.tasks.settle()
    assert "n'a pas encore commencé" in panel.message.text()
    assert _saved(ctx, activity_id) == [[EXPECTED, EXPECTED]]
