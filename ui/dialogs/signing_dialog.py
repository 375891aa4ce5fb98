"""« Faire signer »: the participants of one half-day sign on the laptop, then the trainer.

Full screen, large: a participant picks their name, signs in the frame with the
pen, the finger or the mouse, and validates; the next name is ready as soon as the
signature is written. The trainer countersigns last, which closes and seals the
half-day. The canvas (ui/widgets/signature_canvas.py) only records strokes (points with
their times); what is accepted, and the sealed sheet, is decided by the core
(app/workshops/signing.py, app/workshops/signing_seal.py).

Each signature is checked and written on the database worker (issue 14: nothing on the
GUI thread that writes), the frame, the names and the buttons greyed meanwhile; a
refusal is said in French under the frame, which is cleared to sign again. Closing the
dialog while a write is under way waits for it: nothing taken is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import formatting
from app.changes import Changes
from app.errors import PermanenceError
from app.workshops import signature_store, workshop_documents
from app.workshops.signing_seal import earlier_signatures, ensure_not_sealed, seal_session
from app.workshops.workshop_values import SessionDetail, hour_text
from ui.context import AppContext
from ui.messages import error_message, register
from ui.operations import CollectionOp
from ui.texts import ateliers, common
from ui.widgets.signature_canvas import SignatureCanvas

T = TypeVar("T")

register(
    error_messages={
        "signing_outside_window": (
            "La signature n'est possible que pendant la demi-journée : le {opens:%d/%m/%Y}, "
            "de {opens:%H:%M} à {closes:%H:%M}. Il est {now:%H:%M} le {now:%d/%m/%Y}."
        ),
        "signature_duplicate": (
            "Signature refusée : elle est identique à celle de {name}. "
            "Chacun signe lui-même, à nouveau, dans le cadre."
        ),
        "signature_empty": "La signature est vide ou trop courte : signez dans le cadre.",
        "already_signed": "{name} a déjà signé cette demi-journée.",
        "signing_closed": (
            "La demi-journée est close (contresignée) : plus aucune signature n'est possible."
        ),
        "nobody_signed": (
            "Personne n'a encore signé : le formateur contresigne après les participants."
        ),
        "trainer_name_required": "Indiquez le nom du formateur ou de la formatrice.",
        "countersign_required": "Le formateur doit contresigner avant le scellement.",
        "slot_already_sealed": (
            "Cette demi-journée a déjà été signée et scellée : elle ne peut plus l'être."
        ),
        "seal_key_unreadable": "La clé du sceau de ce profil est illisible ({path}).",
        "slot_countersigned": ateliers.SLOT_COUNTERSIGNED,
        "signature_frozen": ateliers.SIGNATURE_FROZEN,
        "signature_too_long": ateliers.SIGNATURE_TOO_LONG,
    }
)


class SigningDialog(QDialog):
    """One half-day signed, name after name, then countersigned and sealed.

    Raises :class:`PermanenceError` on construction when the half-day cannot be
    signed now (outside its window, or already sealed): the caller says why.
    """

    def __init__(
        self, ctx: AppContext, detail: SessionDetail, slot_id: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.documents = ctx.profile.paths.documents
        # Resumed from the signatures stored for this half-day (a restarted laptop keeps
        # them); each new one is written to the synced table as it is taken.
        self.session = signature_store.open_signing(
            ctx.uow, detail, slot_id, device=ctx.profile.settings.display_name
        )
        ensure_not_sealed(self.documents, self.session)
        self.session.earlier += earlier_signatures(self.documents, self.session)
        self.sealed_path: Path | None = None
        slot = self.session.slot
        self.setWindowTitle(ateliers.SIGNING_TITLE)
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 1.4)
        title = QLabel(
            f"<b>{_esc(detail.title)}</b><br/>"
            f"{formatting.date(slot.starts_at.date(), 'full')} — "
            f"{hour_text(slot.starts_at)} – {hour_text(slot.ends_at)}",
            self,
        )
        title.setFont(big)
        self.names = QListWidget(self)
        self.names.setFont(big)
        self.names.setAccessibleName(ateliers.NOT_YET_SIGNED)
        self.who = QLabel(self)
        self.who.setFont(big)
        self.canvas = SignatureCanvas(self)
        self.clear_button = QPushButton(ateliers.CLEAR_SIGNATURE, self)
        self.sign_button = QPushButton(ateliers.VALIDATE_SIGNATURE, self)
        self.sign_button.setDefault(True)
        self.trainer = QLineEdit(self)
        self.trainer.setPlaceholderText(ateliers.TRAINER_NAME_PLACEHOLDER)
        self.trainer.setText(detail.animateurs.split(",")[0].strip())
        self.trainer_button = QPushButton(ateliers.COUNTERSIGN_AND_CLOSE, self)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setObjectName("signingMessage")
        self.close_button = QPushButton(common.CLOSE, self)
        for button in (self.clear_button, self.sign_button, self.trainer_button):
            button.setMinimumHeight(44)  # a finger or a pen must hit them on a touch screen
            button.setFont(big)
        self.trainer_mode = False
        self._writes = 0  # writes under way on the database worker
        self._close_asked: int | None = None  # a close asked while writing: its result
        self._layout(title)
        self.names.currentItemChanged.connect(lambda *_: self._show_who())
        self.clear_button.clicked.connect(self.canvas.clear)
        self.sign_button.clicked.connect(self.validate)
        self.trainer_button.clicked.connect(self.start_countersignature)
        self.close_button.clicked.connect(self.reject)
        self._fill_names()

    def _layout(self, title: QLabel) -> None:
        right = QVBoxLayout()
        right.addWidget(self.who)
        right.addWidget(self.canvas, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        buttons.addWidget(self.sign_button)
        right.addLayout(buttons)
        right.addWidget(self.message)  # a refusal is read where the signature was drawn
        body = QHBoxLayout()
        body.addWidget(self.names, 1)
        body.addLayout(right, 3)
        trainer = QHBoxLayout()
        trainer.addWidget(QLabel(ateliers.TRAINER, self))
        trainer.addWidget(self.trainer, 1)
        trainer.addWidget(self.trainer_button)
        trainer.addStretch(1)
        trainer.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(body, 1)
        layout.addLayout(trainer)

    def showEvent(self, event: QShowEvent) -> None:
        self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        super().showEvent(event)

    # Names --------------------------------------------------------------------
    def _fill_names(self) -> None:
        self.names.clear()
        for person_id, name in self.session.pending():
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, person_id)
            self.names.addItem(item)
        if self.names.count():
            self.names.setCurrentRow(0)
        self._show_who()

    def _show_who(self) -> None:
        if self.session.closed:
            self.who.setText(ateliers.HALF_DAY_SEALED)
        elif self.trainer_mode:
            self.who.setText(ateliers.COUNTERSIGNATURE_OF.format(name=_esc(self.trainer.text())))
        elif self.names.currentItem() is not None:
            item = self.names.currentItem()
            self.who.setText(ateliers.SIGNATURE_OF.format(name=_esc(item.text())))
        else:
            self.who.setText(ateliers.ALL_SIGNED)
        self.canvas.clear()

    def select(self, person_id: str) -> None:
        for row in range(self.names.count()):
            item = self.names.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == person_id:
                self.names.setCurrentRow(row)
                return

    # Signing ------------------------------------------------------------------
    def validate(self) -> None:
        """The signature in the frame is submitted: the participant's, or the trainer's.
        The core checks and writes it on the database worker (docs/signing.md: each
        accepted signature is written at once); meanwhile the frame, the names and the
        buttons are greyed, and a refusal is said in French under the frame."""
        if self.writing:
            return
        if self.trainer_mode:
            self._countersign()
            return
        item = self.names.currentItem()
        if item is None:
            self.say(ateliers.PICK_YOUR_NAME, error=True)
            return
        person_id, name = str(item.data(Qt.ItemDataRole.UserRole)), item.text()
        # What was drawn is read here, on the GUI thread; the worker gets plain values.
        session, strokes, box = self.session, self.canvas.strokes(), self.canvas.box()
        self.say(ateliers.SAVING_SIGNATURE.format(name=name))
        self._write(
            lambda: session.sign(person_id, strokes, box),
            lambda _signature: self._signed(person_id, name),
        )

    def _signed(self, person_id: str, name: str) -> None:
        self.say(ateliers.THANKS_SIGNED.format(name=name))
        for row in range(self.names.count()):
            if self.names.item(row).data(Qt.ItemDataRole.UserRole) == person_id:
                self.names.takeItem(row)
                break
        if self.names.count():
            self.names.setCurrentRow(0)
        self._show_who()

    def start_countersignature(self) -> None:
        if self.writing:
            return
        if not self.session.signatures:
            self.say(error_message(PermanenceError("nobody_signed")), error=True)
            return
        self.trainer_mode = True
        self.names.setEnabled(False)
        self.sign_button.setText(ateliers.VALIDATE_COUNTERSIGNATURE)
        self._show_who()

    def _countersign(self) -> None:
        session, trainer = self.session, self.trainer.text()
        strokes, box = self.canvas.strokes(), self.canvas.box()
        self.say(ateliers.SAVING_COUNTERSIGNATURE)
        self._write(lambda: session.countersign(trainer, strokes, box), self._countersigned)

    def _countersigned(self, _signature: object) -> None:
        # The sheet is drawn and sealed off the GUI thread too (a PDF and a signature);
        # the dialog still waits for it if asked to close. The session panel announces
        # the change once this dialog is closed.
        uow, documents, root = self.ctx.uow, self.documents, self.ctx.profile.paths.root
        session = self.session

        def seal() -> Path:
            organisation = workshop_documents.organisation_of(uow.reading())
            return seal_session(uow, documents, root, session, organisation)

        self._write(seal, self._sealed, refused=self._seal_failed, busy=[self.close_button])

    def _sealed(self, path: Path) -> None:
        self.sealed_path = path
        for widget in (self.sign_button, self.clear_button, self.trainer_button, self.trainer):
            widget.setEnabled(False)
        self.canvas.setEnabled(False)
        self._show_who()
        self.say(ateliers.SHEET_SEALED.format(path=path))
        self.close_button.setText(ateliers.FINISH)
        self.close_button.clicked.disconnect()
        self.close_button.clicked.connect(self.accept)

    # Writing off the GUI thread -------------------------------------------------
    @property
    def writing(self) -> bool:
        """A signature (or the seal) is being written on the database worker."""
        return self._writes > 0

    def _write(
        self,
        op: Callable[[], T],
        success: Callable[[T], None],
        *,
        refused: Callable[[BaseException], None] | None = None,
        busy: list[QWidget] | None = None,
    ) -> None:
        """``op`` on the database worker (:class:`ui.operations.CollectionOp`), the frame,
        the names and the buttons greyed until it is over; a refusal is said in French
        (``refused``; by default under the frame, which is cleared to sign again)."""
        self._writes += 1
        # Greying the focused list or button moves the focus on (to « Fermer », which
        # Entrée would then press): it goes back where it was once the write is over.
        focused = self.focusWidget()

        def over() -> None:
            self._writes -= 1
            if not shiboken6.isValid(self):  # deleted with its parent meanwhile
                return
            if focused is not None and shiboken6.isValid(focused) and focused.isEnabled():
                focused.setFocus()
            # After the success or the refusal that follows: a close asked meanwhile
            # happens once no write is left (the seal follows the countersignature).
            QTimer.singleShot(0, self, self._close_if_asked)

        widgets = [self.canvas, self.names, self.sign_button, self.clear_button]
        widgets += [self.trainer_button, self.trainer, *(busy or [])]
        CollectionOp(
            self.ctx, parent=self, op=op, changes=Changes(), success=success, busy=widgets
        ).failure(refused or self._refused).after(over).run_in_background()

    def _refused(self, error: BaseException) -> None:
        self._close_asked = None  # stay open: whoever signed must see why it was refused
        self.say(error_message(error), error=True)
        self.canvas.clear()

    def _seal_failed(self, error: BaseException) -> None:
        self._close_asked = None
        self.say(error_message(error), error=True)

    def done(self, result: int) -> None:
        """Closing (« Fermer », Échap, the window's cross) waits for a write under way:
        the signature being saved is never cut off; the dialog closes once it is in."""
        if self.writing:
            self._close_asked = result
            self.say(ateliers.CLOSING_AFTER_SAVING)
            return
        super().done(result)

    def _close_if_asked(self) -> None:
        if not self.writing and self._close_asked is not None:
            result, self._close_asked = self._close_asked, None
            self.done(result)

    def say(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")
        self.message.setText(text)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
