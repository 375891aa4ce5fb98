"""Leaving the invoice window without losing what was typed (issue 14): Escape, « Fermer »
and the window's own close button ask first when the draft holds unsaved work; a close
by the program (pytest-qt's teardown, ``reject()``) never blocks on a question.

Split from ``invoice_dialog.py`` along this seam: the form is ``invoice_form.py``, the
status line ``invoice_state.py``, the actions ``invoice_dialog.py``."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QMessageBox, QWidget

from ui.dialogs.invoice_form import InvoiceForm
from ui.texts import invoicing as texts


def ask_unsaved(parent: QWidget) -> QMessageBox.StandardButton:
    """« Enregistrer le brouillon / Abandonner les modifications / Continuer la saisie »:
    Save, Discard or Cancel (the default, as Escape: nothing typed is lost by a key)."""
    box = QMessageBox(QMessageBox.Icon.Question, texts.UNSAVED_TITLE, texts.UNSAVED_QUESTION)
    box.setParent(parent, box.windowFlags())
    Button = QMessageBox.StandardButton
    box.setStandardButtons(Button.Save | Button.Discard | Button.Cancel)
    for button, label in (
        (Button.Save, texts.UNSAVED_SAVE),
        (Button.Discard, texts.UNSAVED_DISCARD),
        (Button.Cancel, texts.UNSAVED_CONTINUE),
    ):
        shown = box.button(button)
        assert shown is not None
        shown.setText(label)
    box.setDefaultButton(Button.Cancel)
    box.setEscapeButton(Button.Cancel)
    return Button(box.exec())


class GuardedInvoiceForm(InvoiceForm):
    """The invoice form, asking before dropping typed work; ``save_draft`` is the
    window's (``InvoiceDialog``)."""

    _clean: object = None

    def save_draft(self) -> bool:
        raise NotImplementedError

    def _mark_clean(self) -> None:
        """What the form holds now is what is saved (or nothing typed yet)."""
        self._clean = self._snapshot()

    def _snapshot(self) -> object:
        data, errors = self.value()
        return data, [(e.field, e.code) for e in errors]

    def has_unsaved_changes(self) -> bool:
        if self.detail is not None and not self.detail.is_draft:
            return False
        return bool(self._snapshot() != self._clean)

    def _may_leave(self) -> bool:
        """Nothing typed is lost silently: save, discard or go on typing."""
        if not self.isVisible() or not self.has_unsaved_changes():
            return True  # a window never shown holds nothing typed
        answer = ask_unsaved(self)
        if answer == QMessageBox.StandardButton.Save:
            return self.save_draft()
        return answer == QMessageBox.StandardButton.Discard

    def close_window(self) -> None:
        """« Fermer »."""
        if self._may_leave():
            self.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Escape asks first; a close by the program (reject(), close()) never does."""
        if event.key() == Qt.Key.Key_Escape and not event.modifiers():
            if self._may_leave():
                self.reject()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        """The window's own close button (a spontaneous event) asks first."""
        if event.spontaneous() and not self._may_leave():
            event.ignore()
            return
        super().closeEvent(event)
