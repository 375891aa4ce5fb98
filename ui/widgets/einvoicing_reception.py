"""One line saying whether a client receives e-invoices, from what the siège found in
the PA directory and synced (app/invoicing/directory.py): readable offline, in the
client dialog and the invoice window (docs/einvoicing.md, "Directory")."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QLabel, QWidget

from app import formatting
from app.clock import PARIS
from app.invoicing.directory import DirectoryState
from ui.texts import billing


def reception_text(state: DirectoryState) -> str:
    checked = (
        formatting.date(state.checked_at.replace(tzinfo=dt.UTC).astimezone(PARIS).date())
        if state.checked_at
        else ""
    )
    return billing.RECEPTION[state.reception].format(
        address=state.addressing_identifier, checked=checked
    )


class ReceptionLine(QLabel):
    """The line; the dialog reads the state (``directory_state``) and passes it in."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("einvoicing_reception")
        self.setWordWrap(True)

    def show_state(self, state: DirectoryState) -> None:
        self.setText(reception_text(state))
