"""The frame a participant signs in, on the signing screen (ui/dialogs/signing_dialog.py).

It only records strokes (points with their times, in ms from the first touch) from the
pen, the finger or the mouse; what is accepted is decided by the core
(app/workshops/signing.py). Disabled while a signature is being written: it takes no
ink then, and draws its ink in grey, so nobody signs over a signature being saved.
"""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import QElapsedTimer, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QTabletEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.workshops.signing import Point, Stroke
from ui.texts import ateliers

INK = QColor("#0B1F5C")
GREYED_INK = QColor("#8A8F99")
GREYED_PAPER = QColor("#EEEEEE")


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
        enabled = self.isEnabled()
        painter.fillRect(self.rect(), QColor("#FFFFFF") if enabled else GREYED_PAPER)
        painter.setPen(QPen(QColor("#999999"), 1, Qt.PenStyle.DashLine))
        baseline = int(self.height() * 0.75)
        painter.drawLine(20, baseline, self.width() - 20, baseline)
        ink = INK if enabled else GREYED_INK
        painter.setPen(QPen(ink, 2.5, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        for stroke in self._strokes:
            for start, end in pairwise(stroke):
                painter.drawLine(QPointF(start.x, start.y), QPointF(end.x, end.y))
            if len(stroke) == 1:
                painter.drawPoint(QPointF(stroke[0].x, stroke[0].y))
        painter.end()
