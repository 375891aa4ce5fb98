"""The "Ateliers" tab of a person's record: hours attended per theme, and every session."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QAbstractItemView, QLabel, QTableView, QVBoxLayout, QWidget

from app import formatting
from app.workshops import attendance
from app.workshops.labels import REGISTRATION_LABELS
from app.workshops.workshop_values import AttendedSession, ThemeHours, duration_text
from ui.context import AppContext
from ui.models.row_table_model import Column, RowTableModel
from ui.pages.workshops_texts import KIND_LABELS, NO_THEME
from ui.texts import ateliers, common
from ui.widgets.tab_out import tab_leaves

HOURS_COLUMNS: list[Column[ThemeHours]] = [
    Column(ateliers.THEME, lambda h: h.theme_name or KIND_LABELS.get(h.kind, NO_THEME)),
    Column(ateliers.ATTENDANCE_HOURS, lambda h: duration_text(h.minutes), align_right=True),
    Column(ateliers.SESSIONS, lambda h: str(h.sessions), align_right=True),
]
HISTORY_COLUMNS: list[Column[AttendedSession]] = [
    Column(common.DATE, lambda s: formatting.date(s.held_on)),
    Column(common.TYPE, lambda s: KIND_LABELS.get(s.kind, s.kind)),
    Column(common.LABEL, lambda s: s.title),
    Column(ateliers.REGISTRATION, lambda s: REGISTRATION_LABELS.get(s.status, s.status)),
    Column(
        ateliers.ATTENDANCE,
        lambda s: f"{duration_text(s.minutes_attended)} / {duration_text(s.minutes_total)}",
        align_right=True,
    ),
]


def _table(parent: QWidget, model: RowTableModel) -> QTableView:  # type: ignore[type-arg]
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.horizontalHeader().setStretchLastSection(True)
    tab_leaves(view)
    return view


class PersonWorkshopsTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.total = QLabel(self)
        self.total.setObjectName("workshopHoursTotal")
        self.hours_model: RowTableModel[ThemeHours] = RowTableModel(HOURS_COLUMNS)
        self.history_model: RowTableModel[AttendedSession] = RowTableModel(HISTORY_COLUMNS)
        self.hours = _table(self, self.hours_model)
        self.hours.setMaximumHeight(160)
        self.history = _table(self, self.history_model)
        self.history.activated.connect(self._open)
        layout = QVBoxLayout(self)
        layout.addWidget(self.total)
        layout.addWidget(self.hours)
        layout.addWidget(QLabel(ateliers.SESSIONS_DOUBLE_CLICK, self))
        layout.addWidget(self.history, 1)

    def show_person(self, person_id: str) -> None:
        # Read-only units of work: the record opens beside a sync being applied.
        reader = self.ctx.uow.reading()
        hours = attendance.hours_by_theme(reader, person_id)
        self.hours_model.set_rows(hours)
        self.history_model.set_rows(attendance.person_activities(reader, person_id))
        total = sum(h.minutes for h in hours)
        self.total.setText(ateliers.TOTAL_ATTENDANCE_HOURS.format(hours=duration_text(total)))

    def _open(self, index: QModelIndex) -> None:
        row = self.history_model.row_at(index.row())
        if row is not None:
            self.ctx.hub.open_requested.emit("activity", row.activity_id)
