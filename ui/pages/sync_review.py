"""The review half of the Synchronisation area: conflicts to check and duplicate persons
to merge, their buttons following the selection (split from ui/pages/sync_page.py)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QWidget,
)

from app import formatting
from app.changes import Changes
from app.people import merge
from app.sync import service
from ui.context import AppContext
from ui.operations import CollectionOp
from ui.texts import sync


def when(moment: object) -> str:
    import datetime as dt

    if not isinstance(moment, dt.datetime):
        return ""
    return formatting.timestamp(moment)


class SyncReview(QWidget):
    """Base of :class:`ui.pages.sync_page.SyncPage`, which builds the tables and boxes."""

    ctx: AppContext
    conflicts: list[service.ConflictView]
    duplicates: list[merge.DuplicatePair]
    conflict_table: QTableWidget
    duplicate_table: QTableWidget
    conflicts_box: QGroupBox
    duplicates_box: QGroupBox

    def refresh(self, then: Callable[[], None] | None = None) -> None:
        raise NotImplementedError  # the page re-reads its lists

    def _conflict_buttons(self) -> QWidget:
        row = QWidget(self)
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        self.open_button = QPushButton(sync.OPEN_RECORD, row)
        self.open_button.clicked.connect(self.open_selected_conflict)
        self.resolve_button = QPushButton(sync.MARK_CHECKED, row)
        self.resolve_button.setObjectName("resolveConflict")
        self.resolve_button.clicked.connect(self.resolve_selected_conflict)
        line.addStretch(1)
        line.addWidget(self.open_button)
        line.addWidget(self.resolve_button)
        return row

    def _duplicate_buttons(self) -> QWidget:
        row = QWidget(self)
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        self.merge_button = QPushButton(sync.MERGE_BOTH, row)
        self.merge_button.setObjectName("mergeDuplicates")
        self.merge_button.clicked.connect(self.merge_selected)
        line.addStretch(1)
        line.addWidget(self.merge_button)
        return row

    def _update_actions(self) -> None:
        """Buttons follow the selection; an empty list says so in its title."""
        conflict = bool(self.conflict_table.selectionModel().selectedRows())
        self.open_button.setEnabled(conflict)
        self.resolve_button.setEnabled(conflict)
        self.merge_button.setEnabled(bool(self.duplicate_table.selectionModel().selectedRows()))
        self.conflicts_box.setTitle(
            sync.CONFLICTS_GROUP if self.conflict_table.rowCount() else sync.CONFLICTS_NONE
        )
        self.duplicates_box.setTitle(
            sync.DUPLICATES_GROUP if self.duplicate_table.rowCount() else sync.DUPLICATES_NONE
        )

    def resolve_selected_conflict(self) -> None:
        row = self.conflict_table.currentRow()
        if row < 0:
            return
        conflict_id, profile = self.conflicts[row].id, self.ctx.profile
        CollectionOp(
            self.ctx,
            parent=self,
            op=lambda: service.resolve_conflict(profile, conflict_id),
            changes=Changes(),  # the row itself is not changed: only the review list
            success=lambda _r: self.refresh(),
            busy=self.conflict_table,
        ).run_in_background()

    def open_selected_conflict(self) -> None:
        row = self.conflict_table.currentRow()
        if row < 0:
            return
        conflict = self.conflicts[row]
        kind = {"person": "person", "invoice": "invoice"}.get(conflict.table_name)
        if kind:
            self.ctx.hub.open_requested.emit(kind, conflict.row_id)

    def merge_selected(self) -> None:
        row = self.duplicate_table.currentRow()
        if row < 0:
            return
        pair = self.duplicates[row]
        answer = QMessageBox.question(
            self,
            sync.MERGE_TITLE,
            sync.MERGE_QUESTION.format(
                name=f"{pair.other.last_name} {pair.other.first_name}",
                created=when(pair.keep.created_at),
            ),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        uow = self.ctx.uow
        CollectionOp(
            self.ctx,
            parent=self,
            op=lambda: merge.merge_persons(uow, pair.keep.id, pair.other.id),
            changes=Changes(persons=True),
            busy=self.merge_button,
        ).run_in_background()
