"""Entretien d'accueil, filled during the meeting: Tab moves field to field, Ctrl+Entrée
finalises, and the text is saved as a draft every few seconds, when the focus leaves a
field and when the window closes — a laptop going to sleep loses nothing."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app import formatting
from app.changes import Changes
from app.clock import today
from app.errors import PermanenceError
from app.people import interviews, people_reports, persons
from app.people.interviews import IntakeInfo, IntakeInput
from app.states import IntakeDecision
from ui.context import AppContext
from ui.dialogs import people_widgets
from ui.dialogs.people_widgets import (
    date_edit,
    fill_combo,
    permanence_items,
    staff_items,
    text_area,
)
from ui.messages_people import DECISIONS, stamp
from ui.style import muted_css
from ui.texts import accueil, common
from ui.widgets.date_time_fields import refuse_bad_input
from ui.widgets.forms import FormErrors, general_error_label, show_failure
from ui.widgets.screen import remember_geometry

AUTOSAVE_MS = 4000
TEXT_FIELDS = (
    ("project_what", accueil.PROJECT_WHAT_REQUIRED),
    ("project_how", accueil.PROJECT_HOW),
    ("project_to_whom", accueil.PROJECT_TO_WHOM),
    ("project_territory", accueil.PROJECT_TERRITORY),
    ("experience", accueil.EXPERIENCE),
    ("motivation", accueil.MOTIVATION),
    ("needs", accueil.NEEDS),
)


class IntakeDialog(QDialog):
    def __init__(
        self,
        ctx: AppContext,
        person_id: str,
        intake_id: str | None = None,
        parent: QWidget | None = None,
        held_on: dt.date | None = None,
    ) -> None:
        """``held_on``: the day of a new intake (that of the agenda slot; today otherwise)."""
        super().__init__(parent)
        self.ctx = ctx
        self.default_day = held_on or today()
        self.person = persons.get_person(ctx.uow, person_id)
        self.intake: IntakeInfo | None = (
            interviews.get_intake(ctx.uow, intake_id)
            if intake_id
            else interviews.draft_intake_for(ctx.uow, self.person.id)
        )
        self.dirty = False
        self.errors = FormErrors()
        self.setWindowTitle(accueil.INTAKE_TITLE.format(name=self.person.full_name))
        remember_geometry(self, "intake", 760, 820)
        self._build()
        self._load()
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    # Layout --------------------------------------------------------------------
    def _build(self) -> None:
        settings = self.ctx.profile.settings
        uow = self.ctx.uow
        self.held_on = date_edit(self)
        self.permanence = QComboBox(self)
        fill_combo(self.permanence, permanence_items(uow), settings.permanence_id)
        self.accompagnateur = QComboBox(self)
        fill_combo(self.accompagnateur, staff_items(uow), settings.accompagnateur_id)
        head = QFormLayout()
        self.errors.add_row(head, common.DATE, "held_on", self.held_on)
        self.errors.add_row(head, common.PERMANENCE, "permanence_id", self.permanence)
        self.errors.add_row(
            head, accueil.ACCOMPAGNATEUR_REQUIRED, "accompagnateur_id", self.accompagnateur
        )

        self.texts = {name: text_area(self) for name, _label in TEXT_FIELDS}
        project = QGroupBox(accueil.THE_PROJECT, self)
        project_form = QFormLayout(project)
        for name, label in TEXT_FIELDS:
            self.errors.add_row(project_form, label, name, self.texts[name])

        self.decision = QComboBox(self)
        fill_combo(self.decision, list(DECISIONS.items()))
        self.decision_reason = text_area(self, lines=2)
        self.next_step = text_area(self, lines=2)
        self.convention_start = date_edit(self)
        decision = QGroupBox(accueil.DECISION, self)
        decision_form = self.decision_form = QFormLayout(decision)
        self.errors.add_row(decision_form, accueil.DECISION, "decision", self.decision)
        self.errors.add_row(
            decision_form, accueil.DECISION_REASON, "decision_reason", self.decision_reason
        )
        self.convention_row = self.errors.add_row(
            decision_form, accueil.CONVENTION_START, "convention_start", self.convention_start
        )
        self.errors.add_row(decision_form, accueil.NEXT_STEP, "next_step", self.next_step)
        self.decision.currentIndexChanged.connect(self._decision_changed)

        body = QWidget(self)
        body_layout = QVBoxLayout(body)
        body_layout.addLayout(head)
        body_layout.addWidget(project)
        body_layout.addWidget(decision)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)

        self.state_label = QLabel(self)
        self.state_label.setObjectName("draftState")
        self.state_label.setStyleSheet(muted_css())
        self.general_error = general_error_label(self)
        self.save_draft_button = QPushButton(accueil.SAVE_DRAFT, self)
        self.finalize_button = QPushButton(accueil.FINALISE_INTAKE_CTRL_ENTER, self)
        self.finalize_button.setDefault(True)
        self.print_button = QPushButton(accueil.PRINT_REPORT, self)
        self.close_button = QPushButton(common.CLOSE, self)
        self.discard_button = QPushButton(accueil.DISCARD_DRAFT_ELLIPSIS, self)
        self.discard_button.clicked.connect(self.discard_draft)
        self.save_draft_button.clicked.connect(lambda: self.autosave(force=True))
        self.finalize_button.clicked.connect(self.finalize)
        self.print_button.clicked.connect(self.print_report)
        self.close_button.clicked.connect(self.close)
        for sequence in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(sequence), self, self.finalize)
        QShortcut(QKeySequence.StandardKey.Save, self, lambda: self.autosave(force=True))
        buttons = QHBoxLayout()
        buttons.addWidget(self.state_label, 1)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.save_draft_button)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.finalize_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.general_error)
        layout.addLayout(buttons)

        for edit in self.texts.values():
            edit.textChanged.connect(self._mark_dirty)
        for edit in (self.decision_reason, self.next_step):
            edit.textChanged.connect(self._mark_dirty)
        for combo in (self.permanence, self.accompagnateur, self.decision):
            combo.currentIndexChanged.connect(self._mark_dirty)
        self.held_on.dateChanged.connect(self._mark_dirty)
        self.held_on.dateChanged.connect(self._held_on_changed)

    def _load(self) -> None:
        intake = self.intake
        if intake is None:
            self.held_on.setDate(QDate(self.default_day))
            self.convention_start.setDate(QDate(self.default_day))
        else:
            self.held_on.setDate(QDate(intake.held_on))
            self.convention_start.setDate(QDate(intake.held_on))
            fill_combo(self.permanence, permanence_items(self.ctx.uow), intake.permanence_id)
            fill_combo(self.accompagnateur, staff_items(self.ctx.uow), intake.accompagnateur_id)
            for name, edit in self.texts.items():
                edit.setPlainText(getattr(intake, name))
            fill_combo(self.decision, list(DECISIONS.items()), intake.decision)
            self.decision_reason.setPlainText(intake.decision_reason)
            self.next_step.setPlainText(intake.next_step)
        self._decision_changed()
        self._show_state()
        self.dirty = False
        self.texts["project_what"].setFocus()

    # State ---------------------------------------------------------------------
    @property
    def is_final(self) -> bool:
        return self.intake is not None and not self.intake.is_draft

    def _mark_dirty(self, *_args: object) -> None:
        self.dirty = True

    def _held_on_changed(self, date: QDate) -> None:
        if self.convention_start.date() < date:
            self.convention_start.setDate(date)

    def _decision_changed(self, *_args: object) -> None:
        # The CAPE is opened from here only when admitting, and only once.
        admitted = self.decision.currentData() == IntakeDecision.ADMITTED and not self.is_final
        self.decision_form.setRowVisible(self.convention_row, admitted)

    def _show_state(self) -> None:
        intake = self.intake
        if intake is None:
            self.state_label.setText(accueil.NEW_DRAFT_AUTOSAVED)
        elif intake.is_draft:
            self.state_label.setText(
                accueil.INTAKE_DRAFT_SAVED.format(stamp=stamp(intake.updated_by, intake.updated_at))
            )
        else:
            self.state_label.setText(
                accueil.INTAKE_FINALISED.format(stamp=stamp(intake.updated_by, intake.updated_at))
            )
        self.print_button.setEnabled(intake is not None)
        self.discard_button.setEnabled(intake is not None and intake.is_draft)
        self.save_draft_button.setEnabled(not self.is_final)
        self.finalize_button.setText(
            accueil.SAVE_CTRL_ENTER if self.is_final else accueil.FINALISE_INTAKE_CTRL_ENTER
        )

    def value(self) -> IntakeInput:
        admitted = self.decision.currentData() == IntakeDecision.ADMITTED and not self.is_final
        return IntakeInput(
            person_id=self.person.id,
            held_on=self.held_on.date().toPython(),  # type: ignore[arg-type]
            permanence_id=self.permanence.currentData(),
            accompagnateur_id=self.accompagnateur.currentData(),
            decision=self.decision.currentData() or "",
            decision_reason=self.decision_reason.toPlainText(),
            next_step=self.next_step.toPlainText(),
            convention_start=(
                self.convention_start.date().toPython() if admitted else None  # type: ignore[arg-type]
            ),
            **{name: edit.toPlainText() for name, edit in self.texts.items()},
        )

    # Actions -------------------------------------------------------------------
    def autosave(self, force: bool = False) -> bool:
        """Write the draft if anything changed; True when nothing is left unsaved."""
        if self.is_final or not (self.dirty or force):
            return True
        if refuse_bad_input(self):  # a date not understood: said under it, nothing saved
            return False
        try:
            self.intake = interviews.save_intake_draft(
                self.ctx.uow, self.value(), self.intake.id if self.intake else None
            )
        except PermanenceError as exc:
            show_failure(self.errors, self.general_error, exc)
            return False
        self.dirty = False
        self.errors.clear()
        self.general_error.hide()
        self._show_state()
        self.ctx.hub.notify(Changes(interviews=True))
        return True

    def finalize(self) -> None:
        self.errors.clear()
        self.general_error.hide()
        if refuse_bad_input(self):
            return
        try:
            self.intake = interviews.finalize_intake(
                self.ctx.uow, self.value(), self.intake.id if self.intake else None
            )
        except PermanenceError as exc:
            show_failure(self.errors, self.general_error, exc)
            return
        self.dirty = False
        self._decision_changed()
        self._show_state()
        self.ctx.hub.notify(Changes(persons=True, interviews=True, parcours=True))
        self.state_label.setText(
            accueil.INTAKE_FINALISED_ON.format(date=formatting.date(self.intake.held_on))
        )

    def discard_draft(self) -> None:
        """An intake started by mistake (wrong person, duplicate): its draft is deleted
        (a tombstone, synced like any change), after a confirmation."""
        if self.intake is None or not self.intake.is_draft:
            return
        answer = QMessageBox.question(
            self,
            accueil.DISCARD_DRAFT,
            accueil.DISCARD_DRAFT_QUESTION,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            interviews.discard_intake_draft(self.ctx.uow, self.intake.id)
        except PermanenceError as exc:
            show_failure(self.errors, self.general_error, exc)
            return
        self.intake = None
        self.dirty = False  # nothing left to autosave on closing
        self.ctx.hub.notify(Changes(interviews=True))
        self.accept()

    def print_report(self) -> None:
        if not self.autosave() or self.intake is None:
            return
        folder = self.ctx.profile.paths.documents / "entretiens"
        try:
            path = people_reports.write_interview_report(
                self.ctx.uow, "accueil", self.intake.id, folder
            )
        except PermanenceError as exc:
            show_failure(self.errors, self.general_error, exc)
            return
        self.last_report = path
        people_widgets.open_file(path)

    def _focus_changed(self, old: QWidget | None, _new: QWidget | None) -> None:
        if old is not None and self.isAncestorOf(old):
            self.autosave()

    def done(self, result: int) -> None:
        if not self.autosave():
            # The draft could not be kept (e.g. a social security number was typed): stay
            # open with the reason shown, rather than lose the rest of the text.
            return
        if self.autosave_timer.isActive():
            self.autosave_timer.stop()
            app = QApplication.instance()
            if isinstance(app, QApplication):
                app.focusChanged.disconnect(self._focus_changed)
        super().done(result)
