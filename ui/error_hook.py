"""Nothing silent (issue 14, item 6): every unexpected error is written to the profile's
log and shown in French, with « Copier le détail » so the support gets the traceback.

:func:`install` sets three hooks, after Anki's ``aqt.errors``:

* ``sys.excepthook``: an exception escaping a slot or an event handler (PySide prints
  those through it) or the main code;
* ``threading.excepthook``: an exception ending a plain Python thread;
* Qt's message handler: Qt's own critical and fatal messages reach the log (a fatal one
  aborts the process right after, so it can only be logged, not shown).

Errors the core raises on purpose (:class:`app.errors.PermanenceError` and its kin) are
not "unexpected": they get their French words from :mod:`ui.messages` and no detail.
The dialog is shown from the event loop, never from inside the hook, one at a time: a
burst of the same failure (a paint handler failing on every repaint) is one dialog.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any

from PySide6.QtCore import (
    QMessageLogContext,
    QObject,
    Qt,
    QTimer,
    QtMsgType,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.errors import PermanenceError, ProfileError, ValidationError
from ui.messages import error_message
from ui.texts import common, shell

log = logging.getLogger(__name__)

UNEXPECTED_TITLE = shell.UNEXPECTED_TITLE
UNEXPECTED_TEXT = shell.UNEXPECTED_TEXT
COPY_DETAIL = shell.COPY_DETAIL

EXPECTED_ERRORS: tuple[type[BaseException], ...] = (PermanenceError, ProfileError, ValidationError)


def is_expected(error: BaseException) -> bool:
    """An error the core raises on purpose, with a code that has French words."""
    return isinstance(error, EXPECTED_ERRORS)


def detail_of(error: BaseException) -> str:
    return "".join(traceback.format_exception(type(error), error, error.__traceback__))


def show_error(parent: QWidget | None, error: BaseException) -> None:
    """Tell the user about ``error`` now (GUI thread): its French words when it is an
    expected error, else the unexpected-error dialog with its detail."""
    if is_expected(error):
        QMessageBox.warning(parent, common.APP_NAME, error_message(error))
        return
    _unexpected_box(parent, detail_of(error)).exec()


def _unexpected_box(parent: QWidget | None, detail: str) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Critical, UNEXPECTED_TITLE, UNEXPECTED_TEXT, parent=parent)
    box.setObjectName("unexpectedError")
    box.setDetailedText(detail)  # Qt's « Afficher les détails… » (translated by qtbase_fr)
    copy = box.addButton(COPY_DETAIL, QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Ok)
    box.setDefaultButton(QMessageBox.StandardButton.Ok)
    # An ActionRole button closes the box by default; copying should not.
    copy.clicked.disconnect()
    copy.clicked.connect(lambda: _copy(detail, box))
    return box


def _copy(detail: str, box: QMessageBox) -> None:
    QApplication.clipboard().setText(detail)
    box.setInformativeText(shell.DETAIL_COPIED)


class ErrorReporter(QObject):
    """Lives on the GUI thread; hooks on any thread hand it an error through a queued
    signal, and it shows one dialog at a time."""

    reported = Signal(str)  # the detail (traceback text)

    def __init__(self, parent_window: Callable[[], QWidget | None]) -> None:
        super().__init__()
        self._parent_window = parent_window
        self._showing = False
        self._pending: list[str] = []
        self.shown: list[str] = []  # details shown, newest last (read by tests)
        self.reported.connect(self._queue, Qt.ConnectionType.QueuedConnection)

    def report(self, error: BaseException) -> None:
        """Log ``error`` and show it (callable from any thread)."""
        log.error("erreur inattendue", exc_info=(type(error), error, error.__traceback__))
        detail = detail_of(error)
        if sys.stderr is not None:  # None in a windowed bundle
            print(detail, file=sys.stderr, end="")
        self.reported.emit(detail)

    def _queue(self, detail: str) -> None:
        if detail in self._pending:
            return
        self._pending.append(detail)
        if not self._showing:
            QTimer.singleShot(0, self._show_next)

    def _show_next(self) -> None:
        if self._showing or not self._pending:
            return
        detail = self._pending.pop(0)
        self._showing = True
        try:
            self.shown.append(detail)
            _unexpected_box(self._parent_window(), detail).exec()
        finally:
            self._showing = False
        if self._pending:
            QTimer.singleShot(0, self._show_next)


_reporter: ErrorReporter | None = None


def reporter() -> ErrorReporter | None:
    """The installed reporter, if any."""
    return _reporter


def report(error: BaseException) -> None:
    """Show an unexpected error through the installed hook, or log it when none is."""
    if _reporter is not None:
        _reporter.report(error)
    else:
        log.error("erreur inattendue", exc_info=(type(error), error, error.__traceback__))


class _Hooks:
    def __init__(self) -> None:
        self.excepthook = sys.excepthook
        self.threading_excepthook = threading.excepthook
        self.qt_handler: Any = None


_saved: _Hooks | None = None

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    level = _QT_LEVELS.get(kind, logging.WARNING)
    logging.getLogger("qt").log(level, "%s (%s:%s)", message, context.file, context.line)
    if kind == QtMsgType.QtFatalMsg:
        # Qt aborts the process as soon as this returns: the log is all there will be.
        for handler in logging.getLogger().handlers:
            handler.flush()
    if level >= logging.WARNING:
        print(f"Qt: {message}", file=sys.stderr)


def _excepthook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        if _saved is not None:
            _saved.excepthook(kind, error, tb)
        return
    if error.__traceback__ is None:
        error = error.with_traceback(tb)
    report(error)


def _threading_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None or issubclass(args.exc_type, SystemExit):
        return
    report(args.exc_value)


def install(parent_window: Callable[[], QWidget | None] = lambda: None) -> ErrorReporter:
    """Set the three hooks (once; a second call only changes the dialogs' parent)."""
    global _reporter, _saved
    if _reporter is not None:
        _reporter._parent_window = parent_window
        return _reporter
    _saved = _Hooks()
    _reporter = ErrorReporter(parent_window)
    sys.excepthook = _excepthook
    threading.excepthook = _threading_excepthook
    _saved.qt_handler = qInstallMessageHandler(_qt_message)
    return _reporter


def uninstall() -> None:
    """Put back the hooks :func:`install` replaced (tests)."""
    global _reporter, _saved
    if _saved is None:
        return
    sys.excepthook = _saved.excepthook
    threading.excepthook = _saved.threading_excepthook
    qInstallMessageHandler(_saved.qt_handler)
    if _reporter is not None:
        _reporter.deleteLater()
    _reporter, _saved = None, None
