"""Registrations of one session: search-as-you-type to register, participants, waiting list."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.people import person_directory
from app.uow import UnitOfWorkFactory
from app.workshops.workshop_values import SessionDetail
from ui.texts import accueil, ateliers
from ui.widgets.search import debounced_search

RESULTS_SHOWN = 8
ID_ROLE = Qt.ItemDataRole.UserRole


class PersonSearch(QLineEdit):
    """Down arrow hands the focus to the results list."""

    down_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Down:
            self.down_pressed.emit()
            return
        super().keyPressEvent(event)


class RegistrationsPanel(QWidget):
    register_requested = Signal(str)  # person id
    cancel_requested = Signal(str)  # person id
    person_opened = Signal(str)

    def __init__(self, uow: UnitOfWorkFactory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.uow = uow
        self.search = PersonSearch(self)
        self.search.setObjectName("registrationSearch")
        self.search.setPlaceholderText(ateliers.REGISTER_PLACEHOLDER)
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget(self)
        self.results.setObjectName("registrationResults")
        self.results.setMaximumHeight(150)
        self.results.hide()
        self.participants = QListWidget(self)
        self.participants.setObjectName("participants")
        self.waiting = QListWidget(self)
        self.waiting.setObjectName("waitingList")
        self.waiting.setMaximumHeight(120)
        self.participants_label = QLabel(self)
        self.waiting_label = QLabel(ateliers.WAITING_LIST_LABEL, self)
        self.cancel_button = QPushButton(ateliers.UNREGISTER, self)
        self.open_button = QPushButton(ateliers.SEE_RECORD, self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.results)
        layout.addWidget(self.participants_label)
        layout.addWidget(self.participants, 1)
        layout.addWidget(self.waiting_label)
        layout.addWidget(self.waiting)
        layout.addLayout(buttons)
        self._timer = debounced_search(self.search, self.refresh_results)
        self.search.returnPressed.connect(self._register_current)
        self.search.down_pressed.connect(self._focus_results)
        self.results.itemActivated.connect(lambda item: self._register(item))
        self.cancel_button.clicked.connect(self._cancel_selected)
        self.open_button.clicked.connect(self._open_selected)
        self.participants.itemDoubleClicked.connect(
            lambda item: self.person_opened.emit(item.data(ID_ROLE))
        )

    def show_session(self, detail: SessionDetail) -> None:
        self.participants.clear()
        for person in detail.participants:
            item = QListWidgetItem(person.full_name, self.participants)
            item.setData(ID_ROLE, person.person_id)
        self.waiting.clear()
        for rank, person in enumerate(detail.waiting, start=1):
            item = QListWidgetItem(f"{rank}. {person.full_name}", self.waiting)
            item.setData(ID_ROLE, person.person_id)
        capacity = f" / {detail.capacity}" if detail.capacity else ""
        self.participants_label.setText(
            ateliers.REGISTERED_COUNT.format(count=len(detail.participants), capacity=capacity)
        )
        self.waiting_label.setText(ateliers.WAITING_COUNT.format(count=len(detail.waiting)))

    def refresh_results(self) -> None:
        text = self.search.text().strip()
        self.results.clear()
        if not text:
            self.results.hide()
            return
        for row in person_directory.search_persons(self.uow, text, limit=RESULTS_SHOWN):
            label = f"{row.full_name} — {row.city}" if row.city else row.full_name
            item = QListWidgetItem(label, self.results)
            item.setData(ID_ROLE, row.id)
        if self.results.count() == 0:
            QListWidgetItem(accueil.NO_PERSON_MATCHES, self.results).setFlags(
                Qt.ItemFlag.NoItemFlags
            )
        else:
            self.results.setCurrentRow(0)
        self.results.show()

    def _focus_results(self) -> None:
        if self.results.isVisible() and self.results.count():
            self.results.setFocus()

    def _register_current(self) -> None:
        self._timer.stop()
        self.refresh_results()
        item = self.results.currentItem()
        if item is not None:
            self._register(item)

    def _register(self, item: QListWidgetItem) -> None:
        person_id = item.data(ID_ROLE)
        if person_id:
            self.register_requested.emit(person_id)
            self.search.clear()
            self.search.setFocus()

    def _selected_person(self) -> str | None:
        for widget in (self.participants, self.waiting):
            item = widget.currentItem()
            if item is not None and item.isSelected():
                return str(item.data(ID_ROLE))
        return None

    def _cancel_selected(self) -> None:
        person_id = self._selected_person()
        if person_id:
            self.cancel_requested.emit(person_id)

    def _open_selected(self) -> None:
        person_id = self._selected_person()
        if person_id:
            self.person_opened.emit(person_id)
