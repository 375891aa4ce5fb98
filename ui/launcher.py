"""Start the desktop app: Qt in French, the profile opened (or created), the main window.

Also ``--self-test``: the main window offscreen over a fresh profile, every page
visited, database and migrations checked; prints ``ok`` or the reason.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import traceback
from pathlib import Path

log = logging.getLogger(__name__)


def resources_dir() -> Path:
    # In a PyInstaller bundle, data files live under sys._MEIPASS.
    base = getattr(sys, "_MEIPASS", None)
    if base:
        return Path(base) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def make_application(argv: list[str]) -> object:
    from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
    from PySide6.QtGui import QFont, QFontDatabase
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setOrganizationName("Permanence")
    QCoreApplication.setApplicationName("Permanence")
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv)
    QLocale.setDefault(QLocale(QLocale.Language.French, QLocale.Country.France))
    translator = QTranslator(app)
    # Qt's own strings (OK/Annuler, context menus, file dialogs) in French.
    if translator.load(
        QLocale(), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ):
        app.installTranslator(translator)
    else:
        bundled = resources_dir() / "translations"
        if translator.load("qtbase_fr", str(bundled)):
            app.installTranslator(translator)
    for font_file in sorted((resources_dir() / "fonts").glob("*.ttf")):
        QFontDatabase.addApplicationFont(str(font_file))
    if not QFontDatabase.families():
        app.setFont(QFont("DejaVu Sans", 10))
    style = resources_dir() / "style.qss"
    if style.exists():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    return app


def _open_or_create(root: Path) -> object | None:
    from PySide6.QtWidgets import QMessageBox

    from app.config import ProfilePaths, load_settings
    from app.errors import ProfileError
    from app.profile import open_profile
    from ui.dialogs.first_run_dialog import FirstRunDialog, PassphraseDialog
    from ui.messages import error_message

    paths = ProfilePaths(root)
    if not paths.settings.exists():
        dialog = FirstRunDialog(root)
        return dialog.profile if dialog.exec() else None
    settings = load_settings(paths)
    message = ""
    while True:
        passphrase = None
        if settings.encrypted:
            ask = PassphraseDialog(settings.display_name, message)
            if not ask.exec():
                return None
            passphrase = ask.passphrase.text()
        try:
            return open_profile(root, passphrase)
        except ProfileError as exc:
            if exc.code == "bad_passphrase":
                message = error_message(exc)
                continue
            QMessageBox.critical(None, "Permanence", error_message(exc))
            return None


def run_gui(root: Path) -> int:
    from ui.context import AppContext, ChangeHub
    from ui.main_window import MainWindow
    from ui.tasks import TaskManager

    app = make_application(sys.argv)
    profile = _open_or_create(root)
    if profile is None:
        return 1
    ctx = AppContext(profile=profile, tasks=TaskManager(), hub=ChangeHub())  # type: ignore[arg-type]
    window = MainWindow(ctx)
    window.show()
    try:
        return int(app.exec())  # type: ignore[attr-defined]
    finally:
        ctx.tasks.wait_idle()
        ctx.profile.close()


def self_test() -> int:
    """Offscreen smoke test of a fresh profile; used by CI on the bundle."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app import migrate
    from app.services import setup
    from ui.context import AppContext, ChangeHub
    from ui.main_window import MainWindow
    from ui.tasks import TaskManager

    app = make_application([sys.argv[0]])
    with tempfile.TemporaryDirectory(prefix="permanence-selftest-") as tmp:
        profile = setup.initialize_profile(
            Path(tmp) / "profil",
            setup.SetupRequest(
                display_name="Auto-test",
                first_name="Test",
                last_name="Auto",
                email="",
                permanence_town="Langres",
                encrypt=False,
            ),
        )
        try:
            problems: list[str] = []
            if migrate.current_revision(profile.engine) != migrate.head_revision():
                problems.append("database is not at the migration head")
            if not profile.integrity_ok():
                problems.append("integrity_check failed")
            ctx = AppContext(profile=profile, tasks=TaskManager(), hub=ChangeHub())
            window = MainWindow(ctx)
            window.show()
            for key in window.pages:
                window.show_page(key)
                app.processEvents()  # type: ignore[attr-defined]
            ctx.tasks.wait_idle()
            window.close()
            ctx.tasks.wait_idle()
        finally:
            profile.close()
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

                print(f"Création du profil de démonstration dans {root}…", flush=True)
                build_demo_profile(root, size="demo")
            return run_gui(root)
        root = Path(args.profile).expanduser() if args.profile else config.default_home()
        return run_gui(root)
    except Exception:
        traceback.print_exc()
        return 2
