"""Personnes: the list of persons with search-as-you-type (accents and case ignored)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import formatting
from app.changes import Changes
from app.people import person_directory
from app.people.labels import STATUSES
from app.people.person_directory import PersonRow
from app.validation import display_phone
from ui.context import AppContext
from ui.models.row_table_model import Column, RowTableModel
from ui.texts import accueil, common
from ui.widgets.columns import size_columns
from ui.widgets.search import debounced_search
from ui.widgets.shortcuts import add_list_shortcuts
from ui.widgets.tab_out import tab_leaves

COLUMNS: list[Column[PersonRow]] = [
    Column(common.NAME, lambda r: r.last_name.upper()),
    Column(common.FIRST_NAME, lambda r: r.first_name),
    Column(common.TOWN, lambda r: r.city),
    Column(common.ANTENNE, lambda r: r.antenne),
    Column(accueil.SITUATION, lambda r: STATUSES.get(r.status, r.status)),
    Column(common.PHONE, lambda r: display_phone(r.phone)),
    Column(common.EMAIL, lambda r: r.email),
    Column(accueil.LAST_CONTACT, lambda r: formatting.date(r.last_contact_on)),
]


class PersonsPage(QWidget):
    title = accueil.PEOPLE_AREA_TITLE
    person_activated = Signal(str)
    new_person_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(accueil.PEOPLE_SEARCH_PLACEHOLDER)
        self.search.setClearButtonEnabled(True)
        self.search.setObjectName("personSearch")
        self.new_button = QPushButton(accueil.NEW_PERSON_BUTTON, self)
        self.new_button.clicked.connect(self.new_person_requested)
        add_list_shortcuts(self, self.new_button, self.search)
        self.count_label = QLabel(self)
        # A screenful is ~30 rows: a first page of 50 keeps each keystroke cheap; the rest
        # comes as the list scrolls.
        self.model: RowTableModel[PersonRow] = RowTableModel(COLUMNS, page_size=50)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        # Every column on a 1366 px screen, the e-mail included: the town and the e-mail
        # share what the short columns leave.
        samples = {0: "BEN SALEM-DURAND", 1: "Marie-Hélène", 3: "Saint-Dizier"}
        samples |= {4: "Orienté vers un partenaire", 5: "06 00 00 00 00", 7: "00/00/0000"}
        size_columns(self.table, samples, stretch=(2, 6))
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.activated.connect(self._activate)
        tab_leaves(self.table)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)

        self._timer = debounced_search(self.search, self.refresh)
        self.search.returnPressed.connect(self._open_first)
        ctx.hub.changed.connect(self._on_changed)
        self.refresh()

    def refresh(self) -> None:
        text = self.search.text()
        # Read-only units of work (app/uow.py): the list, its pages and its count never
        # wait behind a sync applying a page in a write transaction (issue 14, item 6).
        uow = self.ctx.uow.reading()
        first = person_directory.search_page(uow, text, limit=self.model.page_size)
        total = first.total
        self.model.load(
            lambda offset, limit: person_directory.search_persons(
                uow, text, offset=offset, limit=limit
            ),
            total,
            first.rows,
        )
        if total == 0:
            self.count_label.setText(accueil.NO_PERSON_MATCHES if text else accueil.NO_PERSON)
        else:
            self.count_label.setText(accueil.person_count(total, formatting.number(total, 0)))

    def _on_changed(self, changes: Changes) -> None:
        if changes.persons or changes.remote:
            self.refresh()

    def _activate(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None:
            self.person_activated.emit(row.id)

    def _open_first(self) -> None:
        if self.model.rowCount() == 1:
            self._activate(self.model.index(0, 0))
        elif self.model.rowCount() > 0:
            self.table.setFocus()
            self.table.selectRow(0)

    def keyPressEvent(self, event: object) -> None:
        from PySide6.QtGui import QKeyEvent

        if isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Escape:
            self.search.clear()
            self.search.setFocus()
            return
        super().keyPressEvent(event)  # type: ignore[arg-type]
