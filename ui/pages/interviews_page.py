"""Entretiens: the agenda of the day at the permanence of the day (one click opens or
starts the interview), alerts on the people accompanied, recent interviews, and the
retention list of applicants to anonymise."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QModelIndex
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import formatting
from app.changes import Changes
from app.clock import today
from app.errors import PermanenceError
from app.people import agenda, parcours, personal_data
from app.people.agenda import AgendaEntry, RecentInterview
from app.people.parcours_rules import Alert
from app.people.personal_data import RetentionCandidate
from ui.context import AppContext
from ui.dialogs.followup_dialog import FollowupDialog
from ui.dialogs.intake_dialog import IntakeDialog
from ui.dialogs.people_widgets import date_edit, fill_combo, permanence_items
from ui.messages import error_message
from ui.messages_people import APPOINTMENT_KINDS, DECISIONS, alert_text
from ui.models.row_table_model import Column, RowTableModel
from ui.operations import CollectionOp
from ui.style import tab_widget
from ui.texts import accueil, common
from ui.widgets.tab_out import tab_leaves

SHOWN = Changes(
    persons=True,
    interviews=True,
    parcours=True,
    agenda=True,
    permanence_of_the_day=True,
    remote=True,
)
# What an anonymisation erases (app/people/anonymise.py).
ANONYMISED = Changes(persons=True, interviews=True, parcours=True, agenda=True)

ALERT_COLUMNS: list[Column[Alert]] = [
    Column(common.PERSON, lambda a: a.person_name),
    Column(accueil.DUE_ON, lambda a: formatting.date(a.due_on)),
    Column(accueil.ALERT, alert_text),
]
RECENT_COLUMNS: list[Column[RecentInterview]] = [
    Column(common.DATE, lambda r: formatting.date(r.held_on)),
    Column(common.PERSON, lambda r: r.person_name),
    Column(
        accueil.INTERVIEW,
        lambda r: accueil.INTAKE_SHORT if r.kind == "accueil" else accueil.FOLLOWUP_SHORT,
    ),
    Column(
        common.STATE,
        lambda r: (
            accueil.DRAFT if r.is_draft else DECISIONS.get(r.decision, "") if r.decision else ""
        ),
    ),
    Column(common.ACCOMPAGNATEUR, lambda r: r.accompagnateur),
    Column(accueil.CHANGED_BY_COLUMN, lambda r: r.updated_by),
]
RETENTION_COLUMNS: list[Column[RetentionCandidate]] = [
    Column(common.PERSON, lambda c: c.name),
    Column(accueil.LAST_CONTACT, lambda c: formatting.date(c.last_contact_on)),
    Column(accueil.DECISION, lambda c: DECISIONS.get(c.decision, c.decision)),
]


def _view(parent: QWidget, model: RowTableModel) -> QTableView:  # type: ignore[type-arg]
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.horizontalHeader().setStretchLastSection(True)
    tab_leaves(view)
    return view


def action_text(entry: AgendaEntry) -> str:
    if entry.interview_id is None:
        return accueil.START_INTERVIEW
    return accueil.RESUME_DRAFT if entry.interview_is_draft else accueil.OPEN_INTERVIEW


class InterviewsPage(QWidget):
    title = accueil.INTERVIEWS

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.entries: list[AgendaEntry] = []
        self.active_dialog: QDialog | None = None
        self._stale = False
        self.loading = False
        self._build()
        ctx.hub.changed.connect(self._on_changed)
        self.refresh()

    def _build(self) -> None:
        self.day = date_edit(self, today())
        self.day.dateChanged.connect(lambda _d: self.refresh_agenda())
        self.permanence = QComboBox(self)
        self.permanence.setObjectName("agendaPermanence")
        self._fill_permanences()
        self.permanence.currentIndexChanged.connect(lambda _i: self.refresh_agenda())
        previous = QPushButton("◀", self)
        previous.clicked.connect(lambda: self.day.setDate(self.day.date().addDays(-1)))
        following = QPushButton("▶", self)
        following.clicked.connect(lambda: self.day.setDate(self.day.date().addDays(1)))
        today_button = QPushButton(accueil.TODAY, self)
        today_button.clicked.connect(lambda: self.day.setDate(QDate(today())))
        top = QHBoxLayout()
        top.addWidget(QLabel(accueil.AGENDA_OF, self))
        for widget in (previous, self.day, following, today_button):
            top.addWidget(widget)
        top.addWidget(QLabel("à", self))
        top.addWidget(self.permanence, 1)

        self.agenda_table = QTableWidget(0, 5, self)
        self.agenda_table.setObjectName("agendaOfTheDay")
        self.agenda_table.setHorizontalHeaderLabels(
            [accueil.TIME, common.PERSON, accueil.INTERVIEW, common.NOTE, ""]
        )
        self.agenda_table.verticalHeader().hide()
        tab_leaves(self.agenda_table)
        self.agenda_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.agenda_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.agenda_table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.agenda_table.cellDoubleClicked.connect(lambda row, _c: self.open_entry(row))
        self.empty_label = QLabel(accueil.NOBODY_EXPECTED, self)

        self.alert_model: RowTableModel[Alert] = RowTableModel(ALERT_COLUMNS)
        self.alert_view = _view(self, self.alert_model)
        self.alert_view.activated.connect(self._alert_activated)
        self.no_alert_label = QLabel(accueil.NO_ALERT, self)
        self.no_alert_label.hide()

        today_tab = QWidget(self)
        today_layout = QVBoxLayout(today_tab)
        today_layout.addLayout(top)
        today_layout.addWidget(self.agenda_table, 2)
        today_layout.addWidget(self.empty_label)
        today_layout.addWidget(QLabel(accueil.ALERTS_HEADING, self))
        today_layout.addWidget(self.alert_view, 1)
        today_layout.addWidget(self.no_alert_label)

        self.recent_model: RowTableModel[RecentInterview] = RowTableModel(RECENT_COLUMNS)
        self.recent_view = _view(self, self.recent_model)
        self.recent_view.activated.connect(self._recent_activated)

        self.retention_model: RowTableModel[RetentionCandidate] = RowTableModel(RETENTION_COLUMNS)
        self.retention_view = _view(self, self.retention_model)
        self.anonymise_button = QPushButton(accueil.ANONYMISE_SELECTION_ELLIPSIS, self)
        self.anonymise_button.clicked.connect(self.anonymise_selected)
        self.anonymise_button.setEnabled(False)
        self.retention_view.selectionModel().selectionChanged.connect(
            lambda *_a: self.anonymise_button.setEnabled(
                self.retention_view.selectionModel().hasSelection()
            )
        )
        self.no_retention_label = QLabel(accueil.NOTHING_TO_ANONYMISE, self)
        self.no_retention_label.hide()
        retention_tab = QWidget(self)
        retention_layout = QVBoxLayout(retention_tab)
        explanation = QLabel(
            accueil.RETENTION_EXPLANATION,
            self,
        )
        explanation.setWordWrap(True)
        retention_layout.addWidget(explanation)
        retention_layout.addWidget(self.retention_view)
        retention_layout.addWidget(self.no_retention_label)
        retention_layout.addWidget(self.anonymise_button)

        self.tabs = tab_widget(self)
        self.tabs.addTab(today_tab, accueil.TODAY)
        self.tabs.addTab(self.recent_view, accueil.RECENT_INTERVIEWS)
        self.tabs.addTab(retention_tab, accueil.DATA_TO_ANONYMISE)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)

    def _fill_permanences(self) -> None:
        items = [(None, accueil.ALL_PERMANENCES), *permanence_items(self.ctx.uow.reading())[1:]]
        self.permanence.blockSignals(True)
        fill_combo(self.permanence, items, self.ctx.profile.settings.permanence_id)
        self.permanence.blockSignals(False)

    # Refresh -------------------------------------------------------------------
    def refresh(self) -> None:
        """The agenda now (a few ms); the lists over everyone off the GUI thread, since on a
        ten-year database they take a few hundred ms."""
        self._stale = False
        self.refresh_agenda()
        # Read-only units of work here and in the agenda (app/uow.py): the lists fill
        # beside a sync being applied instead of waiting for it (issue 14, item 6).
        uow = self.ctx.uow.reading()

        def load() -> tuple[list[Alert], list[RecentInterview], list[RetentionCandidate]]:
            return (
                parcours.list_alerts(uow),
                agenda.recent_interviews(uow, limit=100),
                personal_data.retention_candidates(uow),
            )

        self.loading = True
        self.ctx.tasks.run_db(load, self._show_lists)

    def _show_lists(
        self, lists: tuple[list[Alert], list[RecentInterview], list[RetentionCandidate]]
    ) -> None:
        alerts, recent, retention = lists
        self.alert_model.set_rows(alerts)
        self.recent_model.set_rows(recent)
        self.retention_model.set_rows(retention)
        self.alert_view.resizeColumnsToContents()
        self.no_alert_label.setVisible(not alerts)
        self.no_retention_label.setVisible(not retention)
        self.anonymise_button.setEnabled(self.retention_view.selectionModel().hasSelection())
        self.loading = False

    def refresh_agenda(self) -> None:
        day: dt.date = self.day.date().toPython()  # type: ignore[assignment]
        self.entries = agenda.agenda_for_day(
            self.ctx.uow.reading(), day, self.permanence.currentData()
        )
        table = self.agenda_table
        table.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            cells = [
                entry.starts_at.strftime("%H:%M"),
                entry.person_name,
                APPOINTMENT_KINDS.get(entry.kind, entry.kind),
                entry.note,
            ]
            for column, text in enumerate(cells):
                table.setItem(row, column, QTableWidgetItem(text))
            button = QPushButton(action_text(entry), table)
            button.clicked.connect(lambda _=False, r=row: self.open_entry(r))
            table.setCellWidget(row, 4, button)
        table.resizeColumnsToContents()
        self.empty_label.setVisible(not self.entries)

    def _on_changed(self, changes: Changes) -> None:
        if changes.permanence_of_the_day or changes.remote:
            self._fill_permanences()
        if changes.touches(SHOWN):
            if self.isVisible():
                self.refresh()
            else:
                self._stale = True  # refreshed when shown again

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    # Opening -------------------------------------------------------------------
    def open_entry(self, row: int) -> None:
        """The one click: open the interview already started, or start the expected one."""
        entry = self.entries[row]
        kind = entry.interview_kind or entry.kind
        day = entry.starts_at.date()
        if kind == "accueil":
            dialog: QDialog = IntakeDialog(
                self.ctx, entry.person_id, entry.interview_id, self, held_on=day
            )
        else:
            dialog = FollowupDialog(
                self.ctx, entry.person_id, entry.interview_id, self, held_on=day
            )
        self.run_dialog(dialog)

    def run_dialog(self, dialog: QDialog) -> None:
        self.active_dialog = dialog

        def finished(_result: int) -> None:
            self.active_dialog = None
            self.refresh()

        dialog.finished.connect(finished)
        dialog.open()

    def _alert_activated(self, index: QModelIndex) -> None:
        alert = self.alert_model.row_at(index.row())
        if alert is not None:
            self.ctx.hub.open_requested.emit("person", alert.person_id)

    def _recent_activated(self, index: QModelIndex) -> None:
        row = self.recent_model.row_at(index.row())
        if row is None:
            return
        if row.kind == "accueil":
            self.run_dialog(IntakeDialog(self.ctx, row.person_id, row.id, self))
        else:
            self.run_dialog(FollowupDialog(self.ctx, row.person_id, row.id, self))

    def anonymise_selected(self) -> None:
        rows = sorted({i.row() for i in self.retention_view.selectionModel().selectedRows()})
        chosen = [c for r in rows if (c := self.retention_model.row_at(r)) is not None]
        if not chosen:
            return
        names = "\n".join(c.name for c in chosen)
        answer = QMessageBox.question(
            self, accueil.ANONYMISE, accueil.ANONYMISE_PEOPLE_QUESTION.format(names=names)
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.anonymise(chosen)

    def anonymise(self, chosen: list[RetentionCandidate]) -> None:
        """Each anonymisation rewrites the database file (VACUUM) and the backups: off the
        GUI thread, the list greyed out meanwhile (ui/operations.py). One refused person
        (invoices or FSE+ sheets still kept) does not stop the others."""
        uow = self.ctx.uow

        def run() -> list[tuple[str, PermanenceError]]:
            refused: list[tuple[str, PermanenceError]] = []
            for candidate in chosen:
                try:
                    personal_data.anonymise_person(uow, candidate.person_id)
                except PermanenceError as exc:
                    refused.append((candidate.name, exc))
            return refused

        CollectionOp(
            self.ctx,
            parent=self,
            op=run,
            changes=ANONYMISED,
            success=self._anonymised,
            busy=(self.retention_view, self.anonymise_button),
        ).run_in_background()

    def _anonymised(self, refused: list[tuple[str, PermanenceError]]) -> None:
        if refused:
            lines = [f"{name} : {error_message(exc)}" for name, exc in refused]
            QMessageBox.warning(self, accueil.ANONYMISE, "\n".join(lines))
