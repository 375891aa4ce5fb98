"""Open an existing profile while the main window is already on screen.

Start-up used to import SQLAlchemy, the models and the services, open and migrate the
database, and only then show a window: about a second of nothing on these laptops. Now
the launcher shows the main window's chrome first (Qt only), and this controller opens
the profile on the database worker thread, then attaches it to the window on the GUI
thread. A profile that cannot be opened gets its French message over the window, which
then closes; a wrong passphrase is asked again.

The person list does not wait for all that (issue 14: launch to a usable person list):
:class:`EarlyList` reads its first page from the database file with plain SQL on the
worker (app/people/person_list.py: no SQLAlchemy) before the profile is opened there, and
shows it in the window, searchable, while the profile opens. Once the profile is open the
Personnes area takes that list over, with what was typed in it; a person chosen (or
« Nouvelle personne… » pressed) in between is opened then.
"""

from __future__ import annotations

import gc
import importlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.errors import ProfileError
from ui.context import AppContext, ChangeHub
from ui.dialogs.passphrase_dialog import PassphraseDialog
from ui.gui_thread_gc import GuiThreadCollector
from ui.main_window import LazyPage, MainWindow, permanence_choices
from ui.messages import error_message
from ui.tasks import TaskManager
from ui.texts import common

if TYPE_CHECKING:
    from app.people.person_list import EarlyReader, PersonPage
    from app.profile import Profile
    from ui.pages.persons_page import PersonsPage

log = logging.getLogger(__name__)

# Imported on the worker thread with the profile, so that the GUI thread only builds
# widgets: what the status bar needs (permanence list, sync state), and the person
# record's tabs, registered when the window attaches (ui/main_window.py).
WARM_MODULES = ("app.reference.reference", "ui.widgets.sync_status", "ui.pages.person_tabs")
# The person list's first page (ui/pages/persons_page.py asks for as many).
FIRST_PAGE_ROWS = 50
# How long the window has to lay out and paint the list shown at launch before the
# profile's opening starts on the worker (EarlyList.when_shown): interleaved runs on decade
# (load 6 on 2 cores), longest pause median 65 ms starting at once, 27-42 ms after 150 ms;
# the profile is open that much later, unnoticed beside its 1.5-2 s.
SETTLE_MS = 150


def warm_first_reads(profile: Profile) -> None:
    """Make the first page's reads cheap before the GUI thread makes them (issue 14:
    launch to a usable person list). SQLAlchemy configures every mapper at the first ORM
    query (about 0.2 s for our 30-odd models) and compiles each statement the first time
    it runs; both used to happen on the GUI thread, in ``MainWindow.attach``. Here, on
    the database worker, the mappers are configured and the reads of the person list and
    of the sync status run once (the first ORM query configures the mappers); the status
    bar's permanences are read there too (:func:`permanence_choices`)."""
    from app import formatting
    from app.people import person_directory
    from app.sync import service

    formatting.number(5000, 0)  # Babel loads the French number symbols once (≈ 0.1 s)
    try:
        person_directory.search_page(profile.uow.reading(), "", limit=FIRST_PAGE_ROWS)
        service.status(profile)
    except Exception:  # the page itself will read again, and say what is wrong
        log.debug("warming the first reads failed", exc_info=True)


def freeze_startup_heap() -> None:
    """Keep the garbage collector's full passes short (issue 14: nothing frozen).

    A full collection walks every object the collector tracks and holds the interpreter
    while it does, so one started by a worker thread stops the GUI thread as long: 0.44 s
    during a first sync (benchmarks/bench_ui_stalls.py), 0.16 s while the worker imported
    SQLAlchemy at launch. So the launcher turns the automatic collection off until the
    window is ready (ui/launcher.py); then what exists (modules, SQLAlchemy's mappers and
    caches, the widgets), which lives as long as the process, is moved out of the
    collector's sight with ``gc.freeze()`` (Python docs, "gc"), and the collection turned
    back on, on the GUI thread only (ui/gui_thread_gc.py: a collection started by a
    worker could destroy a Qt object there): its full passes only walk what came after.
    No ``gc.collect()`` first: it would walk that whole heap on the GUI thread (0.15 s)
    to free about a thousand objects. Idempotent: a second call freezes what came since
    and keeps the one collector."""
    gc.freeze()
    app = QApplication.instance()
    if app is None:  # no Qt left (shutting down): give the collection back to CPython
        gc.enable()
        return
    collector = app.findChild(GuiThreadCollector)
    if collector is None:
        collector = GuiThreadCollector(app)
    collector.start()


class EarlyList:
    """The person list read straight from the database file at launch.

    Made by the launcher as soon as the task manager exists: the read is the database
    worker's first task, so it runs while the GUI thread builds and shows the window, and
    before the profile's opening (queued behind it on the same worker). Its page is shown
    with :meth:`MainWindow.show_preview` once both the read and the window are there. A
    file that cannot be read this way (encrypted with another passphrase, an older schema
    without these columns) is not an error here: the list then comes with the profile,
    whose opening says what is wrong."""

    def __init__(
        self, tasks: TaskManager, hub: ChangeHub, database: Path, passphrase: str | None
    ) -> None:
        self.hub = hub
        self.database = database
        self.passphrase = passphrase
        self.page: PersonsPage | None = None
        self.revision: str | None = None
        self._window: MainWindow | None = None
        self._read: tuple[EarlyReader, PersonPage] | None = None
        self._reader: EarlyReader | None = None
        # What the user asked of the list before the profile was open.
        self._asked: tuple[str, str] | None = None
        # Shown (or known not to come): see when_shown().
        self.settled = False
        self._then: list[Callable[[], None]] = []
        tasks.run_db(self._read_first_page, self._first_page_read)

    def when_shown(self, then: Callable[[], None]) -> None:
        """Call ``then`` once the list has been shown and its first frames drawn (or is
        known not to come). The profile's opening waits for it: its imports on the worker
        would otherwise hold the interpreter while the window lays out and paints the
        list, each of those calls into Python waiting its turn."""
        if self.settled:
            then()
        else:
            self._then.append(then)

    def _settle(self, delay_ms: int = 0) -> None:
        def run() -> None:
            self.settled = True
            then, self._then = self._then, []
            for call in then:
                call()

        if delay_ms:
            QTimer.singleShot(delay_ms, run)
        else:
            run()

    def _read_first_page(self) -> tuple[EarlyReader, str | None, PersonPage] | None:
        from app.people.person_list import EarlyReader

        try:
            reader = EarlyReader.open(self.database, self.passphrase)
        except Exception as error:  # the opening will say what is wrong, if anything
            log.info("person list not read before the profile opened: %r", error)
            return None
        try:
            revision = reader.schema_revision()
            first = reader.first_page("", limit=FIRST_PAGE_ROWS)
        except Exception as error:
            reader.close()
            log.info("person list not read before the profile opened: %r", error)
            return None
        importlib.import_module("ui.pages.persons_page")  # here, not on the GUI thread
        return reader, revision, first

    def _first_page_read(self, result: tuple[EarlyReader, str | None, PersonPage] | None) -> None:
        if result is None:
            self._settle()
            return
        reader, self.revision, first = result
        self._reader = reader
        self._read = (reader, first)
        self._show()

    def show_in(self, window: MainWindow) -> None:
        self._window = window
        self._show()

    def _show(self) -> None:
        if self._window is None or self._read is None or self.page is not None:
            return
        if self._window.attached is not None:  # the profile opened first
            self.close()
            self._settle()
            return
        from ui.pages.persons_page import PersonsPage

        reader, first = self._read
        page = PersonsPage(None, reads=reader, hub=self.hub, first=first)
        page.person_activated.connect(self._person_asked)
        page.new_person_requested.connect(self._new_person_asked)
        self.page = page
        self._window.show_preview(page)
        self._settle(SETTLE_MS)

    def _person_asked(self, person_id: str) -> None:
        self._asked = ("person", person_id)

    def _new_person_asked(self) -> None:
        self._asked = ("new", "")

    def handed_over(self, window: MainWindow) -> None:
        """The profile is attached and its Personnes area has the list: stop reading the
        file, read again if the opening migrated it, open what was asked meanwhile."""
        from app import migrate

        page = self.page
        self.close()
        if page is None:
            return
        page.person_activated.disconnect(self._person_asked)
        page.new_person_requested.disconnect(self._new_person_asked)
        if self.revision != migrate.head_revision():
            page.refresh()
        asked, self._asked = self._asked, None
        if asked is not None and asked[0] == "person":
            self.hub.open_requested.emit("person", asked[1])
        elif asked is not None:
            area: Any = window.pages[window.first_page.key]
            area.new_person()

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        self._read = None


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
        early: EarlyList | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.root = root
        self.profile_name = profile_name
        self.passphrase = passphrase
        self.tasks = tasks
        self.hub = hub
        self.early = early
        self.profile: Profile | None = None
        if early is not None:
            early.show_in(window)

    def start(self) -> None:
        if self.early is not None and not self.early.settled:
            self.early.when_shown(self.start)
            return
        self.tasks.run_db(self._open, self._opened, self._failed)

    def _open(self) -> tuple[Profile, list[tuple[str, str]] | None]:
        from app.profile import open_profile

        profile = open_profile(self.root, self.passphrase)
        self.profile = profile
        for module in WARM_MODULES:
            importlib.import_module(module)
        first = self.window.first_page.factory
        if isinstance(first, LazyPage):
            first.preload()
        warm_first_reads(profile)
        try:  # the status bar's reads, here rather than on the GUI thread
            permanences = permanence_choices(profile.uow.reading())
        except Exception:  # attach() reads again, and says what is wrong
            log.debug("reading the permanences failed", exc_info=True)
            permanences = None
        return profile, permanences

    def _opened(self, opened: tuple[Profile, list[tuple[str, str]] | None]) -> None:
        profile, permanences = opened
        context = AppContext(profile=profile, tasks=self.tasks, hub=self.hub)
        self.window.attach(context, permanences=permanences)
        if self.early is not None:
            self.early.handed_over(self.window)
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
        if self.early is not None:
            self.early.close()
        QApplication.exit(1)
