"""Qt's own dialogs speak French (issue 14, item 9): the file dialog (Qt's, as on a Linux
desktop without portal), the print and page set-up dialogs and a message box, built in
a fresh process by the launcher's ``make_application`` (the translators it installs
would change the texts of the other UI tests if installed in their process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _texts_of_qt_dialogs() -> None:
    """Run in the child: print every label, button, header and menu text as JSON."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QAction
    from PySide6.QtPrintSupport import QPageSetupDialog, QPrintDialog, QPrinter
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QFileDialog,
        QGroupBox,
        QLabel,
        QMessageBox,
        QWidget,
    )

    from ui.launcher import make_application

    make_application([sys.argv[0]])

    def texts(dialog: QWidget) -> list[str]:
        found = [w.text() for w in dialog.findChildren(QLabel)]
        found += [w.text() for w in dialog.findChildren(QAbstractButton)]
        found += [w.title() for w in dialog.findChildren(QGroupBox)]
        found += [a.text() for a in dialog.findChildren(QAction)]
        for view in dialog.findChildren(QAbstractItemView):
            model = view.model()
            if model is not None:
                found += [
                    str(model.headerData(c, Qt.Orientation.Horizontal))
                    for c in range(model.columnCount())
                ]
        return [t for t in found if t]

    files = QFileDialog(None, "Enregistrer la facture")
    files.setOption(QFileDialog.Option.DontUseNativeDialog)
    files.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    box = QMessageBox(QMessageBox.Icon.Question, "Permanence", "Supprimer ?")
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
    box.setDetailedText("détail")
    print(
        json.dumps(
            {
                "file": texts(files),
                "print": texts(QPrintDialog(QPrinter())),
                "page": texts(QPageSetupDialog(QPrinter())),
                "box": texts(box),
            }
        )
    )


def test_qt_file_print_and_message_dialogs_are_in_french() -> None:
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "from tests.ui.test_qt_french import _texts_of_qt_dialogs as t; t()",
        ],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr
    shown = json.loads(child.stdout.splitlines()[-1])
    file_texts = shown["file"]
    for french in ("&Voir dans\u00a0:", "Fichiers de &type\u00a0:", "&Nom de fichier\u00a0:",
                   "&Enregistrer", "Annuler", "&Nouveau dossier", "Taille"):  # fmt: skip
        assert french in file_texts, (french, file_texts)
    assert "&Jeu de pages\u00a0:" in shown["print"] and "Im&primer" in shown["print"]
    assert "&Pages par feuille\u00a0:" in shown["page"] and "Marges" in shown["page"]
    assert {"&Oui", "Annuler", "Montrer les détails…"} <= set(shown["box"]), shown["box"]
    english = ("Look in", "Files of", "File name", "Cancel", "Page &Set", "per sheet",
               "New Folder", "Show Details")  # fmt: skip
    for dialog, texts in shown.items():
        for text in texts:
            assert not any(word in text for word in english), (dialog, text)
