"""Charts of the annual report, drawn with reportlab's own graphics (no extra library,
so the bundle stays small)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from reportlab.graphics import renderPDF
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.platypus import Flowable

from app import formatting
from app.pdf.common import FONT, FONT_BOLD

CURRENT = colors.HexColor("#2b6cb0")
PREVIOUS = colors.HexColor("#a0aec0")
WIDTH, HEIGHT = 480, 190
MONTHS_FR = [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
]


def _title(drawing: Drawing, text: str) -> None:
    drawing.add(String(0, HEIGHT - 12, text, fontName=FONT_BOLD, fontSize=9.5))


def _legend(drawing: Drawing, names: Sequence[str], x: float) -> None:
    legend = Legend()
    legend.x, legend.y = x - 20 - 45 * len(names), HEIGHT - 8
    legend.fontName, legend.fontSize = FONT, 7.5
    legend.dx, legend.dy = 7, 7
    legend.columnMaximum = 1
    legend.colorNamePairs = list(zip((CURRENT, PREVIOUS), names, strict=False))
    drawing.add(legend)


def axis_label(value: float, unit: str = "") -> str:
    """An axis graduation in French: 8000 -> "8 000", 1.5 -> "1,5", with ``unit`` after."""
    exact = Decimal(str(round(value, 2))).normalize()
    decimals = max(0, -int(exact.as_tuple().exponent))
    text = formatting.number(exact, decimals)
    return f"{text}\u00a0{unit}" if unit else text


def _french_axis(axis: Any, unit: str, top: float) -> None:
    axis.labels.fontName = FONT
    axis.labels.fontSize = 7
    axis.labelTextFormat = lambda value: axis_label(value, unit)
    if top <= 5:  # counts: no "0,5 person" graduations
        axis.valueStep = 1


def _nice_max(values: Sequence[float]) -> float:
    top = max([*values, 0.0])
    if top <= 0:
        return 1.0
    step = 10 ** (len(str(int(top))) - 1)
    return float(((int(top) // step) + 1) * step)


def compare_bars(
    title: str,
    categories: Sequence[str],
    current: Sequence[float],
    previous: Sequence[float] | None,
    names: Sequence[str],
    unit: str = "",
) -> Drawing:
    """Vertical bars, this year beside the previous one; ``unit`` follows each graduation."""
    drawing = Drawing(WIDTH, HEIGHT)
    _title(drawing, title)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 50, 30, WIDTH - 60, HEIGHT - 60
    chart.data = [list(current)] + ([list(previous)] if previous is not None else [])
    chart.bars[0].fillColor = CURRENT
    if previous is not None:
        chart.bars[1].fillColor = PREVIOUS
    chart.categoryAxis.categoryNames = list(categories)
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = min([0.0, *current, *(previous or [])])
    chart.valueAxis.valueMax = _nice_max([*current, *(previous or [])])
    _french_axis(chart.valueAxis, unit, chart.valueAxis.valueMax)
    chart.barSpacing = 1
    drawing.add(chart)
    _legend(drawing, names, WIDTH)
    return drawing


def horizontal_bars(title: str, labels: Sequence[str], values: Sequence[float]) -> Drawing:
    """One bar per category (outcomes of exits, antennes...)."""
    rows = max(len(labels), 1)
    height = min(40 + 16 * rows, 320)
    drawing = Drawing(WIDTH, height)
    drawing.add(String(0, height - 12, title, fontName=FONT_BOLD, fontSize=9.5))
    chart = HorizontalBarChart()
    # The graduations need ~15 pt under the bars, else they touch what follows.
    chart.x, chart.y, chart.width, chart.height = 190, 18, WIDTH - 200, height - 38
    chart.data = [list(values) or [0]]
    chart.bars[0].fillColor = CURRENT
    chart.categoryAxis.categoryNames = [label[:38] for label in labels] or ["—"]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = min([0.0, *values])
    chart.valueAxis.valueMax = _nice_max(values)
    _french_axis(chart.valueAxis, "", chart.valueAxis.valueMax)
    drawing.add(chart)
    return drawing


def month_names(keys: Sequence[str]) -> list[str]:
    return [MONTHS_FR[int(key[5:7]) - 1] for key in keys]


class Chart(Flowable):
    """A chart built when laid out. ``build_pdf`` deep-copies its story (two passes for
    "Page n / N") and reportlab's chart widgets do not survive ``deepcopy``; a copy of
    this flowable just rebuilds the drawing from the same function."""

    def __init__(self, make: Callable[[], Drawing]) -> None:
        super().__init__()
        self.make = make
        self._drawing: Drawing | None = None

    def __deepcopy__(self, _memo: dict[int, Any]) -> Chart:
        return Chart(self.make)

    def _get(self) -> Drawing:
        if self._drawing is None:
            self._drawing = self.make()
        return self._drawing

    def wrap(self, _avail_width: float, _avail_height: float) -> tuple[float, float]:
        drawing = self._get()
        return float(drawing.width), float(drawing.height)

    def draw(self) -> None:
        renderPDF.draw(self._get(), self.canv, 0, 0)
