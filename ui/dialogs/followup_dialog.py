"""Entretien de suivi: date, duration, mode, points discussed, action plan, next appointment
(which goes to the agenda), and its printed report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.changes import Changes
from app.clock import today
from app.people import interviews, people_reports, persons
from app.people.interviews import FollowupInfo, FollowupInput
from ui.context import AppContext
from ui.dialogs import people_widgets
from ui.dialogs.form_writes import write_form
from ui.dialogs.people_widgets import (
    SavedId,
    date_edit,
    fill_combo,
    permanence_items,
    staff_items,
    text_area,
)
from ui.messages_people import MODES, stamp
from ui.operations import QueryOp
from ui.style import muted_css
from ui.texts import accueil, common
from ui.widgets.date_time_fields import DateTimeField, refuse_bad_input
from ui.widgets.forms import FormErrors, general_error_label, show_failure
from ui.widgets.screen import remember_geometry


class FollowupDialog(QDialog):
    def __init__(
        self,
        ctx: AppContext,
        person_id: str,
        followup_id: str | None = None,
        parent: QWidget | None = None,
        held_on: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.default_day = held_on or today()
        reads = ctx.uow.reading()  # opening never waits behind a sync being applied
        self.person = persons.get_person(reads, person_id)
        self.followup: FollowupInfo | None = (
            interviews.get_followup(reads, followup_id) if followup_id else None
        )
        self.saved_id = SavedId(self.followup.id if self.followup else None)
        self.errors = FormErrors()
        self.setWindowTitle(accueil.FOLLOWUP_TITLE.format(name=self.person.full_name))
        remember_geometry(self, "followup", 640, 620)
        self._build()
        self._load()

    def _build(self) -> None:
        settings = self.ctx.profile.settings
        uow = self.ctx.uow.reading()
        self.held_on = date_edit(self, self.default_day)
        self.duration = QSpinBox(self)
        self.duration.setRange(0, 600)
        self.duration.setSingleStep(15)
        self.duration.setSuffix(" min")
        self.duration.setValue(60)
        self.mode = QComboBox(self)
        fill_combo(self.mode, list(MODES.items()))
        self.permanence = QComboBox(self)
        fill_combo(self.permanence, permanence_items(uow), settings.permanence_id)
        self.accompagnateur = QComboBox(self)
        fill_combo(self.accompagnateur, staff_items(uow), settings.accompagnateur_id)
        self.points = text_area(self, lines=5)
        self.plan = text_area(self, lines=4)
        self.has_next = QCheckBox(accueil.SET_NEXT_APPOINTMENT, self)
        self.next_appointment = DateTimeField(self)
        self.next_appointment.setDateTime(QDateTime(QDate(today()).addMonths(1), QTime(10, 0)))
        self.next_appointment.setEnabled(False)
        self.has_next.toggled.connect(self.next_appointment.setEnabled)
        form = QFormLayout()
        self.errors.add_row(form, common.DATE, "held_on", self.held_on)
        self.errors.add_row(form, accueil.DURATION, "duration_minutes", self.duration)
        self.errors.add_row(form, accueil.MODE, "mode", self.mode)
        self.errors.add_row(form, common.PERMANENCE, "permanence_id", self.permanence)
        self.errors.add_row(form, common.ACCOMPAGNATEUR, "accompagnateur_id", self.accompagnateur)
        self.errors.add_row(
            form, accueil.POINTS_DISCUSSED_REQUIRED, "points_discussed", self.points
        )
        self.errors.add_row(form, accueil.ACTION_PLAN, "action_plan", self.plan)
        form.addRow(self.has_next)
        self.errors.add_row(
            form, accueil.NEXT_APPOINTMENT, "next_appointment", self.next_appointment
        )
        self.state_label = QLabel(self)
        self.state_label.setStyleSheet(muted_css())
        self.general_error = general_error_label(self)
        self.save_button = QPushButton(accueil.SAVE_CTRL_ENTER, self)
        self.save_button.setDefault(True)
        self.print_button = QPushButton(accueil.PRINT_REPORT, self)
        self.close_button = QPushButton(common.CLOSE, self)
        self.save_button.clicked.connect(self.save)
        self.print_button.clicked.connect(self.print_report)
        self.close_button.clicked.connect(self.reject)
        for sequence in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(sequence), self, self.save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.state_label, 1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addLayout(buttons)

    def _load(self) -> None:
        f = self.followup
        if f is not None:
            self.held_on.setDate(QDate(f.held_on))
            self.duration.setValue(f.duration_minutes)
            fill_combo(self.mode, list(MODES.items()), f.mode)
            reads = self.ctx.uow.reading()
            fill_combo(self.permanence, permanence_items(reads), f.permanence_id)
            fill_combo(self.accompagnateur, staff_items(reads), f.accompagnateur_id)
            self.points.setPlainText(f.points_discussed)
            self.plan.setPlainText(f.action_plan)
            if f.next_appointment:
                self.has_next.setChecked(True)
                self.next_appointment.setDateTime(QDateTime(f.next_appointment))
            self.state_label.setText(
                common.CHANGED_BY.format(stamp=stamp(f.updated_by, f.updated_at))
            )
        self.print_button.setEnabled(f is not None)
        self.points.setFocus()

    def value(self) -> FollowupInput:
        next_at: dt.datetime | None = None
        if self.has_next.isChecked():
            next_at = self.next_appointment.dateTime().toPython()  # type: ignore[assignment]
        return FollowupInput(
            person_id=self.person.id,
            held_on=self.held_on.date().toPython(),  # type: ignore[arg-type]
            duration_minutes=self.duration.value(),
            mode=self.mode.currentData(),
            permanence_id=self.permanence.currentData(),
            accompagnateur_id=self.accompagnateur.currentData(),
            points_discussed=self.points.toPlainText(),
            action_plan=self.plan.toPlainText(),
            next_appointment=next_at,
        )

    def save(self) -> None:
        """Save off the GUI thread, « Enregistrer » greyed meanwhile; the window stays open
        (« Imprimer le compte rendu » then works); a refusal is shown by the fields."""
        if not self.save_button.isEnabled():
            return  # already saving (Ctrl+Entrée pressed twice)
        self.errors.clear()
        self.general_error.hide()
        if refuse_bad_input(self):  # a date not understood: said under it, nothing saved
            return
        uow, data, saved_id = self.ctx.uow, self.value(), self.saved_id

        def write() -> FollowupInfo:
            info = interviews.save_followup(uow, data, saved_id.value)
            saved_id.value = info.id
            return info

        write_form(
            self.ctx,
            self,
            op=write,
            changes=Changes(persons=True, interviews=True),
            success=self._saved,
            errors=self.errors,
            general_error=self.general_error,
            busy=[self.save_button, self.print_button],
        ).run_in_background()

    def _saved(self, followup: FollowupInfo) -> None:
        self.followup = followup
        self.print_button.setEnabled(True)
        self.state_label.setText(
            accueil.FOLLOWUP_SAVED_BY.format(stamp=stamp(followup.updated_by, followup.updated_at))
        )

    def print_report(self) -> None:
        if self.followup is None:
            return
        uow, followup_id = self.ctx.uow.reading(), self.followup.id
        folder = self.ctx.profile.paths.documents / "entretiens"

        def written(path: Path) -> None:
            self.last_report = path
            people_widgets.open_file(path, self)

        QueryOp(
            self.ctx,
            parent=self,
            op=lambda: people_reports.write_interview_report(uow, "suivi", followup_id, folder),
            success=written,
            busy=self.print_button,
        ).failure(
            lambda error: show_failure(self.errors, self.general_error, error)
        ).run_in_background()
