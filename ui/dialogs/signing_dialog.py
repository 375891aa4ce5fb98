"""« Faire signer »: the participants of one half-day sign on the laptop, then the trainer.

Full screen, large: a participant picks their name, signs in the frame with the
pen, the finger or the mouse, and validates; the next name is ready at once. The
trainer countersigns last, which closes and seals the half-day. The canvas only
records strokes (points with their times); what is accepted, and the sealed sheet,
is decided by the core (app/workshops/signing.py, app/workshops/signing_seal.py).
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QPointF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QShowEvent,
    QTabletEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app import formatting
from app.changes import Changes
from app.errors import PermanenceError
from app.workshops import signature_store, workshop_documents
from app.workshops.signing import Point, Stroke
from app.workshops.signing_seal import earlier_signatures, ensure_not_sealed, seal_session
from app.workshops.workshop_values import SessionDetail, hour_text
from ui.context import AppContext
from ui.messages import error_message, register
from ui.operations import CollectionOp
from ui.texts import ateliers, common

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

INK = QColor("#0B1F5C")


class SignatureCanvas(QWidget):
    """Records what the pen draws as strokes of points, each with its time in ms."""

    stroke_finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(600, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAccessibleName(ateliers.SIGNATURE_FRAME)
        self._strokes: list[list[Point]] = []
        self._timer = QElapsedTimer()
        self._drawing = False

    # What was drawn -----------------------------------------------------------
    def strokes(self) -> list[Stroke]:
        return [tuple(stroke) for stroke in self._strokes if stroke]

    def box(self) -> tuple[float, float]:
        return float(self.width()), float(self.height())

    def is_empty(self) -> bool:
        return not any(self._strokes)

    def clear(self) -> None:
        self._strokes = []
        self._drawing = False
        self._timer.invalidate()
        self.update()

    # Pen, finger or mouse -------------------------------------------------------
    def pen_down(self, position: QPointF) -> None:
        if not self._timer.isValid():
            self._timer.start()  # times count from the first touch of this signature
        self._drawing = True
        self._strokes.append([self._point(position)])
        self.update()

    def pen_move(self, position: QPointF) -> None:
        if self._drawing:
            self._strokes[-1].append(self._point(position))
            self.update()

    def pen_up(self, position: QPointF) -> None:
        if self._drawing:
            last = self._strokes[-1][-1]
            if (last.x, last.y) != (round(position.x(), 2), round(position.y(), 2)):
                self._strokes[-1].append(self._point(position))
            self._drawing = False
            self.update()
            self.stroke_finished.emit()

    def _point(self, position: QPointF) -> Point:
        return Point(round(position.x(), 2), round(position.y(), 2), self._timer.elapsed())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.pen_down(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self.pen_move(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.pen_up(event.position())

    def tabletEvent(self, event: QTabletEvent) -> None:
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self.pen_down(event.position())
        elif kind == QTabletEvent.Type.TabletMove:
            self.pen_move(event.position())
        elif kind == QTabletEvent.Type.TabletRelease:
            self.pen_up(event.position())
        event.accept()  # otherwise Qt replays the pen as a mouse

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#FFFFFF"))
        painter.setPen(QPen(QColor("#999999"), 1, Qt.PenStyle.DashLine))
        baseline = int(self.height() * 0.75)
        painter.drawLine(20, baseline, self.width() - 20, baseline)
        painter.setPen(QPen(INK, 2.5, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        for stroke in self._strokes:
            for start, end in pairwise(stroke):
                painter.drawLine(QPointF(start.x, start.y), QPointF(end.x, end.y))
            if len(stroke) == 1:
                painter.drawPoint(QPointF(stroke[0].x, stroke[0].y))
        painter.end()


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
        layout.addWidget(self.message)
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
        """The signature in the frame is submitted: the participant's, or the trainer's."""
        if self.trainer_mode:
            self._countersign()
            return
        item = self.names.currentItem()
        if item is None:
            self.say(ateliers.PICK_YOUR_NAME, error=True)
            return
        try:
            self.session.sign(
                str(item.data(Qt.ItemDataRole.UserRole)), self.canvas.strokes(), self.canvas.box()
            )
        except PermanenceError as error:
            self.say(error_message(error), error=True)
            self.canvas.clear()
            return
        self.say(ateliers.THANKS_SIGNED.format(name=item.text()))
        self.names.takeItem(self.names.row(item))
        if self.names.count():
            self.names.setCurrentRow(0)
        self._show_who()

    def start_countersignature(self) -> None:
        if not self.session.signatures:
            self.say(error_message(PermanenceError("nobody_signed")), error=True)
            return
        self.trainer_mode = True
        self.names.setEnabled(False)
        self.sign_button.setText(ateliers.VALIDATE_COUNTERSIGNATURE)
        self._show_who()

    def _countersign(self) -> None:
        try:
            self.session.countersign(self.trainer.text(), self.canvas.strokes(), self.canvas.box())
        except PermanenceError as error:
            self.say(error_message(error), error=True)
            self.canvas.clear()
            return
        # The sheet is drawn and sealed off the GUI thread (a PDF and a signature: the
        # window must not freeze); the buttons are greyed meanwhile. The session panel
        # announces the change once this dialog is closed.
        uow, documents, root = self.ctx.uow, self.documents, self.ctx.profile.paths.root
        session = self.session

        def seal() -> Path:
            organisation = workshop_documents.organisation_of(uow.reading())
            return seal_session(uow, documents, root, session, organisation)

        CollectionOp(
            self.ctx,
            parent=self,
            op=seal,
            changes=Changes(),
            success=self._sealed,
            busy=[self.sign_button, self.clear_button, self.trainer_button, self.close_button],
        ).failure(lambda error: self.say(error_message(error), error=True)).run_in_background()

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

    def say(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")
        self.message.setText(text)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
