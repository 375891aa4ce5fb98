"""First run: name the profile, say who you are and where you work, protect the database."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.errors import PermanenceError, ValidationError
from app.profile import Profile
from app.reference import setup
from ui.messages import error_message
from ui.texts import common, shell
from ui.widgets.forms import FormErrors


class FirstRunDialog(QDialog):
    def __init__(self, root: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.root = root
        self.profile: Profile | None = None
        self.setWindowTitle(shell.WELCOME_TITLE)
        self.setMinimumWidth(520)
        intro = QLabel(
            shell.WELCOME_TEXT,
            self,
        )
        intro.setWordWrap(True)
        self.display_name = QLineEdit(self)
        self.display_name.setPlaceholderText(shell.PROFILE_NAME_PLACEHOLDER)
        self.first_name = QLineEdit(self)
        self.last_name = QLineEdit(self)
        self.email = QLineEdit(self)
        self.permanence = QComboBox(self)
        for town, antenne in setup.permanence_towns():
            self.permanence.addItem(
                shell.PERMANENCE_OF_ANTENNE.format(town=town, antenne=antenne), town
            )
        self.encrypt = QCheckBox(shell.ENCRYPT_DATABASE, self)
        self.encrypt.setChecked(True)
        self.encrypt.setToolTip(shell.ENCRYPT_WHY)
        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_confirmation = QLineEdit(self)
        self.passphrase_confirmation.setEchoMode(QLineEdit.EchoMode.Password)
        warning = QLabel(
            shell.REMEMBER_PASSPHRASE,
            self,
        )
        warning.setWordWrap(True)
        self.encrypt.toggled.connect(self.passphrase.setEnabled)
        self.encrypt.toggled.connect(self.passphrase_confirmation.setEnabled)

        form = QFormLayout()
        self.errors = FormErrors()
        self.errors.add_row(form, shell.PROFILE_NAME, "display_name", self.display_name)
        self.errors.add_row(form, shell.YOUR_FIRST_NAME, "first_name", self.first_name)
        self.errors.add_row(form, shell.YOUR_LAST_NAME, "last_name", self.last_name)
        self.errors.add_row(form, shell.YOUR_EMAIL, "email", self.email)
        form.addRow(shell.USUAL_PERMANENCE, self.permanence)
        form.addRow("", self.encrypt)
        self.errors.add_row(form, shell.PASSPHRASE, "passphrase", self.passphrase)
        self.errors.add_row(
            form,
            shell.PASSPHRASE_CONFIRMATION,
            "passphrase_confirmation",
            self.passphrase_confirmation,
        )
        form.addRow("", warning)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(shell.CREATE_PROFILE)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def request(self) -> setup.SetupRequest:
        return setup.SetupRequest(
            display_name=self.display_name.text(),
            first_name=self.first_name.text(),
            last_name=self.last_name.text(),
            email=self.email.text(),
            permanence_town=str(self.permanence.currentData()),
            encrypt=self.encrypt.isChecked(),
            passphrase=self.passphrase.text(),
            passphrase_confirmation=self.passphrase_confirmation.text(),
        )

    def accept(self) -> None:
        try:
            self.profile = setup.initialize_profile(self.root, self.request())
        except ValidationError as exc:
            self.errors.show(exc)
            return
        except PermanenceError as exc:
            QMessageBox.warning(self, common.APP_NAME, error_message(exc))
            return
        super().accept()
