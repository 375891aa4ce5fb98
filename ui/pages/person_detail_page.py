"""The person record: who they are, where they stand (status derived from the parcours),
alerts, a timeline, their interviews and appointments, and tabs added by other areas.
What its buttons do (writes, documents) is ui/pages/person_record_actions.py."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import formatting
from app.changes import Changes
from app.errors import PermanenceError
from app.people.person_file import InterviewRow, PersonFile, TimelineEvent, load_person_file
from app.states import StageKind
from app.validation import display_phone
from ui.context import AppContext
from ui.dialogs.appointment_dialog import AppointmentDialog
from ui.dialogs.followup_dialog import FollowupDialog
from ui.dialogs.intake_dialog import IntakeDialog
from ui.dialogs.person_dialog import PersonDialog
from ui.dialogs.stage_dialog import StageDialog
from ui.messages_people import APPOINTMENT_KINDS, STATUSES, alert_text, stamp
from ui.models.row_table_model import RowTableModel
from ui.pages.person_record_actions import PersonRecordActions
from ui.pages.person_tabs import INTERVIEW_COLUMNS, extra_tabs, timeline_columns
from ui.style import error_css, muted_css, tab_widget
from ui.texts import accueil, common
from ui.widgets.shortcuts import add_record_shortcuts
from ui.widgets.tab_out import tab_leaves

# What the record shows (its tabs from other areas included).
SHOWN = Changes(
    persons=True,
    interviews=True,
    parcours=True,
    agenda=True,
    workshops=True,
    attendance=True,
    remote=True,
)

# Alt+letter on the record's actions (issue 14, item 8). Not A, F or D: the menu bar's
# Aller à, Fichier and Aide.
MNEMONICS = {
    accueil.EDIT_ELLIPSIS: "M",
    accueil.INTAKE_ELLIPSIS: "c",
    accueil.FOLLOWUP_ELLIPSIS: "s",
    accueil.NEW_STAGE_ELLIPSIS: "t",
    accueil.APPOINTMENT_ELLIPSIS: "R",
    accueil.SUMMARY_PDF: "P",
}


def _with_mnemonic(text: str, letter: str) -> str:
    """``text`` with ``&`` before the first ``letter`` (its Alt+letter shortcut)."""
    at = text.find(letter) if letter else -1
    return text if at < 0 else f"{text[:at]}&{text[at:]}"


def _table(parent: QWidget, model: RowTableModel) -> QTableView:  # type: ignore[type-arg]
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.horizontalHeader().setStretchLastSection(True)
    view.setAlternatingRowColors(True)
    tab_leaves(view)
    return view


class PersonDetailPage(PersonRecordActions):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.file: PersonFile | None = None
        self.active_dialog: QDialog | None = None
        self._stale = False
        self._build()
        ctx.hub.changed.connect(self._on_changed)

    # Layout --------------------------------------------------------------------
    def _build(self) -> None:
        self.back_button = QPushButton(accueil.BACK_TO_PEOPLE, self)
        self.back_button.clicked.connect(self.back_requested)
        self.name_label = QLabel(self)
        self.name_label.setObjectName("personName")
        self.name_label.setStyleSheet("font-size: 18px; font-weight: bold;")
        self.status_label = QLabel(self)
        self.status_label.setObjectName("personStatus")
        self.alerts_label = QLabel(self)
        self.alerts_label.setObjectName("personAlerts")
        self.alerts_label.setStyleSheet(error_css())
        self.alerts_label.setWordWrap(True)
        self.stamp_label = QLabel(self)
        self.stamp_label.setStyleSheet(muted_css())

        actions: list[tuple[str, Callable[[], None]]] = [
            (accueil.EDIT_ELLIPSIS, self.edit_person),
            (accueil.INTAKE_ELLIPSIS, self.start_intake),
            (accueil.FOLLOWUP_ELLIPSIS, self.start_followup),
            (accueil.NEW_STAGE_ELLIPSIS, self.add_stage),
            (accueil.APPOINTMENT_ELLIPSIS, self.plan_appointment),
            (accueil.SUMMARY_PDF, self.print_summary),
        ]
        self.buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        bar.addWidget(self.back_button)
        for text, slot in actions:
            button = QPushButton(_with_mnemonic(text, MNEMONICS.get(text, "")), self)
            button.clicked.connect(slot)
            self.buttons[text] = button
            bar.addWidget(button)
        more = QPushButton(accueil.PERSONAL_DATA, self)
        menu = QMenu(more)
        menu.addAction(accueil.EXPORT_ALL_ELLIPSIS, self.export_data)
        menu.addAction(accueil.ANONYMISE_ELLIPSIS, self.anonymise)
        menu.addAction(accueil.DELETE_RECORD_ELLIPSIS, self.delete_person)
        more.setMenu(menu)
        bar.addWidget(more)
        bar.addStretch(1)

        self.tabs = tab_widget(self)
        self.timeline_model: RowTableModel[TimelineEvent] = RowTableModel(timeline_columns({}))
        self.timeline = _table(self, self.timeline_model)
        self.timeline.activated.connect(self._timeline_activated)
        timeline_tab = QWidget(self)
        timeline_layout = QVBoxLayout(timeline_tab)
        stage_bar = QHBoxLayout()
        self.renew_button = QPushButton(accueil.RENEW_CONVENTION, self)
        self.renew_button.clicked.connect(self.renew_cape)
        self.delete_stage_button = QPushButton(accueil.DELETE_STAGE, self)
        self.delete_stage_button.clicked.connect(self.delete_stage)
        stage_bar.addWidget(QLabel(accueil.DOUBLE_CLICK_TO_OPEN, self))
        stage_bar.addStretch(1)
        stage_bar.addWidget(self.renew_button)
        stage_bar.addWidget(self.delete_stage_button)
        timeline_layout.addWidget(self.timeline)
        timeline_layout.addLayout(stage_bar)
        self.tabs.addTab(timeline_tab, accueil.PARCOURS_TAB)

        self.interview_model: RowTableModel[InterviewRow] = RowTableModel(INTERVIEW_COLUMNS)
        self.interview_table = _table(self, self.interview_model)
        self.interview_table.activated.connect(self._interview_activated)
        self.print_interview_button = QPushButton(accueil.PRINT_REPORT, self)
        self.print_interview_button.clicked.connect(self.print_selected_interview)
        interviews_tab = QWidget(self)
        interviews_layout = QVBoxLayout(interviews_tab)
        interviews_layout.addWidget(self.interview_table)
        interviews_layout.addWidget(self.print_interview_button)
        self.tabs.addTab(interviews_tab, accueil.INTERVIEWS)

        self.appointments = QListWidget(self)
        self.cancel_appointment_button = QPushButton(accueil.CANCEL_APPOINTMENT, self)
        self.cancel_appointment_button.clicked.connect(self.cancel_appointment)
        appointments_tab = QWidget(self)
        appointments_layout = QVBoxLayout(appointments_tab)
        appointments_layout.addWidget(self.appointments)
        appointments_layout.addWidget(self.cancel_appointment_button)
        self.tabs.addTab(appointments_tab, accueil.APPOINTMENTS_TAB)

        self.record = QWidget(self)
        self.record_form = QFormLayout(self.record)
        self.tabs.addTab(self.record, accueil.RECORD_TAB)

        self.extra: list[QWidget] = []
        for title, factory in extra_tabs():
            widget = factory(self.ctx, self)
            self.extra.append(widget)
            self.tabs.addTab(widget, title)

        # Actions that need a selection stay greyed out until there is one.
        self.timeline.selectionModel().currentChanged.connect(self._update_actions)
        self.interview_table.selectionModel().currentChanged.connect(self._update_actions)
        self.appointments.currentRowChanged.connect(self._update_actions)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.name_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.alerts_label)
        layout.addWidget(self.tabs, 1)
        # Escape / Alt+Left back to the list, Ctrl+F to its search, Ctrl+Tab tab to tab.
        add_record_shortcuts(self, self.back_requested.emit, self.tabs, self.back_requested.emit)
        layout.addWidget(self.stamp_label)

    # Showing -------------------------------------------------------------------
    def show_person(self, person_id: str) -> None:
        # A read-only unit of work (app/uow.py): the record opens beside a sync being
        # applied instead of waiting for its write transaction (issue 14, item 6).
        self.file = load_person_file(self.ctx.uow.reading(), person_id)
        f = self.file
        p = f.person
        self.name_label.setText(p.full_name)
        status = STATUSES.get(f.status.code, f.status.code)
        self.status_label.setText(
            accueil.STATUS_SINCE.format(status=status, since=formatting.date(f.status.since))
            if f.status.since
            else accueil.STATUS.format(status=status)
        )
        self.alerts_label.setText("\n".join("⚠ " + alert_text(a) for a in f.alerts))
        self.alerts_label.setVisible(bool(f.alerts))
        self.stamp_label.setText(
            accueil.RECORD_STAMP.format(
                created=stamp(p.created_by, p.created_at),
                updated=stamp(p.updated_by, p.updated_at),
            )
        )
        self.timeline_model.columns = timeline_columns(f.exit_reasons)
        self.timeline_model.set_rows(f.timeline)
        self.interview_model.set_rows(f.interviews)
        for view in (self.timeline, self.interview_table):
            view.resizeColumnsToContents()
        self.appointments.clear()
        for _id, starts_at, kind, note in f.appointments:
            text = f"{formatting.datetime(starts_at)} — {APPOINTMENT_KINDS.get(kind, kind)}"
            self.appointments.addItem(f"{text} {('— ' + note) if note else ''}".strip())
        self._fill_record()
        anonymised = p.anonymised_at is not None
        for button in self.buttons.values():
            button.setEnabled(not anonymised)
        for widget in self.extra:
            widget.show_person(p.id)  # type: ignore[attr-defined]
        self._update_actions()

    def _update_actions(self, *_args: object) -> None:
        f = self.file
        writable = f is not None and f.person.anonymised_at is None
        has_cape = f is not None and any(s.kind == StageKind.CAPE for s in f.stages)
        self.renew_button.setEnabled(writable and has_cape)
        self.delete_stage_button.setEnabled(writable and self._selected_stage_id() is not None)
        self.print_interview_button.setEnabled(self.interview_table.currentIndex().isValid())
        self.cancel_appointment_button.setEnabled(writable and self.appointments.currentRow() >= 0)

    def _fill_record(self) -> None:
        assert self.file is not None
        p = self.file.person
        while self.record_form.rowCount():
            self.record_form.removeRow(0)
        rows = [
            (accueil.BIRTH_DATE, formatting.date(p.birth_date)),
            (common.EMAIL, p.email),
            (common.PHONE, display_phone(p.phone)),
            (common.ADDRESS, " ".join(x for x in (p.address, p.postcode, p.city) if x)),
            (common.ANTENNE, p.antenne_name),
            (accueil.REFERENT, p.referent_name),
            (accueil.ENTRY_SITUATION, p.situation_label),
            (accueil.PRESCRIBER, p.prescriber_label),
            (accueil.SECTOR, p.sector_label),
            (accueil.ACTIVITY, p.activity_name),
            (accueil.ANALYTIC_CODE, p.analytic_code),
            (accueil.LAST_CONTACT, formatting.date(p.last_contact_on)),
            (common.NOTES, p.notes),
        ]
        for label, value in rows:
            text = QLabel(value or "—", self.record)
            text.setWordWrap(True)
            self.record_form.addRow(label, text)

    def refresh(self) -> None:
        if self.person_id is None:
            return
        try:
            self.show_person(self.person_id)
        except PermanenceError:
            self.file = None
            self.back_requested.emit()

    def _on_changed(self, changes: Changes) -> None:
        if changes.touches(SHOWN):
            if self.isVisible():
                self.refresh()
            else:
                self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.refresh()

    # Dialogs -------------------------------------------------------------------
    def run_dialog(self, dialog: QDialog, on_accept: Callable[[], None] | None = None) -> None:
        """Window-modal and asynchronous, so the page (and tests) keep running."""
        self.active_dialog = dialog

        def finished(result: int) -> None:
            self.active_dialog = None
            if result == QDialog.DialogCode.Accepted and on_accept is not None:
                on_accept()
            self.refresh()

        dialog.finished.connect(finished)
        dialog.open()

    def edit_person(self) -> None:
        if self.file is not None:
            dialog = PersonDialog(self.ctx, self.file.person, self)
            self.run_dialog(dialog)

    def start_intake(self, intake_id: str | None = None) -> None:
        if self.person_id:
            self.run_dialog(IntakeDialog(self.ctx, self.person_id, intake_id or None, self))

    def start_followup(self, followup_id: str | None = None) -> None:
        if self.person_id:
            self.run_dialog(FollowupDialog(self.ctx, self.person_id, followup_id or None, self))

    def add_stage(self) -> None:
        if self.person_id:
            self.run_dialog(StageDialog(self.ctx, self.person_id, parent=self))

    def plan_appointment(self) -> None:
        if self.person_id:
            self.run_dialog(AppointmentDialog(self.ctx, self.person_id, parent=self))

    def _timeline_activated(self, index: QModelIndex) -> None:
        event = self.timeline_model.row_at(index.row())
        if event is None or self.person_id is None:
            return
        if event.ref_kind == "stage" and event.stage is not None:
            self.run_dialog(StageDialog(self.ctx, self.person_id, event.stage, parent=self))
        elif event.ref_kind == "accueil":
            self.start_intake(event.ref_id)
        elif event.ref_kind == "suivi":
            self.start_followup(event.ref_id)

    def _interview_activated(self, index: QModelIndex) -> None:
        row = self.interview_model.row_at(index.row())
        if row is not None:
            (self.start_intake if row.kind == "accueil" else self.start_followup)(row.id)
