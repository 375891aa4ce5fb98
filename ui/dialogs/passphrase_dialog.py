"""The passphrase of an encrypted profile, asked at start.

Kept apart from the first-run dialog: it is shown before the data layer is loaded, so it
imports Qt only.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ui.style import error_css
from ui.texts import common, shell


class PassphraseDialog(QDialog):
    """Asks for the passphrase of an encrypted profile at start."""

    def __init__(self, profile_name: str, message: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(shell.ENCRYPTED_PROFILE_TITLE)
        label = QLabel(shell.ENTER_PASSPHRASE.format(profile=profile_name), self)
        label.setWordWrap(True)
        self.error = QLabel(message, self)
        self.error.setStyleSheet(error_css())
        self.error.setVisible(bool(message))
        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(common.OPEN)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.passphrase)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
