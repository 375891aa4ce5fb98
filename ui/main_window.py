"""Main window: navigation between the areas, the pages, and the status bar.

The window is built in two steps so that it is on screen before the data layer
(SQLAlchemy, the models, the services) is even imported: first the chrome (navigation,
menus, profile name, date), then :meth:`MainWindow.attach` once the profile is open.
``MainWindow(ctx)`` does both at once. This module therefore imports only Qt and light
helpers at import time; what needs the database is imported in ``attach``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QKeyCombination, QLocale, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from app.changes import Changes
from app.clock import today
from ui.error_hook import show_error
from ui.help_menu import build_help_menu

# Re-exported: the launch (ui/opening.py), tests and scripts import them from here.
from ui.main_window_areas import LazyPage as LazyPage
from ui.main_window_areas import PageSpec as PageSpec
from ui.main_window_areas import page_specs as page_specs
from ui.main_window_areas import permanence_choices as permanence_choices
from ui.main_window_areas import register_person_tabs as register_person_tabs
from ui.style import stylesheet
from ui.texts import shell
from ui.widgets.screen import fit_to_screen, restore_geometry, save_geometry

if TYPE_CHECKING:
    from ui.context import AppContext


class LazyPages(Mapping[str, QWidget]):
    """The window's pages by key; a page is built the first time it is asked for."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self._built: dict[str, QWidget] = {}

    def __getitem__(self, key: str) -> QWidget:
        if key not in self._built:
            self._built[key] = self._window._build_page(key)
        return self._built[key]

    def __iter__(self) -> Iterator[str]:
        return iter(spec.key for spec in self._window._specs)

    def __len__(self) -> int:
        return len(self._window._specs)

    def built(self) -> list[QWidget]:
        return list(self._built.values())


class MainWindow(QMainWindow):
    # Emitted by attach(): the profile is open and the first page is filled.
    ready = Signal()
    # The first page is filled and takes keys: its preview (show_preview), before the
    # profile is open, or else the page attach() builds (then just before ``ready``).
    usable = Signal()

    def __init__(
        self,
        ctx: AppContext | None = None,
        specs: list[PageSpec] | None = None,
        *,
        profile_name: str = "",
    ) -> None:
        super().__init__()
        self._ctx: AppContext | None = None
        self._preview: QWidget | None = None
        if ctx is not None:
            profile_name = ctx.profile.settings.display_name
        self.setWindowTitle(shell.WINDOW_TITLE.format(profile=profile_name))
        # A laptop's whole screen; then the size it was left at, if any (below).
        fit_to_screen(self, 1400, 900)
        self.nav = QListWidget(self)
        self.nav.setObjectName("navigation")
        self.nav.setStyleSheet(stylesheet("navigation"))
        self.nav.setFixedWidth(190)
        self.stack = QStackedWidget(self)
        self._specs = specs if specs is not None else page_specs()
        self.pages = LazyPages(self)
        for spec in self._specs:
            self.stack.addWidget(QWidget(self.stack))  # slot, replaced when first shown
            item = QListWidgetItem(spec.title, self.nav)
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
        self.nav.setCurrentRow(0)
        # Shown while the profile opens (a few hundred milliseconds, longer when the
        # database is migrated); the navigation is disabled until then.
        self.opening_label = QLabel(shell.OPENING_PROFILE, self.stack)
        self.opening_label.setObjectName("openingProfile")
        self.opening_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.opening_label)
        self.stack.setCurrentWidget(self.opening_label)
        self.nav.setEnabled(False)
        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._build_menu()
        self._build_status_bar(profile_name)
        self._restore_geometry()
        if ctx is not None:
            self.attach(ctx)

    @property
    def ctx(self) -> AppContext:
        if self._ctx is None:
            raise RuntimeError("the profile is not open yet")
        return self._ctx

    @property
    def attached(self) -> AppContext | None:
        """The open profile's context, or None while it is still opening."""
        return self._ctx

    @property
    def first_page(self) -> PageSpec:
        return self._specs[0]

    @property
    def preview(self) -> QWidget | None:
        """The first page shown before the profile is open, until attach() hands it to
        the first area (``factory(ctx, preview=…)``)."""
        return self._preview

    def show_preview(self, page: QWidget) -> None:
        """Show the first area's page, filled before the profile is open (ui/opening.py),
        instead of « Ouverture du profil… »; what needs the profile waits for attach()."""
        if self._ctx is not None or self._preview is not None:
            page.deleteLater()  # the profile opened first: the real page is there
            return
        self._preview = page
        self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        focus = getattr(page, "search", None)
        if isinstance(focus, QWidget):
            focus.setFocus()
        self.usable.emit()

    def attach(self, ctx: AppContext, *, permanences: list[tuple[str, str]] | None = None) -> None:
        """The profile is open: fill the status bar (``permanences``: what
        :func:`permanence_choices` read off the GUI thread, else read here), enable the
        navigation, show the first page."""
        self._ctx = ctx
        register_person_tabs(self._specs)
        name = ctx.profile.settings.display_name
        self.setWindowTitle(shell.WINDOW_TITLE.format(profile=name))
        self.profile_label.setText(shell.PROFILE_LABEL.format(profile=name))
        self.profile_label.setToolTip(str(ctx.profile.paths.root))
        if permanences is None:
            permanences = permanence_choices(ctx.uow.reading())
        self._build_profile_status(permanences)
        ctx.hub.open_requested.connect(self.open_item)
        ctx.tasks.default_error_handler = self.show_error
        self.stack.removeWidget(self.opening_label)
        self.opening_label.deleteLater()
        self.nav.setEnabled(True)
        self.needs_profile.setEnabled(True)
        self.nav.currentRowChanged.connect(self._row_changed)
        self._row_changed(self.nav.currentRow())
        if self._preview is None:
            self.usable.emit()
        self._preview = None
        self.ready.emit()

    # Navigation ----------------------------------------------------------------
    def _build_page(self, key: str) -> QWidget:
        index = next(i for i, spec in enumerate(self._specs) if spec.key == key)
        preview = self._preview if index == 0 else None
        if preview is not None:
            # Taken over by the area, with what was typed in it.
            self.stack.removeWidget(preview)
            page = self._specs[index].factory(self.ctx, preview=preview)
        else:
            page = self._specs[index].factory(self.ctx)
        page.setObjectName(f"page_{key}")
        slot = self.stack.widget(index)
        current = self.stack.currentIndex()
        self.stack.insertWidget(index, page)
        if slot is not None:
            self.stack.removeWidget(slot)
            slot.deleteLater()
        self.stack.setCurrentIndex(current)
        return page

    def _row_changed(self, row: int) -> None:
        if 0 <= row < len(self._specs):
            page = self.pages[self._specs[row].key]
            self.stack.setCurrentWidget(page)
            find = QKeySequence(QKeySequence.StandardKey.Find)
            own = any(s.key() == find for s in page.findChildren(QShortcut))
            self.find_anywhere.setEnabled(not own)

    def show_page(self, key: str) -> QWidget:
        for row in range(self.nav.count()):
            if self.nav.item(row).data(Qt.ItemDataRole.UserRole) == key:
                self.nav.setCurrentRow(row)
                return self.pages[key]
        raise KeyError(key)

    def open_item(self, kind: str, item_id: str) -> None:
        for spec in self._specs:
            if kind in spec.opens:
                page = self.show_page(spec.key)
                page.open_item(kind, item_id)  # type: ignore[attr-defined]
                return

    def show_error(self, error: BaseException) -> None:
        """A background failure nobody else handled: its French words, or the
        unexpected-error dialog with « Copier le détail » (ui/error_hook.py)."""
        show_error(self, error)

    # Chrome --------------------------------------------------------------------
    def _build_menu(self) -> None:
        # The actions that need the open profile, disabled until attach().
        self.needs_profile = QActionGroup(self)
        self.needs_profile.setExclusive(False)
        self.needs_profile.setEnabled(False)
        file_menu = self.menuBar().addMenu(shell.FILE_MENU)
        backup = QAction(shell.BACKUP_NOW, self.needs_profile)
        backup.triggered.connect(self._backup_now)
        file_menu.addAction(backup)
        file_menu.addSeparator()
        quit_action = QAction(shell.QUIT_ACTION, self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        go_menu = self.menuBar().addMenu(shell.GO_TO_MENU)
        for index, spec in enumerate(self._specs):
            action = QAction(spec.title, self.needs_profile)
            digit = Qt.Key(Qt.Key.Key_1.value + index)
            action.setShortcut(
                QKeySequence(QKeyCombination(Qt.KeyboardModifier.ControlModifier, digit))
            )
            action.triggered.connect(lambda _=False, key=spec.key: self.show_page(key))
            go_menu.addAction(action)
        # Ctrl+F on a page without a search of its own (Entretiens, Tableau de bord…) goes
        # to the person search; pages with one keep theirs (two active would cancel out).
        self.find_anywhere = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        self.find_anywhere.activated.connect(self._find_person)
        build_help_menu(self, lambda: self._ctx.profile.paths.root if self._ctx else None)

    def _find_person(self) -> None:
        if self._ctx is not None:
            self.show_page(self._specs[0].key)
            show_list = getattr(self.pages[self._specs[0].key], "show_list", None)
            if show_list is not None:
                show_list()

    def _build_status_bar(self, profile_name: str) -> None:
        bar = self.statusBar()
        self.profile_label = QLabel(shell.PROFILE_LABEL.format(profile=profile_name), self)
        # Qt's French locale (set by the launcher) rather than Babel: the date is shown
        # before the data layer and its formatting helpers are loaded.
        long_date = QLocale().toString(QDate(today()), QLocale.FormatType.LongFormat)
        self.date_label = QLabel(long_date[:1].upper() + long_date[1:], self)
        bar.addWidget(self.profile_label)
        bar.addWidget(self.date_label)

    def _build_profile_status(self, permanences: list[tuple[str, str]]) -> None:
        from ui.widgets.sync_status import SyncStatusLabel

        bar = self.statusBar()
        settings = self.ctx.profile.settings
        self.permanence_combo = QComboBox(self)
        self.permanence_combo.setObjectName("permanenceOfTheDay")
        self.permanence_combo.setToolTip(shell.PERMANENCE_OF_THE_DAY)
        self.permanence_combo.addItem(shell.NO_PERMANENCE_OF_THE_DAY, None)
        for label, permanence_id in permanences:
            self.permanence_combo.addItem(label, permanence_id)
        current = self.permanence_combo.findData(settings.permanence_id)
        self.permanence_combo.setCurrentIndex(max(current, 0))
        self.permanence_combo.currentIndexChanged.connect(self._permanence_changed)
        bar.addPermanentWidget(self.permanence_combo)
        self.sync_status = SyncStatusLabel(self.ctx, self)
        bar.addPermanentWidget(self.sync_status)
        self.sync_status.worker.start_periodic()

    def _permanence_changed(self, _index: int) -> None:
        from app.reference import reference

        permanence_id = self.permanence_combo.currentData()
        antenne_id = next(
            (
                p.antenne_id
                for p in reference.list_permanences(self.ctx.uow.reading())
                if p.id == permanence_id
            ),
            None,
        )
        profile = self.ctx.profile
        profile.save_settings(
            profile.settings.with_changes(permanence_id=permanence_id, antenne_id=antenne_id)
        )
        self.ctx.hub.notify(Changes(permanence_of_the_day=True))

    def _backup_now(self) -> None:
        def done(path: object) -> None:
            self.statusBar().showMessage(shell.BACKUP_SAVED.format(path=path), 8000)

        self.ctx.tasks.run_db(lambda: self.ctx.profile.backup("manuel"), done)

    # Window state (QSettings only for geometry, per STYLE.md), per screen size -------
    def _restore_geometry(self) -> None:
        restore_geometry(self, "main_window")

    def closeEvent(self, event: QCloseEvent) -> None:
        save_geometry(self, "main_window")
        for page in self.pages.built():
            closer = getattr(page, "confirm_close", None)
            if closer is not None and not closer():
                event.ignore()
                return
        if self._ctx is not None:
            self._ctx.tasks.wait_idle(10000)
        super().closeEvent(event)
