"""Personnes: the list of persons with search-as-you-type (accents and case ignored).

The list reads through a :class:`PersonReads`: the open profile's read-only units of work,
or, at launch, the :class:`app.people.person_list.EarlyReader` opened on the database file
before the profile is open (ui/opening.py): the list is filled and searchable while
SQLAlchemy loads, then :meth:`PersonsPage.use_profile` switches it to the profile. Nothing
here imports SQLAlchemy.

A typed search (once typing pauses) and a change notice (a person saved, the end of a sync)
read the list off the GUI thread (:class:`ui.operations.QueryOp`, read-only units of work):
what was typed and the selected person stay, and a read overtaken by a newer one (another
notice, a keystroke) is dropped, so a slow read of an older query never shows over the
results of a newer one. Entrée pressed before the newest query's rows are in opens from
those rows, once they are. The early list reads on the GUI thread: the database worker is
busy opening the profile then, and its reader is plain SQL on a small first page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

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

from app.changes import Changes
from app.people.labels import STATUSES
from app.people.person_list import PersonPage, PersonRow, list_count, list_date, list_phone
from ui.context import AppContext, ChangeHub
from ui.models.row_table_model import Column, RowTableModel
from ui.operations import QueryOp
from ui.texts import accueil, common
from ui.widgets.columns import size_columns
from ui.widgets.row_selection import select_id, selected_id
from ui.widgets.search import debounced_search
from ui.widgets.shortcuts import add_list_shortcuts
from ui.widgets.tab_out import tab_leaves

if TYPE_CHECKING:
    from app.uow import UnitOfWorkFactory


class PersonReads(Protocol):
    """Where the list reads: its first page with the number of matches, then pages."""

    def first_page(self, text: str = "", *, limit: int = 200) -> PersonPage: ...

    def page(self, text: str = "", *, offset: int = 0, limit: int = 200) -> list[PersonRow]: ...


class ProfileReads:
    """The open profile's read-only units of work (app/uow.py): the list, its pages and
    its count never wait behind a sync applying a page (issue 14, item 6)."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.uow = uow.reading()

    def first_page(self, text: str = "", *, limit: int = 200) -> PersonPage:
        from app.people import person_directory

        return person_directory.search_page(self.uow, text, limit=limit)

    def page(self, text: str = "", *, offset: int = 0, limit: int = 200) -> list[PersonRow]:
        from app.people import person_directory

        return person_directory.search_persons(self.uow, text, offset=offset, limit=limit)


COLUMNS: list[Column[PersonRow]] = [
    Column(common.NAME, lambda r: r.last_name.upper()),
    Column(common.FIRST_NAME, lambda r: r.first_name),
    Column(common.TOWN, lambda r: r.city),
    Column(common.ANTENNE, lambda r: r.antenne),
    Column(accueil.SITUATION, lambda r: STATUSES.get(r.status, r.status)),
    Column(common.PHONE, lambda r: list_phone(r.phone)),
    Column(common.EMAIL, lambda r: r.email),
    Column(accueil.LAST_CONTACT, lambda r: list_date(r.last_contact_on)),
]


class PersonsPage(QWidget):
    title = accueil.PEOPLE_AREA_TITLE
    person_activated = Signal(str)
    new_person_requested = Signal()

    def __init__(
        self,
        ctx: AppContext | None,
        parent: QWidget | None = None,
        *,
        reads: PersonReads | None = None,
        hub: ChangeHub | None = None,
        first: PersonPage | None = None,
    ) -> None:
        """``PersonsPage(ctx)`` reads the open profile; ``PersonsPage(None, reads=…,
        hub=…, first=…)`` is the list shown before the profile is open, already holding
        its ``first`` page."""
        super().__init__(parent)
        self.ctx = ctx
        if ctx is not None:
            reads, hub = ProfileReads(ctx.uow), ctx.hub
        if reads is None or hub is None:
            raise ValueError("a person list needs an open profile or reads and a hub")
        self.reads: PersonReads = reads
        self._generation = 0  # bumped by each read: an older background result is stale
        self._shown = 0  # the generation of the rows on screen
        self._open_when_read = False  # Entrée pressed while the newest query was read
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

        self._timer = debounced_search(self.search, self.refresh_in_background)
        self.search.returnPressed.connect(self._return_pressed)
        self.search.textChanged.connect(self._typed)
        hub.changed.connect(self._on_changed)
        self.refresh(first)

    def use_profile(self, ctx: AppContext, *, reread: bool = False) -> None:
        """The profile is open: read through it from now on (what was typed, the rows
        shown and the selection stay). ``reread`` when the opening changed the file
        (a migration) since the list was read."""
        self.ctx = ctx
        self.reads = ProfileReads(ctx.uow)
        if reread:
            self.refresh()

    def refresh(self, first: PersonPage | None = None) -> None:
        """Read and show the list now, on the GUI thread: the list shown at launch (its
        ``first`` page read by the opening), and a re-read after a migration."""
        self._timer.stop()  # this read answers the text typed so far
        self._generation += 1
        text = self.search.text()
        if first is None:
            first = self.reads.first_page(text, limit=self.model.page_size)
        self._show(self._generation, text, first)

    def refresh_in_background(self) -> None:
        """Read the list off the GUI thread, then show it unless a newer read (another
        notice, a keystroke) started meanwhile: what a typed search and a change notice
        do, so neither a decade of persons nor the end of a sync that brought thousands
        of them holds the window (issue 14)."""
        if self.ctx is None:  # the early list, before the profile is open
            self.refresh()
            return
        self._timer.stop()  # this read answers the text typed so far
        self._generation += 1
        generation, reads, text = self._generation, self.reads, self.search.text()
        limit = self.model.page_size

        def read() -> PersonPage | None:
            # Overtaken while it waited for the worker (a burst of notices): not read.
            return reads.first_page(text, limit=limit) if generation == self._generation else None

        QueryOp(
            self.ctx,
            parent=self,
            op=read,
            success=lambda first: self._show_if_current(generation, text, first),
        ).run_in_background()

    def _show_if_current(self, generation: int, text: str, first: PersonPage | None) -> None:
        if first is not None and generation == self._generation and text == self.search.text():
            self._show(generation, text, first)

    def _show(self, generation: int, text: str, first: PersonPage) -> None:
        self._shown = generation
        selected = self._selected_id()
        total = first.total
        self.model.load(
            # self.reads when the rows are fetched: the profile's once it is open.
            lambda offset, limit: self.reads.page(text, offset=offset, limit=limit),
            total,
            first.rows,
        )
        if total == 0:
            self.count_label.setText(accueil.NO_PERSON_MATCHES if text else accueil.NO_PERSON)
        else:
            self.count_label.setText(accueil.person_count(total, list_count(total)))
        if selected is not None:
            self._select(selected)
        if self._open_when_read:
            self._open_when_read = False
            self._open_first()

    def _selected_id(self) -> str | None:
        return selected_id(self.table, self.model)

    def _select(self, person_id: str) -> None:
        select_id(self.table, self.model, person_id)

    def _on_changed(self, changes: Changes) -> None:
        if changes.persons or changes.remote:
            self.refresh_in_background()

    def _activate(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None:
            self.person_activated.emit(row.id)

    def _typed(self, _text: str) -> None:
        self._open_when_read = False  # typing on after Entrée: a new search, nothing opened

    def _return_pressed(self) -> None:
        """Entrée in the search: the newest query's rows decide, even if typing has not
        paused yet or its read is still running (they are opened from once shown)."""
        if self._timer.isActive():
            self.refresh_in_background()
        if self._shown == self._generation:
            self._open_first()
        else:
            self._open_when_read = True

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
