"""Columns sized for a 1366 px screen: short columns as wide as their longest usual value
(measured on a sample text, not on the rows: lists load page by page and are re-filled at
each keystroke), the long text columns sharing what is left, never narrower than a minimum.
Text that still does not fit is elided and shown whole in its tooltip (RowTableModel)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QTableView

PADDING = 18  # the cell's margins and the sort indicator
MIN_STRETCH_CHARS = "Nom Prénom Nom"  # a stretched column never goes narrower than this


def size_columns(view: QTableView, samples: Mapping[int, str], stretch: Sequence[int]) -> None:
    """``samples``: column → its longest usual text; ``stretch``: the columns sharing the rest."""
    model = view.model()
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    metrics, header_metrics = view.fontMetrics(), header.fontMetrics()
    header.setMinimumSectionSize(metrics.horizontalAdvance(MIN_STRETCH_CHARS) // 2)
    for column in range(model.columnCount()):
        title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        width = max(
            metrics.horizontalAdvance(samples.get(column, "")),
            header_metrics.horizontalAdvance(title),
        )
        if column in stretch:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        else:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            view.setColumnWidth(column, width + PADDING)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setWordWrap(False)
