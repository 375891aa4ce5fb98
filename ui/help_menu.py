"""The « Aide » menu: the keyboard shortcuts, the version, where the profile's data lives,
and the user guide (README.md, next to the sources or the bundle)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox

from ui.texts import common, shell
from ui.widgets.documents import open_document, open_folder

SHORTCUTS: tuple[tuple[str, str], ...] = (
    (shell.SHORTCUT_GO_TO_KEYS, shell.SHORTCUT_GO_TO),
    ("Ctrl+F", shell.SHORTCUT_SEARCH),
    ("Ctrl+N", shell.SHORTCUT_NEW),
    (shell.SHORTCUT_OPEN_KEYS, shell.SHORTCUT_OPEN),
    (shell.SHORTCUT_BACK_KEYS, shell.SHORTCUT_BACK),
    (shell.SHORTCUT_NEXT_TAB_KEYS, shell.SHORTCUT_NEXT_TAB),
    (shell.SHORTCUT_NEXT_FIELD_KEYS, shell.SHORTCUT_NEXT_FIELD),
    (shell.SHORTCUT_FINALISE_KEYS, shell.SHORTCUT_FINALISE),
    ("F1", shell.SHORTCUT_HELP),
    ("Ctrl+Q", shell.SHORTCUT_QUIT),
)


def version() -> str:
    from importlib import metadata  # ~0.1 s to import: only when the version is asked for

    try:
        return metadata.version("permanence")
    except metadata.PackageNotFoundError:
        return shell.UNKNOWN_VERSION


def user_guide() -> Path | None:
    """README.md beside the sources (or inside the bundle), if it is there."""
    bundle = getattr(sys, "_MEIPASS", None)
    for folder in ([Path(bundle)] if bundle else []) + [Path(__file__).resolve().parents[1]]:
        if (folder / "README.md").is_file():
            return folder / "README.md"
    return None


def shortcuts_text() -> str:
    rows = "".join(f"<tr><td><b>{keys}</b></td><td>{what}</td></tr>" for keys, what in SHORTCUTS)
    return f"<table cellspacing='6'>{rows}</table>"


def build_help_menu(window: QMainWindow, profile_root: Callable[[], Path | None]) -> None:
    menu = window.menuBar().addMenu(shell.HELP_MENU)
    keys = QAction(shell.KEYBOARD_SHORTCUTS, window)
    keys.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
    keys.triggered.connect(
        lambda: QMessageBox.information(window, shell.KEYBOARD_SHORTCUTS, shortcuts_text())
    )
    menu.addAction(keys)
    guide = QAction(shell.USER_GUIDE, window)
    guide.triggered.connect(lambda: _open_guide(window))
    menu.addAction(guide)
    folder = QAction(shell.OPEN_PROFILE_FOLDER, window)
    folder.triggered.connect(lambda: _open_profile_folder(window, profile_root()))
    menu.addAction(folder)
    menu.addSeparator()
    about = QAction(shell.ABOUT, window)
    about.triggered.connect(
        lambda: QMessageBox.about(window, common.APP_NAME, about_text(profile_root()))
    )
    menu.addAction(about)


def about_text(root: Path | None) -> str:
    where = str(root) if root is not None else shell.PROFILE_BEING_OPENED
    return shell.ABOUT_TEXT.format(version=version(), where=where)


def _open_guide(window: QMainWindow) -> None:
    guide = user_guide()
    if guide is None:
        QMessageBox.information(window, common.APP_NAME, shell.GUIDE_NOT_INSTALLED)
    else:
        open_document(window, guide)


def _open_profile_folder(window: QMainWindow, root: Path | None) -> None:
    if root is not None:
        open_folder(window, root)
