"""A form dialog's save, off the GUI thread (issue 14, item 6), as every form does it.

The values are read from the widgets first, on the GUI thread; the service runs on the
database worker (:class:`ui.operations.CollectionOp`) while the save button is greyed (a
second click or Ctrl+Entrée cannot save twice); then, on the GUI thread, either ``success``
(which closes the dialog when it should) or each reason shown under its field, in French,
the dialog left open with everything typed. A refused save writes nothing: each service
runs in one transaction. Open views refresh once, from the typed changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from PySide6.QtWidgets import QDialogButtonBox, QLabel, QPushButton, QWidget

from app.changes import Changes
from ui.context import AppContext
from ui.operations import CollectionOp
from ui.widgets.forms import FormErrors, show_failure

T = TypeVar("T")


def write_form(
    ctx: AppContext,
    dialog: QWidget,
    *,
    op: Callable[[], T],
    changes: Changes | Callable[[T], Changes],
    success: Callable[[T], Changes | None],
    errors: FormErrors,
    general_error: QLabel,
    busy: QWidget | Sequence[QWidget],
) -> CollectionOp[T]:
    """The save, ready to run (``.run_in_background()``); a refusal is shown by the fields
    unless the caller sets its own ``.failure``. Earlier reasons are cleared now."""
    errors.clear()
    general_error.hide()
    return CollectionOp(
        ctx, parent=dialog, op=op, changes=changes, success=success, busy=busy
    ).failure(lambda error: show_failure(errors, general_error, error))


def save_button(buttons: QDialogButtonBox) -> QPushButton:
    """The « Enregistrer » of a form laid out by ``ui.widgets.forms.dialog_frame``."""
    return buttons.button(QDialogButtonBox.StandardButton.Save)
