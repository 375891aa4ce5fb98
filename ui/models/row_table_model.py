"""One generic table model over frozen rows, loaded lazily by pages.

The model never touches the database: it is given ``fetch(offset, limit)`` and
``count()`` callables (services) and asks for the next page only when the view
scrolls near the end (``canFetchMore``/``fetchMore``). ``data()`` only reads
rows already in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Row = TypeVar("Row")
Index = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Column(Generic[Row]):
    header: str
    text: Callable[[Row], str]
    align_right: bool = False
    tooltip: Callable[[Row], str] | None = None


class RowTableModel(QAbstractTableModel, Generic[Row]):
    def __init__(self, columns: Sequence[Column[Row]], page_size: int = 200) -> None:
        super().__init__()
        self.columns = list(columns)
        self.page_size = page_size
        self._rows: list[Row] = []
        # Display texts by (row, column), made once per load: a repaint asks for every
        # visible cell again, and some texts are costly (phone numbers, dates).
        self._texts: dict[tuple[int, int], str] = {}
        self._total = 0
        self._fetch: Callable[[int, int], list[Row]] | None = None

    # Loading -----------------------------------------------------------------
    def load(
        self,
        fetch: Callable[[int, int], list[Row]],
        total: int,
        first_page: list[Row] | None = None,
    ) -> None:
        """Start over with a new query: first page now (given, or fetched), the rest as the
        view scrolls."""
        self.beginResetModel()
        self._texts.clear()
        self._fetch = fetch
        self._total = total
        if first_page is not None:
            self._rows = list(first_page)
        else:
            self._rows = fetch(0, self.page_size) if total else []
        self.endResetModel()

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self._texts.clear()
        self._fetch = None
        self._rows = list(rows)
        self._total = len(self._rows)
        self.endResetModel()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._fetch is not None and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if self._fetch is None or parent.isValid():
            return
        more = self._fetch(len(self._rows), self.page_size)
        if not more:
            self._total = len(self._rows)
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()

    # Access ------------------------------------------------------------------
    @property
    def total(self) -> int:
        return self._total

    def row_at(self, row: int) -> Row | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def loaded_rows(self) -> list[Row]:
        return list(self._rows)

    # Qt API ------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].header
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            key = (index.row(), index.column())
            text = self._texts.get(key)
            if text is None:
                text = self._texts[key] = self.columns[key[1]].text(self._rows[key[0]])
            return text
        row = self._rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            # The whole text when a narrow column elides it (ui/widgets/columns.py).
            if column.tooltip is not None:
                return column.tooltip(row)
            return self.data(index) or None
        if role == ROW_ROLE:
            return row
        return None
