"""The person record's actions: its writes and documents, each off the GUI thread
(ui/operations.py), a refusal said in French over the record. The record itself, its
layout and what it shows, is :class:`ui.pages.person_detail_page.PersonDetailPage`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QListWidget, QMessageBox, QPushButton, QTableView, QWidget

from app.changes import Changes
from app.people import agenda, parcours, people_reports, personal_data, persons
from app.people.person_file import InterviewRow, PersonFile, TimelineEvent
from app.states import StageKind
from ui.context import AppContext
from ui.dialogs import people_widgets
from ui.messages import error_message
from ui.models.row_table_model import RowTableModel
from ui.operations import CollectionOp, QueryOp
from ui.texts import accueil, common

# What an anonymisation erases: the identity and the free text of the person's
# interviews, stages and appointments (app/people/anonymise.py).
ANONYMISED = Changes(persons=True, interviews=True, parcours=True, agenda=True)


class PersonRecordActions(QWidget):
    """What the record's buttons and menu do; the widgets are the record's."""

    back_requested = Signal()
    # Emitted with the id of another record to show (e.g. a duplicate chosen in a dialog).
    open_person = Signal(str)

    ctx: AppContext
    file: PersonFile | None
    buttons: dict[str, QPushButton]
    timeline: QTableView
    timeline_model: RowTableModel[TimelineEvent]
    interview_table: QTableView
    interview_model: RowTableModel[InterviewRow]
    print_interview_button: QPushButton
    appointments: QListWidget
    last_export: tuple[object, object]

    @property
    def person_id(self) -> str | None:
        return self.file.person.id if self.file else None

    def _selected_stage_id(self) -> str | None:
        index = self.timeline.currentIndex()
        event = self.timeline_model.row_at(index.row()) if index.isValid() else None
        return event.ref_id if event is not None and event.ref_kind == "stage" else None

    # Actions -------------------------------------------------------------------
    def _write(
        self,
        action: Callable[[], object],
        changes: Changes,
        done: Callable[[object], None] | None = None,
    ) -> None:
        """Write off the GUI thread, the record greyed meanwhile; a refusal is said in
        French over it; this page refreshes from the notice like every open view."""
        CollectionOp(self.ctx, parent=self, op=action, changes=changes, success=done).failure(
            self._refused
        ).run_in_background()

    def _document(self, make: Callable[[], Path], button: QWidget) -> None:
        """Write a document off the GUI thread, then say where it is (over this window)."""
        QueryOp(
            self.ctx,
            parent=self,
            op=make,
            success=lambda path: people_widgets.open_file(path, self),
            busy=button,
        ).failure(self._refused).run_in_background()

    def _refused(self, error: BaseException) -> None:
        QMessageBox.warning(self, common.APP_NAME, error_message(error))

    def renew_cape(self) -> None:
        stage_id = self._selected_stage_id()
        if stage_id is None:
            cape = [s for s in (self.file.stages if self.file else []) if s.kind == StageKind.CAPE]
            stage_id = cape[-1].id if cape else None
        if stage_id is not None:
            uow = self.ctx.uow
            self._write(
                lambda: parcours.renew_cape(uow, stage_id), Changes(parcours=True, persons=True)
            )

    def delete_stage(self) -> None:
        stage_id = self._selected_stage_id()
        if stage_id is None:
            return
        if self._confirm(accueil.DELETE_STAGE_QUESTION):
            uow = self.ctx.uow
            self._write(
                lambda: parcours.delete_stage(uow, stage_id), Changes(parcours=True, persons=True)
            )

    def cancel_appointment(self) -> None:
        row = self.appointments.currentRow()
        if self.file is None or row < 0:
            return
        appointment_id = self.file.appointments[row][0]
        uow = self.ctx.uow
        self._write(lambda: agenda.cancel_appointment(uow, appointment_id), Changes(agenda=True))

    def print_selected_interview(self) -> None:
        index = self.interview_table.currentIndex()
        row = self.interview_model.row_at(index.row()) if index.isValid() else None
        if row is None:
            return
        folder = self.ctx.profile.paths.documents / "entretiens"
        uow, kind, interview_id = self.ctx.uow.reading(), row.kind, row.id
        self._document(
            lambda: people_reports.write_interview_report(uow, kind, interview_id, folder),
            self.print_interview_button,
        )

    def print_summary(self) -> None:
        if self.person_id:
            pid = self.person_id
            folder = self.ctx.profile.paths.documents / "parcours"
            uow = self.ctx.uow.reading()
            self._document(
                lambda: people_reports.write_parcours_summary(uow, pid, folder),
                self.buttons[accueil.SUMMARY_PDF],
            )

    def export_data(self) -> None:
        if not self.person_id:
            return
        pid = self.person_id
        folder = self.ctx.profile.paths.documents / "donnees-personnelles"

        def done(paths: tuple[object, object]) -> None:
            self.last_export = paths
            QMessageBox.information(
                self,
                accueil.DATA_EXPORTED_TITLE,
                accueil.DATA_EXPORTED.format(json=paths[0], pdf=paths[1]),
            )

        uow = self.ctx.uow.reading()
        self.ctx.tasks.run_db(lambda: personal_data.write_export(uow, pid, folder), done)

    def anonymise(self) -> None:
        if self.person_id and self._confirm(accueil.ANONYMISE_PERSON_QUESTION):
            pid = self.person_id
            uow = self.ctx.uow
            # It rewrites the database file (VACUUM) and the backups: seconds on a large
            # profile, so off the GUI thread, the record greyed out meanwhile; a refusal
            # (invoices or FSE+ sheets still kept) is shown in French; the notice then
            # refreshes this record and every open view (ui/operations.py).
            CollectionOp(
                self.ctx,
                parent=self,
                op=lambda: personal_data.anonymise_person(uow, pid),
                changes=ANONYMISED,
            ).run_in_background()

    def delete_person(self) -> None:
        if self.person_id and self._confirm(accueil.DELETE_RECORD_QUESTION):
            pid, uow = self.person_id, self.ctx.uow

            def deleted(_none: object) -> None:
                if self.person_id == pid:
                    self.file = None
                    self.back_requested.emit()

            self._write(lambda: persons.delete_person(uow, pid), Changes(persons=True), deleted)

    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, common.APP_NAME, text)
        return answer == QMessageBox.StandardButton.Yes
