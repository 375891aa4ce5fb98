"""Entretien d'accueil, filled during the meeting: Tab moves field to field, Ctrl+Entrée
finalises, and the text is saved as a draft every few seconds, when the focus leaves a
field and when the window closes — a laptop going to sleep loses nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

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
from app.people import interviews, people_reports, persons
from app.people.interviews import IntakeInfo, IntakeInput
from app.states import IntakeDecision
from ui.context import AppContext
from ui.dialogs import people_widgets
from ui.dialogs.people_widgets import (
    SavedId,
    date_edit,
    fill_combo,
    permanence_items,
    staff_items,
    text_area,
)
from ui.messages_people import DECISIONS, stamp
from ui.operations import CollectionOp
from ui.style import muted_css
from ui.texts import accueil, common
from ui.widgets.date_time_fields import refuse_bad_input
from ui.widgets.forms import FormErrors, general_error_label, show_failure
from ui.widgets.screen import remember_geometry

T = TypeVar("T")

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
        reads = ctx.uow.reading()  # opening never waits behind a sync being applied
        self.person = persons.get_person(reads, person_id)
        self.intake: IntakeInfo | None = (
            interviews.get_intake(reads, intake_id)
            if intake_id
            else interviews.draft_intake_for(reads, self.person.id)
        )
        self.saved_id = SavedId(self.intake.id if self.intake else None)
        self.dirty = False
        self.saving = 0  # writes started whose answer has not come back yet
        self.settling = False  # finalising or discarding: no draft autosaved meanwhile
        self.refused = False  # the last write was refused, nothing edited since
        self._close_with: int | None = None  # a close asked while a save was running
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
        uow = self.ctx.uow.reading()
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
            reads = self.ctx.uow.reading()
            fill_combo(self.permanence, permanence_items(reads), intake.permanence_id)
            fill_combo(self.accompagnateur, staff_items(reads), intake.accompagnateur_id)
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
        self.refused = False

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
    # Every write runs off the GUI thread (ui/operations.py), one after the other on the
    # database worker; the record's id travels in ``saved_id`` (people_widgets.SavedId).
    def _write_buttons(self) -> list[QWidget]:
        return [
            self.save_draft_button,
            self.finalize_button,
            self.print_button,
            self.discard_button,
        ]

    def _write(
        self,
        op: Callable[[], T],
        changes: Changes | Callable[[T], Changes],
        success: Callable[[T], None],
        *,
        busy: bool = True,
        final: bool = False,
    ) -> None:
        """Start one write; ``busy``: grey the buttons meanwhile (not for an autosave);
        ``final``: finalising or discarding, after which no draft is autosaved."""
        self.saving += 1
        self.settling = self.settling or final

        def finished() -> None:
            self.saving -= 1
            if final:
                self.settling = False

        def failed(error: BaseException) -> None:
            self.dirty = True  # what was typed is kept for the next try
            # A draft refused is not tried again before an edit (the reason is shown); a
            # refused finalisation still leaves the draft to keep on closing.
            self.refused = not final
            self._close_with = None  # stay open, the reason shown
            show_failure(self.errors, self.general_error, error)

        def succeeded(result: T) -> None:
            success(result)
            self._close_if_asked()

        CollectionOp(
            self.ctx,
            parent=self,
            op=op,
            changes=changes,
            success=succeeded,
            busy=self._write_buttons() if busy else (),
        ).failure(failed).after(finished).run_in_background()

    def autosave(self, force: bool = False) -> bool:
        """Start writing the draft if anything changed. True when nothing is left to save
        (False: a write is under way, or a date was refused)."""
        if self.is_final or self.settling:
            return self.saving == 0
        if self.refused and not force:
            return False  # the reason is shown; tried again once something is edited
        if not (self.dirty or force):
            return self.saving == 0
        if refuse_bad_input(self):  # a date not understood: said under it, nothing saved
            return False
        uow, data, saved_id = self.ctx.uow, self.value(), self.saved_id

        def save() -> IntakeInfo:
            info = interviews.save_intake_draft(uow, data, saved_id.value)
            saved_id.value = info.id
            return info

        self.dirty = False  # what is typed from now on goes with the next autosave
        self._write(save, Changes(interviews=True), self._draft_saved, busy=force)
        return False

    def _draft_saved(self, intake: IntakeInfo) -> None:
        self.intake = intake
        self.refused = False
        self.errors.clear()
        self.general_error.hide()
        self._show_state()

    def finalize(self) -> None:
        if self.settling or not self.finalize_button.isEnabled():
            return  # already under way (Ctrl+Entrée pressed twice)
        self.errors.clear()
        self.general_error.hide()
        if refuse_bad_input(self):
            return
        uow, data, saved_id = self.ctx.uow, self.value(), self.saved_id

        def final() -> IntakeInfo:
            info = interviews.finalize_intake(uow, data, saved_id.value)
            saved_id.value = info.id
            return info

        self.dirty = False
        self._write(
            final,
            Changes(persons=True, interviews=True, parcours=True),
            self._finalised,
            final=True,
        )

    def _finalised(self, intake: IntakeInfo) -> None:
        self.intake = intake
        self.settling = False
        self._decision_changed()
        self._show_state()
        self.state_label.setText(
            accueil.INTAKE_FINALISED_ON.format(date=formatting.date(intake.held_on))
        )

    def discard_draft(self) -> None:
        """An intake started by mistake (wrong person, duplicate): its draft is deleted
        (a tombstone, synced like any change), after a confirmation."""
        if self.intake is None or not self.intake.is_draft or self.settling:
            return
        answer = QMessageBox.question(
            self,
            accueil.DISCARD_DRAFT,
            accueil.DISCARD_DRAFT_QUESTION,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        uow, saved_id = self.ctx.uow, self.saved_id

        def discard() -> None:
            if saved_id.value is not None:
                interviews.discard_intake_draft(uow, saved_id.value)
            saved_id.value = None

        def discarded(_none: None) -> None:
            self.intake = None
            self.dirty = False  # nothing left to autosave on closing
            self.accept()

        self.dirty = False
        self._write(discard, Changes(interviews=True), discarded, final=True)

    def print_report(self) -> None:
        """Save what was typed (as a draft), then write the report and say where it is."""
        if self.intake is None or self.settling:
            return
        save = not self.is_final and self.dirty
        if save and refuse_bad_input(self):
            return
        uow, saved_id = self.ctx.uow, self.saved_id
        data = self.value() if save else None
        folder = self.ctx.profile.paths.documents / "entretiens"

        def write() -> tuple[IntakeInfo | None, Path]:
            info = None
            if data is not None:
                info = interviews.save_intake_draft(uow, data, saved_id.value)
                saved_id.value = info.id
            assert saved_id.value is not None
            path = people_reports.write_interview_report(uow, "accueil", saved_id.value, folder)
            return info, path

        def written(result: tuple[IntakeInfo | None, Path]) -> None:
            info, path = result
            if info is not None:
                self._draft_saved(info)
            self.last_report = path
            people_widgets.open_file(path, self)

        self.dirty = False
        self._write(write, lambda result: Changes(interviews=result[0] is not None), written)

    def _focus_changed(self, old: QWidget | None, _new: QWidget | None) -> None:
        if old is not None and self.isAncestorOf(old):
            self.autosave()

    def done(self, result: int) -> None:
        """Closes once what was typed is saved: the draft is written first (off the GUI
        thread), and if it cannot be kept (e.g. a social security number was typed) the
        window stays open with the reason shown, rather than lose the rest of the text."""
        if not self.autosave() or self.saving:
            self._close_with = result
            return
        self._close_with = None
        if self.autosave_timer.isActive():
            self.autosave_timer.stop()
            app = QApplication.instance()
            if isinstance(app, QApplication):
                app.focusChanged.disconnect(self._focus_changed)
        super().done(result)

    def _close_if_asked(self) -> None:
        """A close asked while a write ran: done again now that it is over."""
        if self._close_with is not None and self.saving == 0:
            result, self._close_with = self._close_with, None
            QTimer.singleShot(0, self, lambda: self.done(result))
