"""Plan an appointment (intake or follow-up) for a person: it shows on that day's agenda."""

from __future__ import annotations

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QWidget,
)

from app.changes import Changes
from app.clock import today
from app.people import agenda
from app.people.agenda import AppointmentInput
from ui.context import AppContext
from ui.dialogs.form_writes import save_button, write_form
from ui.dialogs.people_widgets import fill_combo, permanence_items, staff_items, text_area
from ui.messages_people import APPOINTMENT_KINDS
from ui.texts import accueil, common
from ui.widgets.date_time_fields import DateTimeField, refuse_bad_input
from ui.widgets.forms import FormErrors, dialog_frame


class AppointmentDialog(QDialog):
    def __init__(
        self, ctx: AppContext, person_id: str, kind: str = "suivi", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.person_id = person_id
        self.saved_id: str | None = None
        self.errors = FormErrors()
        self.setWindowTitle(accueil.APPOINTMENT_TITLE)
        settings = ctx.profile.settings
        self.starts_at = DateTimeField(self)
        self.starts_at.setDateTime(QDateTime(QDate(today()).addDays(7), QTime(10, 0)))
        self.kind = QComboBox(self)
        fill_combo(self.kind, list(APPOINTMENT_KINDS.items()), kind)
        self.permanence = QComboBox(self)
        reads = ctx.uow.reading()  # opening never waits behind a sync being applied
        fill_combo(self.permanence, permanence_items(reads), settings.permanence_id)
        self.accompagnateur = QComboBox(self)
        fill_combo(self.accompagnateur, staff_items(reads), settings.accompagnateur_id)
        self.note = text_area(self, lines=2)
        form = QFormLayout()
        self.errors.add_row(form, accueil.APPOINTMENT_WHEN, "starts_at", self.starts_at)
        self.errors.add_row(form, accueil.INTERVIEW, "kind", self.kind)
        self.errors.add_row(form, common.PERMANENCE, "permanence_id", self.permanence)
        self.errors.add_row(form, common.ACCOMPAGNATEUR, "accompagnateur_id", self.accompagnateur)
        self.errors.add_row(form, common.NOTE, "note", self.note)
        frame = dialog_frame(self, [form], self.save)
        self.general_error = frame.general_error
        self.save_button = save_button(frame.buttons)

    def value(self) -> AppointmentInput:
        return AppointmentInput(
            person_id=self.person_id,
            starts_at=self.starts_at.dateTime().toPython(),  # type: ignore[arg-type]
            kind=self.kind.currentData(),
            permanence_id=self.permanence.currentData(),
            accompagnateur_id=self.accompagnateur.currentData(),
            note=self.note.toPlainText(),
        )

    def save(self) -> None:
        """Save off the GUI thread, « Enregistrer » greyed meanwhile; closes once saved."""
        if not self.save_button.isEnabled():
            return  # already saving
        self.errors.clear()
        if refuse_bad_input(self):  # a date or time not understood: said under it, not saved
            return
        uow, data = self.ctx.uow, self.value()
        write_form(
            self.ctx,
            self,
            op=lambda: agenda.schedule_appointment(uow, data),
            changes=Changes(interviews=True, agenda=True),
            success=self._saved,
            errors=self.errors,
            general_error=self.general_error,
            busy=self.save_button,
        ).run_in_background()

    def _saved(self, appointment_id: str) -> None:
        self.saved_id = appointment_id
        self.accept()
