"""Small charts drawn with QPainter, and clickable figure cards.

PySide6-Essentials has no QtCharts and a charting library would weigh more than
the whole app; a bar chart is a few rectangles, so it is drawn by hand here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import QLabel, QPushButton, QToolTip, QVBoxLayout, QWidget

from ui.style import muted_colour
from ui.texts import common

PALETTE = (QColor("#2b6cb0"), QColor("#dd6b20"), QColor("#38a169"), QColor("#805ad5"))


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int]


class BarChart(QWidget):
    """Grouped bars (vertical) or one bar per line (horizontal); a click on a bar emits
    its category index, a hover shows its value."""

    bar_clicked = Signal(int)

    def __init__(self, horizontal: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.horizontal = horizontal
        self.title = ""
        self.categories: list[str] = []
        self.series: list[Series] = []
        self.value_text: Callable[[int], str] = str
        self._bars: list[tuple[QRectF, int, int]] = []  # rect, category, series
        self.setMouseTracking(True)
        self.setMinimumHeight(190)

    def set_data(
        self,
        title: str,
        categories: Sequence[str],
        series: Sequence[Series],
        value_text: Callable[[int], str] = str,
    ) -> None:
        self.title = title
        self.categories = list(categories)
        self.series = list(series)
        self.value_text = value_text
        if self.horizontal:
            self.setMinimumHeight(40 + 22 * max(len(self.categories), 1))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(420, self.minimumHeight())

    @property
    def is_empty(self) -> bool:
        return not any(v for s in self.series for v in s.values)

    # Drawing -----------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        bold = QFont(self.font())
        bold.setBold(True)
        painter.setFont(bold)
        painter.drawText(QPointF(4, 14), self.title)
        painter.setFont(self.font())
        self._bars = []
        area = QRectF(4, 24, self.width() - 8, self.height() - 28)
        if self.is_empty:
            painter.setPen(muted_colour())
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, common.NO_DATA_FOR_PERIOD)
            return
        if self.horizontal:
            self._paint_horizontal(painter, area)
        else:
            self._paint_vertical(painter, area)
        self._paint_legend(painter)

    def _range(self) -> tuple[int, int]:
        values = [v for s in self.series for v in s.values]
        return min([0, *values]), max([0, *values]) or 1

    def _paint_vertical(self, painter: QPainter, area: QRectF) -> None:
        low, high = self._range()
        plot = QRectF(area.left() + 4, area.top() + 14, area.width() - 8, area.height() - 34)
        scale = plot.height() / (high - low)
        zero_y = plot.bottom() + low * scale
        slot = plot.width() / max(len(self.categories), 1)
        width = max(slot * 0.8 / max(len(self.series), 1), 1.0)
        for index, label in enumerate(self.categories):
            left = plot.left() + index * slot + slot * 0.1
            for number, series in enumerate(self.series):
                value = series.values[index]
                rect = QRectF(
                    left + number * width, zero_y - max(value, 0) * scale, width, abs(value) * scale
                ).normalized()
                painter.fillRect(rect, PALETTE[number % len(PALETTE)])
                self._bars.append((rect, index, number))
            painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
            painter.drawText(
                QRectF(plot.left() + index * slot, plot.bottom() + 2, slot, 16),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                label,
            )
        painter.setPen(muted_colour())
        painter.drawLine(QPointF(plot.left(), zero_y), QPointF(plot.right(), zero_y))
        painter.drawText(
            QPointF(plot.left(), plot.top() - 2),
            common.CHART_MAXIMUM.format(value=self.value_text(high)),
        )

    def _paint_horizontal(self, painter: QPainter, area: QRectF) -> None:
        low, high = self._range()
        label_width = min(area.width() * 0.42, 230.0)
        plot = QRectF(
            area.left() + label_width, area.top(), area.width() - label_width - 90, area.height()
        )
        scale = plot.width() / (high - low)
        zero_x = plot.left() - low * scale
        row = min(plot.height() / max(len(self.categories), 1), 26.0)
        values = self.series[0].values
        for index, label in enumerate(self.categories):
            top = plot.top() + index * row
            value = values[index]
            rect = QRectF(
                zero_x + min(value, 0) * scale, top + row * 0.15, abs(value) * scale, row * 0.7
            )
            painter.fillRect(rect, PALETTE[0])
            self._bars.append((rect, index, 0))
            painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
            painter.drawText(
                QRectF(area.left(), top, label_width - 6, row),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
            painter.drawText(
                QRectF(rect.right() + 4, top, 90, row),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                self.value_text(value),
            )

    def _paint_legend(self, painter: QPainter) -> None:
        if len(self.series) < 2:
            return
        x = self.width() - 8.0
        for number, series in reversed(list(enumerate(self.series))):
            width = painter.fontMetrics().horizontalAdvance(series.name) + 16
            x -= width
            painter.fillRect(QRectF(x, 5, 10, 10), PALETTE[number % len(PALETTE)])
            painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
            painter.drawText(QPointF(x + 13, 14), series.name)
            x -= 8

    # Interaction -------------------------------------------------------------
    def bar_at(self, point: QPointF) -> tuple[int, int] | None:
        for rect, category, series in self._bars:
            if rect.adjusted(-1, -1, 1, 1).contains(point):
                return category, series
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        hit = self.bar_at(event.position())
        if hit is not None and event.button() == Qt.MouseButton.LeftButton:
            self.bar_clicked.emit(hit[0])

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            hit = self.bar_at(QPointF(event.pos()))
            if hit is None:
                QToolTip.hideText()
            else:
                category, number = hit
                series = self.series[number]
                QToolTip.showText(
                    event.globalPos(),
                    f"{self.categories[category]} — {series.name} : "
                    f"{self.value_text(series.values[category])}",
                    self,
                )
            return True
        return super().event(event)


class FigureCard(QPushButton):
    """A headline figure: big number, label beneath, definition as tooltip; clickable."""

    def __init__(self, label: str, definition: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setToolTip(definition)
        self.setMinimumSize(150, 64)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.value_label = QLabel("—", self)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.7)
        font.setBold(True)
        self.value_label.setFont(font)
        self.caption = QLabel(label, self)
        self.caption.setWordWrap(True)
        for child in (self.value_label, self.caption):
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(0)
        layout.addWidget(self.value_label)
        layout.addWidget(self.caption)

    def set_value(self, text: str) -> None:
        self.value_label.setText(text)

    def sizeHint(self) -> QSize:
        return QSize(170, 70)
