"""Open an existing profile while the main window is already on screen.

Start-up used to import SQLAlchemy, the models and the services, open and migrate the
database, and only then show a window: about a second of nothing on these laptops. Now
the launcher shows the main window's chrome first (Qt only), and this controller opens
the profile on the database worker thread, then attaches it to the window on the GUI
thread. A profile that cannot be opened gets its French message over the window, which
then closes; a wrong passphrase is asked again.
"""

from __future__ import annotations

import gc
import importlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.errors import ProfileError
from ui.context import AppContext, ChangeHub
from ui.dialogs.passphrase_dialog import PassphraseDialog
from ui.main_window import LazyPage, MainWindow
from ui.messages import error_message
from ui.tasks import TaskManager
from ui.texts import common

if TYPE_CHECKING:
    from app.profile import Profile

log = logging.getLogger(__name__)

# Imported on the worker thread with the profile, so that the GUI thread only builds
# widgets: what the status bar needs (permanence list, sync state), and the person
# record's tabs, registered when the window attaches (ui/main_window.py).
WARM_MODULES = ("app.reference.reference", "ui.widgets.sync_status", "ui.pages.person_tabs")
# The person list's first page (ui/pages/persons_page.py asks for as many).
FIRST_PAGE_ROWS = 50


def warm_first_reads(profile: Profile) -> None:
    """Make the first page's reads cheap before the GUI thread makes them (issue 14:
    launch to a usable person list). SQLAlchemy configures every mapper at the first ORM
    query (about 0.2 s for our 30-odd models) and compiles each statement the first time
    it runs; both used to happen on the GUI thread, in ``MainWindow.attach``. Here, on
    the database worker, the mappers are configured and the reads of the person list and
    of the status bar run once (the first configures the mappers): their SQL is compiled
    and cached, their pages read."""
    from app import formatting
    from app.people import person_directory
    from app.reference import reference
    from app.sync import service

    formatting.number(5000, 0)  # Babel loads the French number symbols once (≈ 0.1 s)
    try:
        person_directory.search_page(profile.uow, "", limit=FIRST_PAGE_ROWS)
        reference.list_antennes(profile.uow)
        reference.list_permanences(profile.uow)
        service.status(profile)
    except Exception:  # the page itself will read again, and say what is wrong
        log.debug("warming the first reads failed", exc_info=True)


def freeze_startup_heap() -> None:
    """Keep the garbage collector's full passes short (issue 14: nothing frozen).

    A full collection walks every object the collector tracks and holds the interpreter
    while it does, so one started by a worker thread (a sync allocates a lot) stops the
    GUI thread as long: 0.44 s during a first sync (benchmarks/bench_ui_stalls.py). What
    exists once the window is ready (modules, SQLAlchemy's mappers and caches, the
    widgets) lives as long as the process: ``gc.freeze()`` (Python docs, "gc") moves it
    out of the collector's sight, and the full passes then only walk what came after."""
    gc.collect()
    gc.freeze()


class ProfileOpening(QObject):
    """Opens ``root`` off the GUI thread and attaches it to ``window``.

    ``profile`` is set as soon as the database is open, even if the window was closed in
    the meantime, so that the launcher can always close what was opened.
    """

    def __init__(
        self,
        window: MainWindow,
        root: Path,
        profile_name: str,
        passphrase: str | None,
        tasks: TaskManager,
        hub: ChangeHub,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.root = root
        self.profile_name = profile_name
        self.passphrase = passphrase
        self.tasks = tasks
        self.hub = hub
        self.profile: Profile | None = None

    def start(self) -> None:
        self.tasks.run_db(self._open, self._opened, self._failed)

    def _open(self) -> Profile:
        from app.profile import open_profile

        profile = open_profile(self.root, self.passphrase)
        self.profile = profile
        for module in WARM_MODULES:
            importlib.import_module(module)
        first = self.window.first_page.factory
        if isinstance(first, LazyPage):
            first.preload()
        warm_first_reads(profile)
        return profile

    def _opened(self, profile: Profile) -> None:
        self.window.attach(AppContext(profile=profile, tasks=self.tasks, hub=self.hub))
        # Once the first page has been painted.
        QTimer.singleShot(0, freeze_startup_heap)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, ProfileError) and error.code == "bad_passphrase":
            ask = PassphraseDialog(self.profile_name, error_message(error), self.window)
            if ask.exec():
                self.passphrase = ask.passphrase.text()
                self.start()
                return
        elif isinstance(error, ProfileError):
            QMessageBox.critical(self.window, common.APP_NAME, error_message(error))
        else:
            log.exception("opening the profile failed", exc_info=error)
            QMessageBox.critical(self.window, common.APP_NAME, error_message(error))
        QApplication.exit(1)
