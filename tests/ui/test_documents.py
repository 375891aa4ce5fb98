"""A generated document says where it is; when no program can open it, the person is told
so with the file's place (offscreen Qt has no desktop: openUrl really returns False)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from ui.widgets.documents import DocumentReadyDialog, document_ready


def _answer_next_message(said: list[str]) -> None:
    def close() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            said.append(box.text())
            box.accept()
        else:
            QTimer.singleShot(20, close)

    QTimer.singleShot(20, close)


def test_document_ready_says_where_and_no_viewer_is_said_not_silent(qtbot, tmp_path: Path) -> None:
    pdf = tmp_path / "feuille.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    dialog = document_ready(pdf)
    qtbot.addWidget(dialog)
    assert isinstance(dialog, DocumentReadyDialog)
    where = dialog.findChild(QLabel)  # the first label: the document's place
    assert where is not None and str(tmp_path) in where.text()
    labels = [b.text() for b in (dialog.open_button, dialog.folder_button, dialog.print_button)]
    assert labels == ["Ouvrir", "Ouvrir le dossier", "Imprimer"]
    said: list[str] = []
    _answer_next_message(said)
    dialog.open_button.click()
    assert len(said) == 1
    assert "Aucun programme n'a pu ouvrir « feuille.pdf »" in said[0]
    assert str(pdf) in said[0]
    assert dialog.isVisible()  # still there: the folder or the print may still be wanted
