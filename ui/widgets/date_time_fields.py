"""The one date field and the one time field of the app: typed the way people type them.

Hand-written over a plain QLineEdit rather than QDateEdit/QTimeEdit: those spin boxes
work section by section, so typing ``12031985`` gave "2031985", Tab stayed in the field
and a value they could not read went blank or was clamped to a minimum without a word.
Here the text is the person's until it leaves the field: a value that is understood is
written back in full (``12/3/85`` → ``12/03/1985``, the same date); one that is not stays
as typed, with the reason in French under the field, and the form refuses to save it.

Dates: ``12031985``, ``120385``, ``12/03/1985``, ``12/3/85``, ``12-3-1985``, ``12.03.1985``.
Times: ``9``, ``9h``, ``9h30``, ``9 h 30``, ``09:30``, ``930``, ``0930``.
"""

from __future__ import annotations

import datetime as dt
import re

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from app.clock import today
from ui.style import error_css
from ui.texts import common

_DATE_SEPARATED = re.compile(r"^(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{2}|\d{4})$")
_DATE_DIGITS = re.compile(r"^(\d{2})(\d{2})(\d{2}|\d{4})$")
_TIME_SEPARATED = re.compile(r"^(\d{1,2})\s*(?:[:.h]\s*(\d{2})?)?$", re.IGNORECASE)
_TIME_DIGITS = re.compile(r"^(\d{1,2})(\d{2})$")


class InputProblem(ValueError):
    """What is wrong with a typed value, in French, for the person who typed it."""


def _full_year(two_digits: int) -> int:
    # 85 is 1985 and 25 is 2025: a year more than ten years ahead is the last century.
    year = 2000 + two_digits
    return year if year <= today().year + 10 else year - 100


def parse_date(text: str) -> dt.date | None:
    """The date ``text`` stands for, None if empty; InputProblem if it cannot be one."""
    text = text.strip()
    if not text:
        return None
    match = _DATE_SEPARATED.match(text) or _DATE_DIGITS.match(text)
    if match is None:
        raise InputProblem(common.DATE_NOT_UNDERSTOOD)
    day, month, year = (int(part) for part in match.groups())
    if len(match.group(3)) == 2:
        year = _full_year(year)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise InputProblem(common.NO_SUCH_DATE.format(day=day, month=month, year=year)) from None


def parse_time(text: str) -> dt.time | None:
    """The time of day ``text`` stands for, None if empty; InputProblem if it cannot be one."""
    text = text.strip()
    if not text:
        return None
    match = _TIME_DIGITS.match(text) or _TIME_SEPARATED.match(text)
    if match is None:
        raise InputProblem(common.TIME_NOT_UNDERSTOOD)
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise InputProblem(common.NO_SUCH_TIME.format(hour=hour, minute=minute))
    return dt.time(hour, minute)


class _TypedField(QWidget):
    """A line edit and, beneath it, the reason its text is refused (hidden when fine)."""

    editingFinished = Signal()

    def __init__(self, parent: QWidget | None, optional: bool) -> None:
        super().__init__(parent)
        self.optional = optional
        self.edit = QLineEdit(self)
        self.error_label = QLabel(self)
        self.edit.editingFinished.connect(self._left)
        self.edit.textEdited.connect(lambda _text: self.error_label.hide())
        self.error_label.setObjectName("inputProblem")
        self.error_label.setStyleSheet(f"{error_css()} font-size: 11px;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.row = QHBoxLayout()
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.addWidget(self.edit, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(self.row)
        layout.addWidget(self.error_label)
        self.setFocusProxy(self.edit)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.after: _TypedField | None = None  # the field this one must not come before
        self.after_message = common.END_BEFORE_START

    # What subclasses say -------------------------------------------------------
    def _parse(self, text: str) -> object:
        raise NotImplementedError

    def _format(self, value: object) -> str:
        raise NotImplementedError

    # Reading the field ---------------------------------------------------------
    def problem(self) -> str | None:
        """Why the text cannot be saved, in French; None when it can."""
        try:
            value = self._parse(self.edit.text())
        except InputProblem as problem:
            return str(problem)
        if value is None:
            return None if self.optional else common.FIELD_REQUIRED
        if self.after is not None and self.after.problem() is None:
            start = self.after._parse(self.after.edit.text())
            if start is not None and value < start:  # type: ignore[operator]
                return self.after_message.format(
                    start=self.after._format(start), end=self._format(value)
                )
        return None

    def show_problem(self) -> str | None:
        problem = self.problem()
        self.error_label.setText(problem or "")
        self.error_label.setVisible(problem is not None)
        return problem

    def _parsed(self) -> object:
        try:
            return self._parse(self.edit.text())
        except InputProblem:
            return None

    def _left(self) -> None:
        """Leaving the field: write back what was understood, or say what was not."""
        try:
            value = self._parse(self.edit.text())
        except InputProblem:
            self.show_problem()
            self.editingFinished.emit()
            return
        if value is not None:
            self.edit.setText(self._format(value))
        self.show_problem()
        self._changed()
        self.editingFinished.emit()

    def _changed(self) -> None:
        raise NotImplementedError


class DateField(_TypedField):
    """A date typed freely (see the module), with a calendar button; may be optional."""

    dateChanged = Signal(QDate)

    def __init__(
        self, parent: QWidget | None = None, value: dt.date | None = None, *, optional: bool = False
    ) -> None:
        super().__init__(parent, optional)
        self.edit.setPlaceholderText("jj/mm/aaaa")
        self.edit.setToolTip(common.DATE_TOOLTIP)
        self.edit.setFixedWidth(self.edit.fontMetrics().horizontalAdvance("00/00/00000") + 24)
        self.calendar_button = QToolButton(self)
        self.calendar_button.setText("▾")
        self.calendar_button.setToolTip(common.PICK_IN_CALENDAR)
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes field to field
        self.calendar_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.calendar_button)
        self.calendar = QCalendarWidget(menu)
        self.calendar.setGridVisible(True)
        action = QWidgetAction(menu)
        action.setDefaultWidget(self.calendar)
        menu.addAction(action)
        menu.aboutToShow.connect(self._open_calendar)
        self.calendar.clicked.connect(self._picked)
        self.calendar_button.setMenu(menu)
        self.row.addWidget(self.calendar_button)
        self.row.addStretch(1)
        self._last: dt.date | None = None
        self.set_value(value)

    def _parse(self, text: str) -> dt.date | None:
        return parse_date(text)

    def _format(self, value: object) -> str:
        assert isinstance(value, dt.date)
        return value.strftime("%d/%m/%Y")

    def _picked(self, day: QDate) -> None:
        self.setDate(day)
        self.calendar_button.menu().close()

    def _open_calendar(self) -> None:
        self.calendar.setSelectedDate(QDate(self.value() or today()))

    def _changed(self) -> None:
        value = self._parsed()
        if value != self._last:
            self._last = value  # type: ignore[assignment]
            self.dateChanged.emit(self.date())

    # The value -----------------------------------------------------------------
    def value(self) -> dt.date | None:
        """The date typed; None if empty or not understood (see :meth:`problem`)."""
        value = self._parsed()
        return value if isinstance(value, dt.date) else None

    def set_value(self, value: dt.date | None) -> None:
        self.edit.setText(self._format(value) if value is not None else "")
        self.error_label.hide()
        self._changed()

    def date(self) -> QDate:
        """As QDateEdit: the date, or an invalid QDate when there is none."""
        value = self.value()
        return QDate(value) if value is not None else QDate()

    def setDate(self, value: QDate) -> None:
        self.set_value(value.toPython() if value.isValid() else None)  # type: ignore[arg-type]


class TimeField(_TypedField):
    """A time of day typed freely (see the module)."""

    timeChanged = Signal(QTime)

    def __init__(
        self, parent: QWidget | None = None, value: dt.time | None = None, *, optional: bool = False
    ) -> None:
        super().__init__(parent, optional)
        self.edit.setPlaceholderText("hh:mm")
        self.edit.setToolTip(common.TIME_TOOLTIP)
        self.edit.setFixedWidth(self.edit.fontMetrics().horizontalAdvance("00:000") + 24)
        self._last: dt.time | None = None
        self.set_value(value)

    def _parse(self, text: str) -> dt.time | None:
        return parse_time(text)

    def _format(self, value: object) -> str:
        assert isinstance(value, dt.time)
        return value.strftime("%H:%M")

    def _changed(self) -> None:
        value = self._parsed()
        if value != self._last:
            self._last = value  # type: ignore[assignment]
            self.timeChanged.emit(self.time())

    def value(self) -> dt.time | None:
        value = self._parsed()
        return value if isinstance(value, dt.time) else None

    def set_value(self, value: dt.time | None) -> None:
        self.edit.setText(self._format(value) if value is not None else "")
        self.error_label.hide()
        self._changed()

    def time(self) -> QTime:
        value = self.value()
        return QTime(value.hour, value.minute) if value is not None else QTime()

    def setTime(self, value: QTime) -> None:
        self.set_value(dt.time(value.hour(), value.minute()) if value.isValid() else None)


class DateTimeField(QWidget):
    """A day and a time side by side (the two fields above), read as one moment."""

    def __init__(self, parent: QWidget | None = None, value: dt.datetime | None = None) -> None:
        super().__init__(parent)
        self.day = DateField(self, value.date() if value else None)
        self.time = TimeField(self, value.time() if value else None)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.day)
        layout.addWidget(QLabel("à", self), 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.time)
        layout.addStretch(1)
        self.setFocusProxy(self.day)

    def value(self) -> dt.datetime | None:
        day, time = self.day.value(), self.time.value()
        return dt.datetime.combine(day, time) if day is not None and time is not None else None

    def dateTime(self) -> QDateTime:
        value = self.value()
        return QDateTime(value) if value is not None else QDateTime()

    def setDateTime(self, value: QDateTime) -> None:
        moment = value.toPython() if value.isValid() else None
        assert moment is None or isinstance(moment, dt.datetime)
        self.day.set_value(moment.date() if moment else None)
        self.time.set_value(moment.time() if moment else None)


def not_before(end: _TypedField, start: _TypedField, message: str | None = None) -> None:
    """``end`` is refused, with the reason, when it comes before ``start``."""
    end.after = start
    if message is not None:
        end.after_message = message
    start.edit.editingFinished.connect(lambda: end.show_problem() if end.edit.text() else None)


def refuse_bad_input(form: QWidget) -> bool:
    """Before saving: show under each visible, enabled date or time field of ``form`` why its text
    cannot be saved; focus the first; True if there is any (then nothing must be saved)."""
    refused = [
        field
        for field in form.findChildren(_TypedField)
        if field.isVisibleTo(form) and field.isEnabled() and field.show_problem() is not None
    ]
    if refused:
        refused[0].edit.setFocus()
        refused[0].edit.selectAll()
    return bool(refused)
