"""Attendance grid: one row per participant, one column per half-day slot, keyboard first.

Arrows move; one key per state (P présent, A absent, E excusé, T attendu;
Suppr also resets) marks the current cell — or every selected cell — and moves
down to the next participant, so a sheet is typed in one pass. The grid never
saves by itself: it emits ``marks_requested`` and the page calls the service,
then ``apply`` shows what was saved.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import formatting
from app.workshops.attendance import Mark, local_now
from app.workshops.workshop_values import (
    ABSENT,
    EXCUSED,
    EXPECTED,
    PRESENT,
    RegistrationInfo,
    SessionDetail,
    SlotInfo,
)
from ui.pages.workshops_texts import STATE_KEYS, STATE_LABELS
from ui.style import ON_PASTEL
from ui.texts import ateliers

Index = QModelIndex | QPersistentModelIndex
COLORS: dict[str, QColor] = {
    PRESENT: QColor("#d7f0d8"),
    ABSENT: QColor("#f7d4d4"),
    EXCUSED: QColor("#fbe9c6"),
    EXPECTED: QColor("#ffffff"),
}
NOT_STARTED = QColor("#eeeeee")
RESET_KEYS = (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)


class AttendanceModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.people: list[RegistrationInfo] = []
        self.slots: list[SlotInfo] = []
        self.states: dict[tuple[str, str], str] = {}
        self.now = local_now()

    def reset(self, detail: SessionDetail, now: dt.datetime) -> None:
        self.beginResetModel()
        self.people = list(detail.participants)
        self.slots = list(detail.slots)
        self.states = dict(detail.attendance)
        self.now = now
        self.endResetModel()

    def state(self, row: int, column: int) -> str:
        slot = self.slots[column - 1]
        return self.states.get((slot.id, self.people[row].person_id), EXPECTED)

    def mark_at(self, row: int, column: int, state: str) -> Mark | None:
        if not (0 <= row < len(self.people)) or not (1 <= column <= len(self.slots)):
            return None
        return Mark(self.slots[column - 1].id, self.people[row].person_id, state)

    def apply(self, marks: list[Mark]) -> None:
        for mark in marks:
            self.states[(mark.slot_id, mark.person_id)] = mark.state
        if self.people and self.slots:
            self.dataChanged.emit(
                self.index(0, 1), self.index(len(self.people) - 1, len(self.slots))
            )

    # Qt API ------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.people)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.slots) + 1

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        if section == 0:
            return ateliers.PARTICIPANT
        slot = self.slots[section - 1]
        day = formatting.date(slot.starts_at.date(), "EEE dd/MM")
        return f"{day}\n{slot.hours_label}"

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if column == 0:
            return self.people[row].full_name if role == Qt.ItemDataRole.DisplayRole else None
        started = self.slots[column - 1].started(self.now)
        state = self.state(row, column)
        if role == Qt.ItemDataRole.DisplayRole:
            return STATE_LABELS[state] if started else ateliers.NOT_STARTED_YET
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(COLORS[state] if started else NOT_STARTED)
        if role == Qt.ItemDataRole.ForegroundRole:
            # The state colours are pastel on any theme: dark text on them.
            return QBrush(ON_PASTEL)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return ateliers.CELL_KEYS_TOOLTIP
        return None


class AttendanceView(QTableView):
    """The table; turns state keys into mark requests."""

    marks_typed = Signal(list)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        state = _state_for_key(event)
        if state is None:
            super().keyPressEvent(event)
            return
        model = self.model()
        assert isinstance(model, AttendanceModel)
        cells = {(i.row(), i.column()) for i in self.selectedIndexes()}
        current = self.currentIndex()
        if current.isValid():
            cells.add((current.row(), current.column()))
        marks = [m for r, c in sorted(cells) if (m := model.mark_at(r, c, state)) is not None]
        if marks:
            self.marks_typed.emit(marks)
        if current.isValid() and len(cells) == 1 and current.row() + 1 < model.rowCount():
            self.setCurrentIndex(model.index(current.row() + 1, current.column()))


def _state_for_key(event: QKeyEvent) -> str | None:
    if event.key() in RESET_KEYS:
        return EXPECTED
    if event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier & ~Qt.KeyboardModifier.KeypadModifier:
        return None
    return STATE_KEYS.get(event.text().upper())


class AttendanceGrid(QWidget):
    marks_requested = Signal(list)  # list[Mark]
    all_present_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = AttendanceModel()
        self.view = AttendanceView(self)
        self.view.setObjectName("attendanceGrid")
        self.view.setModel(self.model)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.marks_typed.connect(self.marks_requested)
        self.all_present_button = QPushButton(ateliers.ALL_PRESENT, self)
        self.all_present_button.setToolTip(ateliers.ALL_PRESENT_TOOLTIP)
        self.all_present_button.clicked.connect(self.all_present_requested)
        legend = QLabel(ateliers.GRID_KEYS_LEGEND, self)
        legend.setWordWrap(True)
        self.summary = QLabel(self)
        top = QHBoxLayout()
        top.addWidget(self.all_present_button)
        top.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(legend)

    def set_session(self, detail: SessionDetail, now: dt.datetime) -> None:
        self.model.reset(detail, now)
        self._update_summary()
        if self.model.rowCount() and self.model.columnCount() > 1:
            self.view.setCurrentIndex(self.model.index(0, 1))

    def apply(self, marks: list[Mark]) -> None:
        self.model.apply(marks)
        self._update_summary()

    def state_at(self, row: int, slot_column: int) -> str:
        """State of participant ``row`` at slot ``slot_column`` (0-based, slots only)."""
        return self.model.state(row, slot_column + 1)

    def _update_summary(self) -> None:
        counts: dict[str, int] = {state: 0 for state in STATE_LABELS}
        for row in range(self.model.rowCount()):
            for column in range(1, self.model.columnCount()):
                if self.model.slots[column - 1].started(self.model.now):
                    counts[self.model.state(row, column)] += 1
        self.summary.setText(
            ateliers.GRID_SUMMARY.format(
                present=counts[PRESENT],
                absent=counts[ABSENT],
                excused=counts[EXCUSED],
                expected=counts[EXPECTED],
            )
        )
