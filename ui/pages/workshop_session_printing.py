"""Printing a session's documents from its panel: the blank or filled signature sheet
and the attendance certificates, made off the GUI thread (ui/operations.py).

Split from ``workshop_session_panel.py`` along this seam; the panel's ``print_sheet``,
``print_attestations`` and ``run_attestations`` call these.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.jobs import Cancelled, JobControl
from app.workshops import workshop_documents
from ui.messages import error_message
from ui.operations import QueryOp
from ui.texts import ateliers
from ui.widgets.documents import document_ready, open_folder

if TYPE_CHECKING:
    from ui.pages.workshop_session_panel import SessionPanel


def open_with_desktop(path: Path, parent: QWidget | None = None) -> None:
    """A sheet: where it is, with Ouvrir / Ouvrir le dossier / Imprimer; a folder: open it.

    ``parent``: the session panel that asked (its window), never the window active
    when the document is ready (issue 14)."""
    if path.is_dir():
        open_folder(parent, path)
    else:
        document_ready(path, parent)


class _ProgressRelay(QObject):
    """Carries a job's progress from the worker thread to the progress dialog."""

    progressed = Signal(int, int, str)


def print_sheet(self: SessionPanel, *, filled: bool) -> None:
    if self.detail is None:
        return
    documents = self.ctx.profile.paths.documents
    activity_id = self.detail.id

    reads = self.ctx.uow.reading()  # the sheet only reads: never behind a sync

    def done(path: Path) -> None:
        self.last_paths = [path]
        self.say(ateliers.SHEET_SAVED.format(path=path))
        self.open_file(path)

    QueryOp(
        self.ctx,
        parent=self,
        op=lambda: workshop_documents.print_attendance_sheet(
            reads, documents, activity_id, filled=filled
        ),
        success=done,
        busy=self.print_button,
    ).failure(lambda error: self.say(error_message(error), error=True)).run_in_background()


def print_attestations(self: SessionPanel) -> None:
    if self.detail is None:
        return
    reads, activity_id = self.ctx.uow.reading(), self.detail.id

    def found(people: list[str]) -> None:
        if not people:
            self.say(ateliers.NO_ATTESTATION_TO_MAKE, error=True)
            return
        self.run_attestations([(activity_id, person_id) for person_id in people])

    # After any marks still being written (the same worker, in order).
    QueryOp(
        self.ctx,
        parent=self,
        op=lambda: list(workshop_documents.attendees(reads, activity_id)),
        success=found,
        busy=self.print_button,
    ).failure(lambda error: self.say(error_message(error), error=True)).run_in_background()


def run_attestations(self: SessionPanel, requests: list[tuple[str, str]]) -> None:
    """Batch off the GUI thread, with a progress bar and a working "Annuler"."""
    dialog = QProgressDialog(
        ateliers.ATTESTATIONS_PROGRESS, ateliers.ATTESTATIONS_CANCEL, 0, len(requests), self
    )
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    relay = _ProgressRelay(self)
    relay.progressed.connect(lambda done, _total, _label: dialog.setValue(done))
    relay.progressed.connect(lambda _done, _total, label: dialog.setLabelText(label))
    control = JobControl(on_progress=relay.progressed.emit)
    dialog.canceled.connect(control.cancel)
    documents = self.ctx.profile.paths.documents
    self.progress_dialog = dialog

    def done(paths: object) -> None:
        dialog.reset()
        assert isinstance(paths, list)
        self.last_paths = paths
        folders = {path.parent for path in paths}
        folder = folders.pop() if len(folders) == 1 else documents / "ateliers"
        self.say(ateliers.ATTESTATIONS_SAVED.format(count=len(paths), folder=folder))
        self.open_file(folder)

    def failed(error: BaseException) -> None:
        dialog.reset()
        if isinstance(error, Cancelled):
            self.say(ateliers.ATTESTATIONS_CANCELLED, error=True)
        else:
            self.say(error_message(error), error=True)

    self.ctx.tasks.run_db(
        lambda: workshop_documents.generate_attestations(
            self.ctx.uow, documents, requests, control
        ),
        done,
        failed,
    )
