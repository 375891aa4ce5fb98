"""Field-by-field error display: the reason appears in French right under the field."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSpinBox,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError
from ui.messages import error_message, field_message
from ui.style import error_colour, error_css
from ui.texts import common


def error_style() -> str:
    """A field's error text: the theme's error red (ui/style.py), a little smaller."""
    return f"{error_css()} font-size: 11px;"


def _edit_signals(widget: QWidget) -> list[SignalInstance]:
    """The signals saying a person changed what a field holds (scroll bars and the like,
    which also have ``valueChanged``, are left out)."""
    if isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit):
        return [widget.textChanged]
    if isinstance(widget, QComboBox):
        return [widget.currentIndexChanged, widget.editTextChanged]
    if isinstance(widget, QSpinBox | QDoubleSpinBox):
        return [widget.valueChanged]
    if isinstance(widget, QDateTimeEdit):
        return [widget.dateTimeChanged]
    if isinstance(widget, QAbstractButton) and widget.isCheckable():
        return [widget.toggled]
    return []


class FieldWithError(QWidget):
    """Wraps an input with an error label beneath it (hidden while the field is valid)."""

    def __init__(self, field_widget: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field_widget = field_widget
        self.error_label = QLabel(self)
        self.error_label.setStyleSheet(error_style())
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(field_widget)
        layout.addWidget(self.error_label)
        for editor in [field_widget, *field_widget.findChildren(QWidget)]:
            for signal in _edit_signals(editor):
                signal.connect(self._edited)

    def _edited(self, *_args: object) -> None:
        """A reason shown for the old value goes as soon as the value changes: the form is
        checked again on save, and a stale reason under a corrected field misleads."""
        if not self.error_label.isHidden():
            self.set_error(None)

    def set_error(self, message: str | None) -> None:
        self.error_label.setText(message or "")
        self.error_label.setVisible(bool(message))
        self.field_widget.setProperty("invalid", bool(message))
        self.field_widget.setStyleSheet(
            f"border: 1px solid {error_colour().name()};" if message else ""
        )


class FormErrors:
    """Maps service field names to their wrappers; shows a ValidationError on the form."""

    def __init__(self) -> None:
        self.fields: dict[str, FieldWithError] = {}

    def add_row(
        self, layout: QFormLayout, label: str, name: str, widget: QWidget
    ) -> FieldWithError:
        wrapper = FieldWithError(widget)
        self.fields[name] = wrapper
        layout.addRow(label, wrapper)
        return wrapper

    def clear(self) -> None:
        for wrapper in self.fields.values():
            wrapper.set_error(None)

    def show(self, error: ValidationError) -> list[str]:
        """Show each field's reason; return the messages of fields this form does not have."""
        self.clear()
        unplaced: list[str] = []
        for item in error.errors:
            wrapper = self.fields.get(item.field)
            if wrapper is None:
                unplaced.append(field_message(item))
            else:
                wrapper.set_error(field_message(item))
        first = next((self.fields[e.field] for e in error.errors if e.field in self.fields), None)
        if first is not None:
            first.field_widget.setFocus()
        return unplaced

    def error_text(self, name: str) -> str:
        wrapper = self.fields.get(name)
        return wrapper.error_label.text() if wrapper and not wrapper.error_label.isHidden() else ""


def general_error_label(parent: QWidget) -> QLabel:
    """The red label above a dialog's buttons for what belongs to no field (hidden when empty)."""
    label = QLabel(parent)
    label.setStyleSheet(error_css())
    label.setWordWrap(True)
    label.hide()
    return label


def show_failure(errors: FormErrors, general: QLabel, exc: BaseException) -> None:
    """Show a service failure: each field's reason under it, the rest in `general` (a
    background operation's refusal or cancellation too: ui/operations.py)."""
    if isinstance(exc, ValidationError):
        lines = errors.show(exc)
    else:
        errors.clear()
        lines = [error_message(exc)]
    general.setText("\n".join(lines))
    general.setVisible(bool(lines))


@dataclass(frozen=True)
class DialogFrame:
    layout: QVBoxLayout
    general_error: QLabel
    buttons: QDialogButtonBox


def dialog_frame(
    dialog: QDialog,
    content: Sequence[QWidget | QLayout],
    on_save: Callable[[], object],
    save_text: str = common.SAVE,
) -> DialogFrame:
    """Lay out a form dialog: the content, the general error label, then Save/Cancel.

    Save calls `on_save` (which accepts the dialog when it succeeds); Cancel rejects it.
    """
    general = general_error_label(dialog)
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    buttons.button(QDialogButtonBox.StandardButton.Save).setText(save_text)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(common.CANCEL)
    buttons.accepted.connect(on_save)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    for item in content:
        if isinstance(item, QLayout):
            layout.addLayout(item)
        else:
            layout.addWidget(item)
    layout.addWidget(general)
    layout.addWidget(buttons)
    tab_in_layout_order(dialog)
    return DialogFrame(layout, general, buttons)


def _focusable_in_order(layout: QLayout) -> list[QWidget]:
    found: list[QWidget] = []
    for index in range(layout.count()):
        item = layout.itemAt(index)
        if item is None:
            continue
        child_layout = item.layout()
        if child_layout is not None:
            found.extend(_focusable_in_order(child_layout))
            continue
        widget = item.widget()
        if widget is None:
            continue
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            found.append(widget)  # a leaf: date edits, tables… keep their inner order
            continue
        if isinstance(widget, QScrollArea):
            content = widget.widget()
            inner = content.layout() if content is not None else None
        else:
            inner = widget.layout()
        if inner is not None:
            found.extend(_focusable_in_order(inner))
    return found


def tab_in_layout_order(widget: QWidget) -> None:
    """Make Tab follow the reading order of the widget's layout.

    Qt's tab order is creation (and re-parenting) order: wrapping a field in FieldWithError
    moves it to the end, so a form mixing wrapped and bare widgets (check boxes, button rows)
    tabbed out of order. Call again after adding rows dynamically.
    """
    layout = widget.layout()
    if layout is None:
        return
    chain = _focusable_in_order(layout)
    for first, second in pairwise(chain):
        QWidget.setTabOrder(first, second)
