"""One session on screen: summary, printing, registrations and the attendance grid.

Attendance marks (« Tous présents » included) and the documents run off the GUI thread as
typed operations (ui/operations.py), one after another on the database worker, so marks
typed quickly are written in the order typed and a document printed after them shows
them. Reads go through read-only units of work (app/uow.py): never behind a sync.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import clock, formatting
from app.changes import Changes
from app.errors import PermanenceError
from app.workshops import attendance, registrations, workshop_list, workshops
from app.workshops.attendance import Mark
from app.workshops.workshop_values import WAITING, RegistrationInfo, SessionDetail, duration_text
from ui.context import AppContext
from ui.dialogs.workshop_session_dialog import WorkshopSessionDialog
from ui.messages import error_message
from ui.operations import CollectionOp
from ui.pages import workshop_session_printing as printing
from ui.pages.workshop_registrations import RegistrationsPanel
from ui.pages.workshop_session_printing import open_with_desktop
from ui.pages.workshops_texts import KIND_LABELS
from ui.style import tab_widget
from ui.texts import ateliers
from ui.widgets.attendance_grid import AttendanceGrid

# What the open session shows, reloaded in full (attendance alone refreshes the header).
SHOWN = Changes(workshops=True, persons=True, remote=True)


class SessionPanel(QWidget):
    session_deleted = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.detail: SessionDetail | None = None
        # Replaceable so tests (and a future "print directly" option) can intercept.
        # Over this panel's window (issue 14), never whichever window is active then.
        self.open_file: Callable[[Path], None] = partial(open_with_desktop, parent=self)
        self.clock: Callable[[], dt.datetime] = attendance.local_now
        self.last_paths: list[Path] = []
        self.progress_dialog: QProgressDialog | None = None
        self.header = QLabel(self)
        self.header.setObjectName("sessionHeader")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.message = QLabel(self)
        self.message.setObjectName("sessionMessage")
        self.message.setWordWrap(True)
        self.edit_button = QPushButton(ateliers.EDIT_SESSION, self)
        # The three documents share one "Imprimer" menu: five buttons in a row made the
        # panel so wide that the session list scrolled sideways on a 1200 px screen.
        self.print_button = QToolButton(self)
        self.print_button.setText(ateliers.PRINT_MENU)
        self.print_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.print_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        menu = QMenu(self.print_button)
        self.blank_action = menu.addAction(ateliers.PRINT_BLANK_SHEET)
        self.filled_action = menu.addAction(ateliers.PRINT_FILLED_SHEET)
        self.attestations_action = menu.addAction(ateliers.PRINT_ATTESTATIONS)
        self.print_button.setMenu(menu)
        self.delete_button = QPushButton(ateliers.DELETE_SESSION, self)
        self.sign_button = QPushButton(ateliers.SIGN_ON_LAPTOP, self)
        self.sign_button.setToolTip(ateliers.SIGN_ON_LAPTOP_TOOLTIP)
        self.sign_button.clicked.connect(self.sign_on_laptop)
        self.edit_button.clicked.connect(self.edit)
        self.blank_action.triggered.connect(lambda: self.print_sheet(filled=False))
        self.filled_action.triggered.connect(lambda: self.print_sheet(filled=True))
        self.attestations_action.triggered.connect(self.print_attestations)
        self.delete_button.clicked.connect(self.delete)
        self.registrations = RegistrationsPanel(ctx.uow.reading(), self)  # it only searches
        self.registrations.register_requested.connect(self.register)
        self.registrations.cancel_requested.connect(self.cancel)
        self.registrations.person_opened.connect(
            lambda person_id: ctx.hub.open_requested.emit("person", person_id)
        )
        self.grid = AttendanceGrid(self)
        self.grid.marks_requested.connect(self.mark)
        self.grid.all_present_requested.connect(self.all_present)
        self.tabs = tab_widget(self)
        self.tabs.addTab(self.registrations, ateliers.REGISTRATIONS_TAB)
        self.tabs.addTab(self.grid, ateliers.ATTENDANCE_SHEET)
        buttons = QHBoxLayout()
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.sign_button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        self.show_session(None)
        ctx.hub.changed.connect(self._on_changed)

    # Showing -------------------------------------------------------------------
    def load(self, activity_id: str) -> None:
        try:
            self.show_session(workshops.get_session(self.ctx.uow.reading(), activity_id))
        except PermanenceError as error:
            self.show_session(None)
            self.say(error_message(error), error=True)

    def reload(self) -> None:
        if self.detail is not None:
            self.load(self.detail.id)

    def show_session(self, detail: SessionDetail | None) -> None:
        self.detail = detail
        for widget in (
            self.edit_button,
            self.print_button,
            self.sign_button,
            self.delete_button,
            self.tabs,
        ):
            widget.setEnabled(detail is not None)
        if detail is None:
            self.header.setText(ateliers.NO_SESSION_CHOSEN)
            return
        self.header.setText(self._header_html(detail))
        self.registrations.show_session(detail)
        self.grid.set_session(detail, self.clock())

    def _header_html(self, detail: SessionDetail) -> str:
        rate = workshop_list.attendance_rate(self.ctx.uow.reading(), detail.id, now=self.clock())
        days = sorted({s.starts_at.date() for s in detail.slots})
        hours = ateliers.HOURS_JOINER.join(
            s.hours_label for s in detail.slots if s.starts_at.date() == days[0]
        )
        parts = [
            f"<b>{_esc(detail.title)}</b>",
            f"{KIND_LABELS.get(detail.kind, detail.kind)}"
            + (f" — {_esc(detail.theme_name)}" if detail.theme_name else ""),
            ", ".join(formatting.date(d, "full") for d in days) + f" — {hours}",
            ateliers.SESSION_PLACE.format(place=_esc(detail.place_label)),
            ateliers.SESSION_ANIMATEURS.format(
                animateurs=_esc(detail.animateurs) or "—",
                duration=duration_text(detail.total_minutes),
            ),
        ]
        if rate is not None:
            parts.append(ateliers.SESSION_ATTENDANCE_RATE.format(rate=formatting.percent_bp(rate)))
        parts += self._signing_lines(detail)
        return "<br/>".join(parts)

    def _signing_lines(self, detail: SessionDetail) -> list[str]:
        """Each signed half-day: signatures, closed or not, sealed by the siège when."""
        from app.workshops.signature_status import slot_signing

        lines = []
        for slot in slot_signing(self.ctx.uow.reading(), detail.id):
            day = formatting.date(slot.starts_at.date(), "short")
            half = f"{day} {ateliers.MORNING if slot.starts_at.hour < 13 else ateliers.AFTERNOON}"
            sealed = (
                clock.to_local(slot.sealed_at).strftime("%d/%m/%Y à %H:%M")
                if slot.sealed_at is not None
                else ""
            )
            words = ateliers.signing_status(half, slot.signatures, slot.countersigned, sealed)
            lines.append(f"{ateliers.SIGNING_HEADER} — {_esc(words)}")
        return lines

    def say(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")
        self.message.setText(text)

    # Registrations --------------------------------------------------------------
    # Written off the GUI thread (ui/operations.py); the panel reloads from the notice.
    def register(self, person_id: str) -> None:
        if self.detail is None:
            return
        uow, activity_id = self.ctx.uow, self.detail.id

        def registered(info: RegistrationInfo) -> None:
            if info.status == WAITING:
                self.say(ateliers.REGISTERED_WAITING.format(name=info.full_name))
            else:
                self.say(ateliers.REGISTERED_PERSON.format(name=info.full_name))

        CollectionOp(
            self.ctx,
            parent=self,
            op=lambda: registrations.register_person(uow, activity_id, person_id),
            changes=Changes(workshops=True),
            success=registered,
            busy=(),  # the search keeps the keyboard; registering twice is refused in French
        ).failure(self._refused).run_in_background()

    def cancel(self, person_id: str) -> None:
        if self.detail is None:
            return
        uow, activity_id = self.ctx.uow, self.detail.id

        def cancelled(promoted: RegistrationInfo | None) -> None:
            if promoted is not None:
                self.say(ateliers.CANCELLED_PROMOTED.format(name=promoted.full_name))
            else:
                self.say(ateliers.REGISTRATION_CANCELLED)

        CollectionOp(
            self.ctx,
            parent=self,
            op=lambda: registrations.cancel_registration(uow, activity_id, person_id),
            changes=Changes(workshops=True),
            success=cancelled,
            busy=self.registrations.cancel_button,
        ).failure(self._refused).run_in_background()

    # Attendance -----------------------------------------------------------------
    def mark(self, marks: list[Mark]) -> None:
        uow, now = self.ctx.uow, self.clock()

        def marked(_changed: int) -> None:
            self.message.clear()
            # The header's rate follows from the notice.
            self.grid.apply(marks)

        # Not busy: the grid keeps the keyboard while the marks are written.
        CollectionOp[int](
            self.ctx,
            parent=self,
            op=lambda: attendance.mark_many(uow, marks, now=now),
            changes=Changes(attendance=True),
            success=marked,
            busy=(),
        ).failure(self._refused).run_in_background()

    def all_present(self) -> None:
        if self.detail is None:
            return
        uow, now, activity_id = self.ctx.uow, self.clock(), self.detail.id

        def mark_all() -> tuple[int, SessionDetail]:
            changed = attendance.mark_all_present(uow, activity_id, now=now)
            return changed, workshops.get_session(uow.reading(), activity_id)

        def marked(result: tuple[int, SessionDetail]) -> None:
            changed, detail = result
            self.say(
                ateliers.PRESENCES_NOTED.format(count=changed)
                if changed
                else ateliers.NOTHING_TO_MARK
            )
            if self.detail is not None and self.detail.id == detail.id:
                self.show_session(detail)  # the grid shows the new marks

        CollectionOp(
            self.ctx,
            parent=self,
            op=mark_all,
            changes=Changes(attendance=True),
            success=marked,
            busy=self.grid.all_present_button,
        ).failure(self._refused).run_in_background()

    def _refused(self, error: BaseException) -> None:
        self.say(error_message(error), error=True)

    def _changed(self, changes: Changes | None = None) -> None:
        """Announce this panel's change; the panel reloads from the notice like every view."""
        self.ctx.hub.notify(changes or Changes(workshops=True))

    def _on_changed(self, changes: Changes) -> None:
        if self.detail is None:
            return
        if changes.touches(SHOWN):
            self.reload()
        elif changes.attendance:
            # Only the rate: reloading the grid under the user's cursor would lose their place.
            self.header.setText(self._header_html(self.detail))

    # Editing ----------------------------------------------------------------------
    def edit(self) -> None:
        if self.detail is None:
            return
        # The dialog saves and announces the change itself; this panel reloads from it.
        WorkshopSessionDialog(self.ctx, self.detail, parent=self).exec()

    def delete(self) -> None:
        if self.detail is None:
            return
        answer = QMessageBox.question(
            self,
            ateliers.DELETE_SESSION_TITLE,
            ateliers.DELETE_SESSION_QUESTION.format(title=self.detail.title),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        uow, deleted = self.ctx.uow, self.detail.id

        def gone(_none: None) -> None:
            if self.detail is not None and self.detail.id == deleted:
                self.show_session(None)
            self.session_deleted.emit(deleted)

        CollectionOp(
            self.ctx,
            parent=self,
            op=lambda: workshops.delete_session(uow, deleted),
            changes=Changes(workshops=True),
            success=gone,
            busy=self.delete_button,
        ).failure(self._refused).run_in_background()

    # Signing on the laptop (issue 16) ---------------------------------------------
    def sign_on_laptop(self) -> None:
        """The half-day open now is signed on this laptop (ui/dialogs/signing_dialog.py)."""
        if self.detail is None:
            return
        # Imported here: pyHanko and cryptography need not slow the window's start.
        from app.workshops.signing import open_slot
        from ui.dialogs.signing_dialog import SigningDialog

        slot = open_slot(self.detail, self.clock())
        if slot is None:
            self.say(ateliers.NO_HALF_DAY_OPEN, error=True)
            return
        try:
            dialog = SigningDialog(self.ctx, self.detail, slot.id, parent=self)
        except PermanenceError as error:
            self.say(error_message(error), error=True)
            return
        dialog.exec()
        if dialog.sealed_path is not None:
            self.last_paths = [dialog.sealed_path]
            self.say(ateliers.SHEET_SEALED.format(path=dialog.sealed_path))
            self._changed(Changes(workshops=True, attendance=True))

    # Printing (ui/pages/workshop_session_printing.py) ------------------------------
    def print_sheet(self, *, filled: bool) -> None:
        printing.print_sheet(self, filled=filled)

    def print_attestations(self) -> None:
        printing.print_attestations(self)

    def run_attestations(self, requests: list[tuple[str, str]]) -> None:
        """Batch off the GUI thread, with a progress bar and a working "Annuler"."""
        printing.run_attestations(self, requests)


def _esc(text: str | None) -> str:
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
