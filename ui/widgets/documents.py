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

NO_VIEWER = (
    "Aucun programme n'a pu ouvrir « {name} ».\n\n"
    "Installez un lecteur de PDF (par exemple celui de votre navigateur) ; le document est "
    "enregistré ici :\n{path}"
)
NO_FOLDER = "Le dossier n'a pas pu être ouvert. Le document est enregistré ici :\n{path}"
NO_PRINTER = (
    "L'impression directe n'est pas possible sur cet ordinateur (aucun service d'impression "
    "trouvé). Ouvrez le document puis imprimez-le depuis le lecteur de PDF."
)
PRINT_SENT = "« {name} » a été envoyé à l'imprimante par défaut."


def _say(parent: QWidget | None, text: str) -> None:
    QMessageBox.information(parent, "Permanence", text)


def open_document(parent: QWidget | None, path: Path) -> bool:
    """Open the file with the desktop's program; say so, with its place, when none can."""
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        return True
    _say(parent, NO_VIEWER.format(name=path.name, path=path))
    return False


def open_folder(parent: QWidget | None, path: Path) -> bool:
    folder = path if path.is_dir() else path.parent
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
        return True
    _say(parent, NO_FOLDER.format(path=path))
    return False


def print_document(parent: QWidget | None, path: Path) -> bool:
    """Send the file to the default printer through the system; say what happened."""
    if sys.platform == "win32":
        try:
            os.startfile(str(path), "print")  # type: ignore[attr-defined]
        except OSError:
            _say(parent, NO_PRINTER)
            return False
    else:
        lp = shutil.which("lp")
        if lp is None or not QProcess.startDetached(lp, [str(path)]):
            _say(parent, NO_PRINTER)
            return False
    _say(parent, PRINT_SENT.format(name=path.name))
    return True


class DocumentReadyDialog(QDialog):
    """« Document enregistré » with its place and « Ouvrir » (the default, Enter),
    « Ouvrir le dossier », « Imprimer » and « Fermer »."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.setWindowTitle("Document enregistré")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        where = QLabel(f"<b>{path.name}</b><br>est enregistré dans :<br>{path.parent}", self)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        where.setWordWrap(True)
        buttons = QDialogButtonBox(self)
        self.open_button = QPushButton("Ouvrir", self)
        self.folder_button = QPushButton("Ouvrir le dossier", self)
        self.print_button = QPushButton("Imprimer", self)
        for button in (self.open_button, self.folder_button, self.print_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setText("Fermer")
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
