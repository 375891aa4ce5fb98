"""Start the desktop app: Qt in French, the profile opened (or created), the main window.

Also ``--self-test``: the main window offscreen over a fresh profile, every page
visited, database and migrations checked; prints ``ok`` or the reason.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
import tempfile
import traceback
from pathlib import Path

from ui.resources import resources_dir
from ui.texts import common, shell

log = logging.getLogger(__name__)


# How long a thread may hold the interpreter before another that waits gets it (Python's
# default: 5 ms). The GUI thread gives the interpreter up at every SQLite step and every
# Qt call, then waits this long to get it back while a worker (a sync being applied, a
# PDF being drawn) computes: a read of 50 rows on the GUI thread took up to 170 ms
# during a first sync (benchmarks/bench_ui_stalls.py). 1 ms keeps the window's turns
# short for a few percent of the workers' throughput.
GUI_SWITCH_INTERVAL_S = 0.001


def make_application(argv: list[str]) -> object:
    from PySide6.QtCore import QCoreApplication, QLocale

    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)
    from PySide6.QtGui import QFont, QFontDatabase
    from PySide6.QtWidgets import QApplication

    from ui import qt_french

    QCoreApplication.setOrganizationName(common.APP_NAME)
    QCoreApplication.setApplicationName(common.APP_NAME)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv)
    QLocale.setDefault(QLocale(QLocale.Language.French, QLocale.Country.France))
    # Qt's own strings (OK/Annuler, context menus, file and print dialogs) in French.
    if not qt_french.install(app):
        log.warning("Qt's French translations not found: Qt's dialogs will speak English")
    for font_file in sorted((resources_dir() / "fonts").glob("*.ttf")):
        QFontDatabase.addApplicationFont(str(font_file))
    if not QFontDatabase.families():
        app.setFont(QFont(shell.FALLBACK_FONT_FAMILY, 10))
    # Style sheets are set on the widgets they style (ui/style.py), not here; the focus
    # ring is one frame that follows the focus (ui/focus_ring.py).
    from ui import focus_ring

    focus_ring.install(app)
    return app


def _first_run(root: Path) -> object | None:
    from ui.dialogs.first_run_dialog import FirstRunDialog

    dialog = FirstRunDialog(root)
    return dialog.profile if dialog.exec() else None


def _ask_passphrase(profile_name: str) -> str | None:
    from ui.dialogs.passphrase_dialog import PassphraseDialog

    ask = PassphraseDialog(profile_name)
    return ask.passphrase.text() if ask.exec() else None


def skip_pyside_source_scans() -> None:
    """Spare every later import PySide's source scan (issue 14: launch time).

    Once PySide6 is imported, each module imported after it is passed to
    ``shibokensupport.feature.feature_imported``, which reads the module's whole source
    file (``inspect.getsource``) to record whether it mentions "PySide6": the answer only
    tells which modules ``from __feature__ import snake_case`` may switch, a feature this
    program never uses. Reading the sources of SQLAlchemy, the models and the services
    cost about 10 % of their import time, on the GUI thread before the window and on the
    worker (holding the interpreter) while the profile opens. The same answer is taken
    from the module's name. Without that PySide internal (another version), nothing is
    changed."""
    import PySide6.QtCore  # installs the import hook and its module
    import shiboken6

    feature = sys.modules.get("shibokensupport.feature")
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return
    # Top-level packages whose modules use PySide.
    users = {"ui", "benchmarks", "tests", "__main__", PySide6.__name__, shiboken6.__name__}

    def uses_pyside(module: object) -> bool:
        name = str(getattr(module, "__name__", ""))
        return name.partition(".")[0] in users

    setattr(feature, "_mod_uses_pyside", uses_pyside)  # noqa: B010  (a private hook)


def run_gui(root: Path) -> int:
    """Show the main window, then open the profile behind it (see ui.opening).

    Only Qt and the profile's settings file are read before the window is shown; the
    first run (no profile yet) is the exception: its dialog creates the profile.
    """
    skip_pyside_source_scans()
    # No automatic garbage collection until the window is ready: a full pass started by
    # the worker's imports holds the interpreter, and the window, for 0.15 s. Turned back
    # on by ui.opening.freeze_startup_heap, on the GUI thread only (ui/gui_thread_gc.py),
    # and for CPython at the end, whatever happened.
    gc.disable()
    try:
        return _run_gui(root)
    finally:
        gc.enable()


def _run_gui(root: Path) -> int:
    from app.config import ProfilePaths, load_settings
    from ui import error_hook
    from ui.context import AppContext, ChangeHub
    from ui.main_window import MainWindow
    from ui.tasks import TaskManager

    app = make_application(sys.argv)
    window: MainWindow | None = None
    # Nothing silent: unexpected errors are logged and shown in French (ui/error_hook.py).
    error_hook.install(lambda: window)
    tasks, hub = TaskManager(), ChangeHub()
    paths = ProfilePaths(root)
    opening = None
    if not paths.settings.exists():
        profile = _first_run(root)
        if profile is None:
            return 1
        window = MainWindow(AppContext(profile=profile, tasks=tasks, hub=hub))  # type: ignore[arg-type]
        from PySide6.QtCore import QTimer

        from ui.opening import freeze_startup_heap

        QTimer.singleShot(0, freeze_startup_heap)
    else:
        from ui.opening import EarlyList, ProfileOpening

        settings = load_settings(paths)
        passphrase = None
        if settings.encrypted:
            passphrase = _ask_passphrase(settings.display_name)
            if passphrase is None:
                return 1
        # The person list's first page is read on the worker while the window is built.
        early = EarlyList(tasks, hub, paths.database, passphrase)
        window = MainWindow(profile_name=settings.display_name)
        opening = ProfileOpening(
            window, root, settings.display_name, passphrase, tasks, hub, early=early
        )
        from PySide6.QtCore import QTimer

        # After the first paint: the window is on screen while the profile opens.
        QTimer.singleShot(0, opening.start)
    window.show()
    try:
        return int(app.exec())  # type: ignore[attr-defined]
    finally:
        tasks.wait_idle()
        opened = window.attached.profile if window.attached is not None else None
        if opened is None and opening is not None:
            opened = opening.profile  # opened after the window was closed
        if opened is not None:
            opened.close()


def self_test() -> int:
    """Offscreen smoke test of a fresh profile; used by CI on the bundle.

    It goes the way a real start does: the profile is created, closed, then opened behind
    the shown main window (ui.opening); every page is then visited."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer

    from app import migrate
    from app.reference import setup
    from ui.context import ChangeHub
    from ui.main_window import MainWindow
    from ui.opening import ProfileOpening
    from ui.tasks import TaskManager

    app = make_application([sys.argv[0]])
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="permanence-selftest-") as tmp:
        root = Path(tmp) / "profil"
        created = setup.initialize_profile(
            root,
            setup.SetupRequest(
                display_name=shell.SELF_TEST_PROFILE,
                first_name=shell.SELF_TEST_FIRST_NAME,
                last_name=shell.SELF_TEST_LAST_NAME,
                email="",
                permanence_town=shell.SELF_TEST_TOWN,
                encrypt=False,
            ),
        )
        created.close()
        tasks = TaskManager()
        window = MainWindow(profile_name=shell.SELF_TEST_PROFILE)
        window.show()
        opening = ProfileOpening(window, root, shell.SELF_TEST_PROFILE, None, tasks, ChangeHub())
        waiting = QEventLoop()
        window.ready.connect(waiting.quit)
        QTimer.singleShot(60_000, waiting.quit)
        opening.start()
        waiting.exec()
        try:
            profile = opening.profile
            if window.attached is None or profile is None:
                problems.append("the profile did not open behind the main window")
            else:
                if migrate.current_revision(profile.engine) != migrate.head_revision():
                    problems.append("database is not at the migration head")
                if not profile.integrity_ok():
                    problems.append("integrity_check failed")
                for key in window.pages:
                    window.show_page(key)
                    app.processEvents()  # type: ignore[attr-defined]
                tasks.wait_idle()
            window.close()
            tasks.wait_idle()
        finally:
            if opening.profile is not None:
                opening.profile.close()
    if problems:
        print("; ".join(problems), file=sys.stderr)
        return 1
    print("ok")
    return 0


def main(args: argparse.Namespace) -> int:
    from app import config

    try:
        if args.self_test:
            return self_test()
        if args.demo:
            root = config.demo_home()
            if not (root / config.SETTINGS_FILE).exists():
                from app.demo import build_demo_profile

                print(shell.CREATING_DEMO_PROFILE.format(root=root), flush=True)
                build_demo_profile(root, size="demo")
            return run_gui(root)
        root = Path(args.profile).expanduser() if args.profile else config.default_home()
        return run_gui(root)
    except Exception:
        traceback.print_exc()
        return 2
