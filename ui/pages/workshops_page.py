"""Ateliers: sessions of ateliers, réunions coopératives and manifestations.

Left, the session list with filters and the "émargement non rempli" flag;
right, the selected session (registrations, attendance grid, printing).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelection, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import formatting
from app.changes import Changes
from app.workshops import workshop_catalogue, workshop_documents, workshop_list
from app.workshops.workshop_values import SessionFilter, SessionRow
from ui.context import AppContext
from ui.dialogs.workshop_catalogue_dialog import WorkshopCatalogueDialog
from ui.dialogs.workshop_session_dialog import WorkshopSessionDialog
from ui.models.row_table_model import Column, RowTableModel
from ui.pages.workshop_session_panel import SessionPanel
from ui.pages.workshops_texts import KIND_LABELS
from ui.texts import ateliers, common
from ui.widgets.search import debounced_search
from ui.widgets.shortcuts import add_list_shortcuts
from ui.widgets.tab_out import tab_leaves

TITLE, THEME, PLACE, RATE = 2, 3, 4, 6
# Share of the width left by the short columns that Thème and Lieu may take at most
# (capped at their content); Intitulé stretches over the rest.
SHARES = {THEME: 0.22, PLACE: 0.30}


def _registered(row: SessionRow) -> str:
    text = f"{row.registered} / {row.capacity}" if row.capacity else str(row.registered)
    return (
        ateliers.WITH_WAITING.format(registered=text, waiting=row.waiting) if row.waiting else text
    )


COLUMNS: list[Column[SessionRow]] = [
    Column(common.DATE, lambda r: formatting.date(r.held_on)),
    Column(common.TYPE, lambda r: KIND_LABELS.get(r.kind, r.kind)),
    Column(common.LABEL, lambda r: r.title, tooltip=lambda r: r.title),
    Column(ateliers.THEME, lambda r: r.theme_name or "", tooltip=lambda r: r.theme_name or ""),
    Column(ateliers.PLACE, lambda r: r.place_label, tooltip=lambda r: r.place_label),
    Column(ateliers.REGISTERED, _registered, align_right=True),
    Column(
        ateliers.ATTENDANCE,
        lambda r: formatting.percent_bp(r.rate_bp) if r.rate_bp is not None else "",
        align_right=True,
    ),
    Column(
        ateliers.ATTENDANCE_SHEET,
        lambda r: ateliers.SHEET_TO_FILL if r.attendance_missing else "",
        tooltip=lambda r: ateliers.SHEET_TO_FILL_TOOLTIP if r.attendance_missing else "",
    ),
]


# What the list shows: sessions, their registrations and presence rates, names.
SHOWN = Changes(workshops=True, attendance=True, persons=True, remote=True)


class WorkshopsPage(QWidget):
    title = ateliers.WORKSHOPS_AREA_TITLE

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.search = QLineEdit(self)
        self.search.setObjectName("sessionSearch")
        self.search.setPlaceholderText(ateliers.SEARCH_TITLE_PLACEHOLDER)
        self.search.setClearButtonEnabled(True)
        self.kind = QComboBox(self)
        self.kind.addItem(ateliers.ALL_KINDS, None)
        for code, label in KIND_LABELS.items():
            self.kind.addItem(label, code)
        self.theme = QComboBox(self)
        self._fill_themes()
        self.missing_only = QCheckBox(ateliers.SHEET_NOT_FILLED_ONLY, self)
        self.new_button = QPushButton(ateliers.NEW_SESSION_BUTTON, self)
        self.new_button.clicked.connect(self.new_session)
        add_list_shortcuts(self, self.new_button, self.search)
        self.batch_button = QPushButton(ateliers.BATCH_ATTESTATIONS, self)
        self.batch_button.setToolTip(ateliers.BATCH_ATTESTATIONS_TOOLTIP)
        self.batch_button.setEnabled(False)
        self.batch_button.clicked.connect(self.batch_attestations)
        self.catalogue_button = QPushButton(ateliers.CATALOGUE_BUTTON, self)
        self.catalogue_button.clicked.connect(self.edit_catalogue)
        self.fse_button = QPushButton(ateliers.FSE_BUTTON, self)  # issue 16
        self.fse_button.setToolTip(ateliers.FSE_BUTTON_TOOLTIP)
        self.fse_button.clicked.connect(self.export_fse)
        self.model: RowTableModel[SessionRow] = RowTableModel(COLUMNS)
        self.table = QTableView(self)
        self.table.setObjectName("sessionTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Several sessions can be selected for one batch of attestations.
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in (THEME, PLACE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.table.viewport().installEventFilter(self)
        self.table.setWordWrap(False)  # one line per session; a capped title is elided
        self.table.setAlternatingRowColors(True)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.count_label = QLabel(self)
        self.panel = SessionPanel(ctx, self)
        # Tab leaves the list and the attendance grid (whose cells are marked with keys and
        # moved with the arrows), instead of walking their cells forever.
        tab_leaves(self.table, self.panel.grid.view)
        self.panel.session_deleted.connect(lambda _id: self.refresh())

        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.kind)
        filters.addWidget(self.theme)
        filters.addWidget(self.missing_only)
        second = QHBoxLayout()
        second.addStretch(1)
        second.addWidget(self.batch_button)
        second.addWidget(self.catalogue_button)
        second.addWidget(self.fse_button)
        second.addWidget(self.new_button)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(filters)
        left_layout.addLayout(second)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count_label)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(self.panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self._timer = debounced_search(self.search, self.refresh)
        for combo in (self.kind, self.theme):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.missing_only.toggled.connect(lambda _c: self.refresh())
        ctx.hub.changed.connect(self._on_changed)
        self.refresh()

    def _fill_themes(self) -> None:
        current = self.theme.currentData()
        self.theme.blockSignals(True)
        self.theme.clear()
        self.theme.addItem(ateliers.ALL_THEMES, None)
        for theme in workshop_catalogue.list_themes(self.ctx.uow.reading()):
            self.theme.addItem(theme.name, theme.id)
        self.theme.setCurrentIndex(max(self.theme.findData(current), 0))
        self.theme.blockSignals(False)

    def export_fse(self) -> None:
        from ui.dialogs.fse_export_dialog import FseExportDialog

        FseExportDialog(self.ctx, self).exec()

    def edit_catalogue(self) -> None:
        WorkshopCatalogueDialog(self.ctx, self).exec()
        self._fill_themes()
        self.panel.reload()

    def filters(self) -> SessionFilter:
        return SessionFilter(
            kind=self.kind.currentData(),
            theme_id=self.theme.currentData(),
            text=self.search.text(),
            attendance_missing_only=self.missing_only.isChecked(),
        )

    def refresh(self) -> None:
        filters = self.filters()
        uow = self.ctx.uow.reading()  # the list never waits behind a sync being applied
        now = self.panel.clock()
        total = workshop_list.count_sessions(uow, filters, now=now)
        self.model.load(
            lambda offset, limit: workshop_list.list_sessions(
                uow, filters, offset=offset, limit=limit, now=now
            ),
            total,
        )
        text = ateliers.session_count(total, formatting.number(total, 0))
        missing = workshop_list.count_sessions(
            uow, SessionFilter(attendance_missing_only=True), now=now
        )
        if missing:
            text += ateliers.sheets_not_filled(missing)
        self.count_label.setText(text if total else ateliers.NO_SESSION)
        self._fit_columns()
        self._reselect()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_columns()
        return super().eventFilter(watched, event)

    def _fit_columns(self) -> None:
        """Every column in sight, no sideways scrolling: the short columns at their content,
        Thème and Lieu at most a share of what is left (elided, full text in the tooltip),
        Intitulé over the rest (full title in its tooltip and in the panel)."""
        header = self.table.horizontalHeader()
        fixed = sum(
            header.sectionSize(c)
            for c in range(self.model.columnCount())
            if c not in (TITLE, THEME, PLACE)
        )
        free = max(self.table.viewport().width() - fixed, 0)
        for column, share in SHARES.items():
            content = max(self.table.sizeHintForColumn(column), header.sectionSizeHint(column))
            header.resizeSection(column, max(min(content, int(free * share)), 40))

    def _reselect(self) -> None:
        current = self.panel.detail.id if self.panel.detail else None
        for row_index, row in enumerate(self.model.loaded_rows()):
            if row.id == current:
                self.table.selectRow(row_index)
                return

    def _on_changed(self, changes: Changes) -> None:
        # The open session's panel listens for itself (ui/pages/workshop_session_panel.py).
        if changes.touches(SHOWN):
            # Coalesced: typing a sheet in the grid notifies on every key.
            self._timer.start()

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        chosen = self.selected_sessions()
        self.batch_button.setEnabled(bool(chosen))
        current = self.model.row_at(self.table.currentIndex().row())
        if current is None or current.id not in chosen:
            current = (
                self.model.row_at(self.table.selectionModel().selectedRows()[0].row())
                if chosen
                else None
            )
        if current is not None and (
            self.panel.detail is None or self.panel.detail.id != current.id
        ):
            self.panel.load(current.id)

    def selected_sessions(self) -> list[str]:
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [r.id for i in rows if (r := self.model.row_at(i)) is not None]

    def batch_attestations(self) -> None:
        """Attestations for everyone present at any of the selected sessions, in one batch."""
        requests = [
            (activity_id, person_id)
            for activity_id in self.selected_sessions()
            for person_id in workshop_documents.attendees(self.ctx.uow.reading(), activity_id)
        ]
        if not requests:
            self.panel.say(ateliers.NOBODY_PRESENT, error=True)
            return
        self.panel.run_attestations(requests)

    def new_session(self) -> None:
        dialog = WorkshopSessionDialog(
            self.ctx, kind=self.kind.currentData() or "atelier", parent=self
        )
        # The dialog saves off the GUI thread and announces the change itself.
        if dialog.exec() and dialog.saved_id:
            self.open_item("activity", dialog.saved_id)

    def open_item(self, kind: str, item_id: str) -> None:
        if kind == "activity":
            self.panel.load(item_id)
            self._reselect()
