"""Personnes: the list (foundation's PersonsPage) and the person record, in one stack.

"Nouvelle personne…" opens the person dialog (duplicates offered first); a double-click,
Entrée, or ``hub.open_requested.emit("person", id)`` shows the record.

At launch the list is shown before the profile is open (ui/opening.py); the area then
takes that list over as ``preview``, with what was typed in it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QStackedWidget, QWidget

from app.people.person_list import PersonRow
from ui.context import AppContext
from ui.models.row_table_model import RowTableModel
from ui.pages.persons_page import PersonsPage
from ui.texts import accueil

if TYPE_CHECKING:
    from ui.dialogs.person_dialog import PersonDialog
    from ui.pages.person_detail_page import PersonDetailPage


class PeopleArea(QStackedWidget):
    title = accueil.PEOPLE_AREA_TITLE

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        preview: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        if isinstance(preview, PersonsPage):
            self.list_page = preview
            preview.setParent(self)
            preview.use_profile(ctx)
        else:
            self.list_page = PersonsPage(ctx, self)
        self.addWidget(self.list_page)
        self._detail_page: PersonDetailPage | None = None
        self.active_dialog: PersonDialog | None = None
        self.list_page.new_person_requested.connect(self.new_person)
        self.list_page.person_activated.connect(self.show_person)

    @property
    def detail_page(self) -> PersonDetailPage:
        """Built on first use: the record pulls in every area's tabs and the PDF library,
        which start-up on the list does not need."""
        if self._detail_page is None:
            from ui.pages.person_detail_page import PersonDetailPage

            page = PersonDetailPage(self.ctx, self)
            self.addWidget(page)
            page.back_requested.connect(self.show_list)
            page.open_person.connect(self.show_person)
            self._detail_page = page
        return self._detail_page

    # The list's widgets, reachable as before this area wrapped the foundation's page.
    @property
    def search(self) -> QLineEdit:
        return self.list_page.search

    @property
    def model(self) -> RowTableModel[PersonRow]:
        return self.list_page.model

    @property
    def count_label(self) -> QLabel:
        return self.list_page.count_label

    def open_item(self, kind: str, item_id: str) -> None:
        if kind == "person":
            self.show_person(item_id)

    def show_person(self, person_id: str) -> None:
        self.detail_page.show_person(person_id)
        self.setCurrentWidget(self.detail_page)

    def show_list(self) -> None:
        self.setCurrentWidget(self.list_page)
        self.list_page.search.setFocus()
        self.list_page.search.selectAll()  # typing replaces the last search

    def new_person(self) -> None:
        from ui.dialogs.person_dialog import PersonDialog  # loaded when first needed

        dialog = PersonDialog(self.ctx, parent=self)
        self.active_dialog = dialog

        def finished(result: int) -> None:
            self.active_dialog = None
            if result != QDialog.DialogCode.Accepted:
                return
            if dialog.open_existing_id:
                self.show_person(dialog.open_existing_id)
            elif dialog.saved is not None:
                self.show_person(dialog.saved.id)

        dialog.finished.connect(finished)
        dialog.open()
