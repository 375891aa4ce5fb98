"""A generated document: say where it is, and offer to open it, open its folder or print it.

Opening goes through the desktop (QDesktopServices); when no program opens the file
(``openUrl`` returns False: no PDF viewer installed), the person is told so, with the
place of the file. Printing hands the file to the system: Qt prints only what it draws
itself and this Qt has no PDF renderer (no QtPdf), so a PDF goes to Windows' "print" verb
or to CUPS' ``lp`` elsewhere.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from PySide6.QtCore import QProcess, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.texts import common


def _say(parent: QWidget | None, text: str) -> None:
    QMessageBox.information(parent, common.APP_NAME, text)


def open_document(parent: QWidget | None, path: Path) -> bool:
    """Open the file with the desktop's program; say so, with its place, when none can."""
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        return True
    _say(parent, common.NO_VIEWER.format(name=path.name, path=path))
    return False


def open_folder(parent: QWidget | None, path: Path) -> bool:
    folder = path if path.is_dir() else path.parent
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
        return True
    _say(parent, common.NO_FOLDER.format(path=path))
    return False


def print_document(parent: QWidget | None, path: Path) -> bool:
    """Send the file to the default printer through the system; say what happened."""
    if sys.platform == "win32":
        try:
            os.startfile(str(path), "print")  # type: ignore[attr-defined]
        except OSError:
            _say(parent, common.NO_PRINTER)
            return False
    else:
        lp = shutil.which("lp")
        if lp is None or not QProcess.startDetached(lp, [str(path)]):
            _say(parent, common.NO_PRINTER)
            return False
    _say(parent, common.PRINT_SENT.format(name=path.name))
    return True


class DocumentReadyDialog(QDialog):
    """« Document enregistré » with its place and « Ouvrir » (the default, Enter),
    « Ouvrir le dossier », « Imprimer » and « Fermer »."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.setWindowTitle(common.DOCUMENT_SAVED)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        where = QLabel(common.DOCUMENT_SAVED_WHERE.format(name=path.name, folder=path.parent), self)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        where.setWordWrap(True)
        buttons = QDialogButtonBox(self)
        self.open_button = QPushButton(common.OPEN, self)
        self.folder_button = QPushButton(common.OPEN_FOLDER, self)
        self.print_button = QPushButton(common.PRINT, self)
        for button in (self.open_button, self.folder_button, self.print_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setText(common.CLOSE)
        buttons.rejected.connect(self.reject)
        self.open_button.setDefault(True)
        self.open_button.clicked.connect(self._open)
        self.folder_button.clicked.connect(self._open_folder)
        self.print_button.clicked.connect(lambda: print_document(self, self.path))
        layout = QVBoxLayout(self)
        layout.addWidget(where)
        layout.addWidget(buttons)

    def _open_folder(self) -> None:
        if open_folder(self, self.path):
            self.accept()

    def _open(self) -> None:
        if open_document(self, self.path):
            self.accept()


def document_ready(path: Path, parent: QWidget | None = None) -> DocumentReadyDialog:
    """Show where a just-generated document is, with what can be done with it.

    ``parent``: the window that asked for the document, given by the caller. Never the
    window active when the document is ready (off the GUI thread, seconds later): by then
    the person may have switched to another window or opened a menu (issue 14)."""
    window = parent.window() if parent is not None else None
    dialog = DocumentReadyDialog(path, window)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
