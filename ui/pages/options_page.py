"""Listes de choix: the CAE edits its situations, prescribers, sectors and exit reasons.
An option in use is never deleted: it can be renamed or deactivated."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.changes import Changes
from app.reference import options, reference
from app.uow import UnitOfWorkFactory
from ui.context import AppContext
from ui.messages import error_message, register
from ui.operations import CollectionOp
from ui.roles import Subject, reference_rights
from ui.style import muted_colour
from ui.texts import cae_options, common

LISTS = {
    "situation": cae_options.ENTRY_SITUATIONS,
    "prescriber": cae_options.PRESCRIBERS,
    "sector": cae_options.SECTORS,
    "exit_reason": cae_options.EXIT_REASONS,
}

register(
    None,
    {
        "option_exists": "Ce choix existe déjà : « {label} ».",
        "option_not_found": "Ce choix n'existe plus.",
        "option_list_not_found": "Cette liste n'existe pas.",
    },
)


class OptionsPage(QWidget):
    title = cae_options.OPTIONS_AREA_TITLE

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kind = QComboBox(self)
        for code, label in LISTS.items():
            self.kind.addItem(label, code)
        self.kind.currentIndexChanged.connect(lambda _i: self.refresh())
        self.items = QListWidget(self)
        self.items.itemDoubleClicked.connect(lambda _item: self.rename())
        buttons = QVBoxLayout()
        self.add_button: QPushButton | None = None
        self.selection_buttons: list[QPushButton] = []
        for text, slot in (
            (cae_options.ADD_ELLIPSIS, self.add),
            (cae_options.RENAME_ELLIPSIS, self.rename),
            (cae_options.TOGGLE_ACTIVE, self.toggle),
            (cae_options.MOVE_UP, lambda: self.move_selected(-1)),
            (cae_options.MOVE_DOWN, lambda: self.move_selected(1)),
        ):
            button = QPushButton(text, self)
            button.clicked.connect(slot)
            buttons.addWidget(button)
            if text != cae_options.ADD_ELLIPSIS:
                self.selection_buttons.append(button)  # need a chosen item
            else:
                self.add_button = button
        buttons.addStretch(1)
        self.items.currentRowChanged.connect(self._update_buttons)
        body = QHBoxLayout()
        body.addWidget(self.items, 1)
        body.addLayout(buttons)
        hint = QLabel(
            cae_options.DISABLED_OPTIONS_HINT,
            self,
        )
        hint.setWordWrap(True)
        # Siège staff only, once enrolled (ui/roles.py); read again after each sync.
        self.role_note = QLabel(self)
        self.role_note.setObjectName("roleNote")
        self.role_note.setWordWrap(True)
        self.editable = True
        layout = QVBoxLayout(self)
        layout.addWidget(self.role_note)
        layout.addWidget(self.kind)
        layout.addLayout(body, 1)
        layout.addWidget(hint)
        ctx.hub.changed.connect(self._changed)
        self._read_rights()
        self.refresh()

    def _changed(self, changes: Changes) -> None:
        if changes.remote:
            self._read_rights()

    def _read_rights(self) -> None:
        rights = reference_rights(self.ctx, Subject.OPTION_LISTS)
        self.editable = rights.editable
        self.role_note.setText(rights.note)
        if self.add_button is not None:
            self.add_button.setEnabled(rights.editable)
        self._update_buttons()

    @property
    def current_kind(self) -> str:
        return str(self.kind.currentData())

    def refresh(self, select_code: str | None = None) -> None:
        self.items.clear()
        for option in reference.list_options(
            self.ctx.uow.reading(), self.current_kind, include_inactive=True
        ):
            text = option.label if option.active else option.label + common.DISABLED_SUFFIX
            item = QListWidgetItem(text, self.items)
            item.setData(Qt.ItemDataRole.UserRole, option.code)
            if not option.active:
                item.setForeground(muted_colour())
            if option.code == select_code:
                self.items.setCurrentItem(item)
        self._update_buttons()

    def _update_buttons(self, *_args: object) -> None:
        for button in self.selection_buttons:
            button.setEnabled(self.editable and self.items.currentItem() is not None)

    def _selected(self) -> QListWidgetItem | None:
        return self.items.currentItem()

    def _run(
        self, action: Callable[[UnitOfWorkFactory, str], object], code: str | None = None
    ) -> None:
        """Write off the GUI thread (the list greyed meanwhile), then show the list again
        with ``code`` selected; a refusal is said in French over the page."""
        if not self.editable:
            return  # buttons are disabled; a double-click on an item lands here too
        uow, kind = self.ctx.uow, self.current_kind  # read here: widgets stay on this thread
        CollectionOp(
            self.ctx,
            parent=self,
            op=lambda: action(uow, kind),
            changes=Changes(options=True),
            success=lambda _result: self.refresh(code),
            busy=self.items,
        ).failure(self._refused).run_in_background()

    def _refused(self, error: BaseException) -> None:
        QMessageBox.warning(self, self.title, error_message(error))

    def add(self, label: str | None = None) -> None:
        if not self.editable:
            return
        if label is None:
            label, ok = QInputDialog.getText(self, self.title, cae_options.NEW_OPTION)
            if not ok:
                return
        self._run(lambda uow, kind: options.add_option(uow, kind, label), options.code_for(label))

    def rename(self, label: str | None = None) -> None:
        item = self._selected()
        if item is None or not self.editable:
            return
        code = item.data(Qt.ItemDataRole.UserRole)
        if label is None:
            current = item.text().removesuffix(common.DISABLED_SUFFIX)
            label, ok = QInputDialog.getText(
                self, self.title, cae_options.OPTION_LABEL, text=current
            )
            if not ok:
                return
        self._run(lambda uow, kind: options.rename_option(uow, kind, code, label), code)

    def toggle(self) -> None:
        item = self._selected()
        if item is None:
            return
        code = item.data(Qt.ItemDataRole.UserRole)
        active = item.text().endswith(common.DISABLED_SUFFIX)
        self._run(lambda uow, kind: options.set_option_active(uow, kind, code, active), code)

    def move_selected(self, step: int) -> None:
        item = self._selected()
        if item is not None:
            code = item.data(Qt.ItemDataRole.UserRole)
            self._run(lambda uow, kind: options.move_option(uow, kind, code, step), code)
