"""Catalogue of workshop themes (editable) and the funders printed on the sheets."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.changes import Changes
from app.errors import ValidationError
from app.workshops import workshop_catalogue
from app.workshops.workshop_values import FunderInfo, ThemeInfo
from ui import error_hook
from ui.context import AppContext
from ui.messages import error_message
from ui.operations import CollectionOp
from ui.pages import workshops_texts  # noqa: F401 - registers the area's messages
from ui.style import tab_widget
from ui.texts import ateliers, common
from ui.widgets.forms import FormErrors
from ui.widgets.screen import fit_to_screen

ID_ROLE = Qt.ItemDataRole.UserRole


class ThemesTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.themes: dict[str, ThemeInfo] = {}
        self.current: str | None = None
        self.list = QListWidget(self)
        self.errors = FormErrors()
        self.name = QLineEdit(self)
        self.duration = QSpinBox(self)
        self.duration.setRange(0, 60 * 40)
        self.duration.setSingleStep(30)
        self.duration.setSuffix(" min")
        self.description = QPlainTextEdit(self)
        self.description.setFixedHeight(70)
        form = QFormLayout()
        self.errors.add_row(form, common.NAME, "name", self.name)
        self.errors.add_row(
            form, ateliers.DEFAULT_DURATION, "default_duration_minutes", self.duration
        )
        self.errors.add_row(form, common.DESCRIPTION, "description", self.description)
        self.new_button = QPushButton(ateliers.NEW_THEME, self)
        self.save_button = QPushButton(ateliers.SAVE_THEME, self)
        self.new_button.clicked.connect(self.new)
        self.save_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addLayout(buttons)
        right.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addLayout(right, 2)
        self.list.currentItemChanged.connect(lambda item, _old: self.show_theme(item))
        self.reload()
        self.new()

    def reload(self, select: str | None = None) -> None:
        self.themes = {t.id: t for t in workshop_catalogue.list_themes(self.ctx.uow.reading())}
        self.list.clear()
        for theme in self.themes.values():
            item = QListWidgetItem(theme.name, self.list)
            item.setData(ID_ROLE, theme.id)
            if theme.id == select:
                self.list.setCurrentItem(item)

    def new(self) -> None:
        self.current = None
        self.list.clearSelection()
        self.name.clear()
        self.duration.setValue(210)
        self.description.clear()
        self.errors.clear()
        self.name.setFocus()

    def show_theme(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        theme = self.themes[item.data(ID_ROLE)]
        self.current = theme.id
        self.name.setText(theme.name)
        self.duration.setValue(theme.default_duration_minutes)
        self.description.setPlainText(theme.description)
        self.errors.clear()

    def save(self) -> None:
        """Save the theme off the GUI thread (« Enregistrer le thème » greyed meanwhile)."""
        uow, name, duration = self.ctx.uow, self.name.text(), self.duration.value()
        description, theme_id = self.description.toPlainText(), self.current
        CollectionOp(
            self.ctx,
            parent=self,
            op=lambda: workshop_catalogue.save_theme(
                uow, name, duration, description, theme_id=theme_id
            ),
            changes=Changes(workshops=True),
            success=self._saved,
            busy=self.save_button,
        ).failure(self._refused).run_in_background()

    def _saved(self, theme: ThemeInfo) -> None:
        self.errors.clear()
        self.reload(select=theme.id)

    def _refused(self, error: BaseException) -> None:
        if isinstance(error, ValidationError):
            self.errors.show(error)
        else:
            error_hook.show_error(self, error)


class FundersTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.funders: dict[str, FunderInfo] = {}
        self.current: str | None = None
        self.emblem_png: bytes | None = None
        self.list = QListWidget(self)
        self.errors = FormErrors()
        self.name = QLineEdit(self)
        self.statement = QPlainTextEdit(self)
        self.statement.setFixedHeight(90)
        self.preview = QLabel(ateliers.NO_EMBLEM, self)
        self.preview.setFixedHeight(60)
        choose = QPushButton(ateliers.CHOOSE_PNG, self)
        remove = QPushButton(ateliers.REMOVE_EMBLEM, self)
        choose.clicked.connect(self.choose_emblem)
        remove.clicked.connect(lambda: self.set_emblem(None))
        emblem_box = QWidget(self)
        emblem_layout = QHBoxLayout(emblem_box)
        emblem_layout.setContentsMargins(0, 0, 0, 0)
        emblem_layout.addWidget(self.preview, 1)
        emblem_layout.addWidget(choose)
        emblem_layout.addWidget(remove)
        form = QFormLayout()
        self.errors.add_row(form, common.NAME, "name", self.name)
        self.errors.add_row(form, ateliers.MANDATORY_STATEMENT, "statement", self.statement)
        self.errors.add_row(form, ateliers.EMBLEM, "emblem", emblem_box)
        self.save_button = QPushButton(ateliers.SAVE_FUNDER, self)
        self.save_button.clicked.connect(self.save)
        self.message = QLabel(self)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(self.save_button)
        right.addWidget(self.message)
        right.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addLayout(right, 2)
        self.list.currentItemChanged.connect(lambda item, _old: self.show_funder(item))
        self.reload()

    def reload(self, select: str | None = None) -> None:
        self.funders = {f.id: f for f in workshop_catalogue.list_funders(self.ctx.uow.reading())}
        self.list.clear()
        for funder in self.funders.values():
            item = QListWidgetItem(funder.name, self.list)
            item.setData(ID_ROLE, funder.id)
            if funder.id == (select or self.current):
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)

    def show_funder(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        funder = self.funders[item.data(ID_ROLE)]
        self.current = funder.id
        self.name.setText(funder.name)
        self.statement.setPlainText(funder.statement)
        self.set_emblem(funder.emblem_png)
        self.errors.clear()

    def set_emblem(self, png: bytes | None) -> None:
        self.emblem_png = png
        if png is None:
            self.preview.setText(ateliers.NO_EMBLEM)
            return
        pixmap = QPixmap()
        pixmap.loadFromData(png)
        self.preview.setPixmap(pixmap.scaledToHeight(56))

    def choose_emblem(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, ateliers.EMBLEM, "", common.PNG_IMAGES)
        if path:
            self.set_emblem(Path(path).read_bytes())

    def save(self) -> None:
        """Save the funder off the GUI thread (« Enregistrer le financeur » greyed meanwhile)."""
        if self.current is None:
            return
        uow, funder_id, name = self.ctx.uow, self.current, self.name.text()
        statement, emblem = self.statement.toPlainText(), self.emblem_png
        self.message.clear()
        CollectionOp(
            self.ctx,
            parent=self,
            op=lambda: workshop_catalogue.update_funder(
                uow, funder_id, name=name, statement=statement, emblem_png=emblem
            ),
            changes=Changes(workshops=True),
            success=self._saved,
            busy=self.save_button,
        ).failure(self._refused).run_in_background()

    def _saved(self, _result: object) -> None:
        self.errors.clear()
        self.message.setText(ateliers.FUNDER_SAVED)
        self.reload()

    def _refused(self, error: BaseException) -> None:
        if isinstance(error, ValidationError):
            self.errors.show(error)
        else:
            self.message.setText(error_message(error))


class WorkshopCatalogueDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(ateliers.CATALOGUE_TITLE)
        fit_to_screen(self, 760, 420)
        self.themes = ThemesTab(ctx, self)
        self.funders = FundersTab(ctx, self)
        tabs = tab_widget(self)
        tabs.addTab(self.themes, ateliers.WORKSHOP_THEMES)
        tabs.addTab(self.funders, ateliers.FUNDERS)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(common.CLOSE)
        buttons.rejected.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(buttons)
