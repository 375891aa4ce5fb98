"""Background work, after Anki's task manager: one worker for database work, a pool for
network, results delivered back on the GUI thread.

Widgets use the typed operations of :mod:`ui.operations` (``QueryOp`` / ``CollectionOp``,
built on this manager), or call ``tasks.run_db(fn, on_done, on_error)``; ``fn`` runs off
the GUI thread; the callbacks run on it. Long jobs take an :class:`app.jobs.JobControl`
so they report progress and can be cancelled.

Nothing silent (issue 14, item 6): a failure that is not one the core raises on purpose
is written to the log with its traceback; a failure nobody asked to handle is shown to
the user (the window's handler, else the global hook of :mod:`ui.error_hook`).
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QDeadlineTimer,
    QObject,
    QRunnable,
    QThreadPool,
    Signal,
    Slot,
)

from app.jobs import Cancelled
from ui import error_hook
from ui.error_hook import is_expected

log = logging.getLogger(__name__)

# While background work runs, the interpreter hands the GIL over every millisecond instead
# of CPython's five: a worker decoding sync pages or drawing a PDF in pure Python holds the
# GIL, and each time the GUI thread let it go (a Qt call, a SQLite step) it waited up to a
# whole interval to take it back, so a 20 ms read or repaint stretched to 50-70 ms
# (benchmarks/bench_ui_stalls.py). The usual interval comes back once the work is over.
BUSY_SWITCH_INTERVAL_S = 0.001

DoneCallback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]


class _Relay(QObject):
    """Lives on the GUI thread; signals emitted from workers are queued to it."""

    finished = Signal(object, object, object)  # callback, result, error


class _Task(QRunnable):
    def __init__(
        self,
        fn: Callable[[], Any],
        relay: _Relay,
        on_done: DoneCallback | None,
        on_error: ErrorCallback | None,
    ) -> None:
        super().__init__()
        self.fn = fn
        self.relay = relay
        self.on_done = on_done
        self.on_error = on_error

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as exc:
            if is_expected(exc) or isinstance(exc, Cancelled):
                log.info("background task refused: %r", exc)
            else:
                log.error("background task failed:\n%s", traceback.format_exc())
            self.relay.finished.emit(self.on_error, None, exc)
        else:
            self.relay.finished.emit(self.on_done, result, None)


class TaskManager(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db_pool = QThreadPool(self)
        self._db_pool.setMaxThreadCount(1)  # SQLite writes are serial anyway
        self._net_pool = QThreadPool(self)
        self._net_pool.setMaxThreadCount(2)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._deliver)
        self.default_error_handler: ErrorCallback | None = None
        # Tasks started whose callbacks have not run yet (see settle()).
        self.pending = 0
        self._idle_switch_interval = sys.getswitchinterval()

    def run_db(
        self,
        fn: Callable[[], Any],
        on_done: DoneCallback | None = None,
        on_error: ErrorCallback | None = None,
    ) -> None:
        self._starting()
        self._db_pool.start(_Task(fn, self._relay, on_done, on_error))

    def run_network(
        self,
        fn: Callable[[], Any],
        on_done: DoneCallback | None = None,
        on_error: ErrorCallback | None = None,
    ) -> None:
        self._starting()
        self._net_pool.start(_Task(fn, self._relay, on_done, on_error))

    def _starting(self) -> None:
        if self.pending == 0:
            self._idle_switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(self._idle_switch_interval, BUSY_SWITCH_INTERVAL_S))
        self.pending += 1

    def wait_idle(self, msecs: int = 30000) -> bool:
        return self._db_pool.waitForDone(msecs) and self._net_pool.waitForDone(msecs)

    def settle(self, msecs: int = 30000) -> bool:
        """Run the event loop until every started task has delivered its callback, those
        the callbacks start included (tests, benchmarks, closing the window)."""
        deadline = QDeadlineTimer(msecs)
        while self.pending and not deadline.hasExpired():
            QCoreApplication.processEvents()
            self._db_pool.waitForDone(5)
            self._net_pool.waitForDone(5)
        return not self.pending

    @Slot(object, object, object)
    def _deliver(
        self, callback: Callable[..., None] | None, result: Any, error: BaseException | None
    ) -> None:
        try:
            self._call(callback, result, error)
        finally:
            self.pending -= 1
            if self.pending == 0:
                sys.setswitchinterval(self._idle_switch_interval)

    def _call(
        self, callback: Callable[..., None] | None, result: Any, error: BaseException | None
    ) -> None:
        if callback is not None and _owner_deleted(callback):
            # The widget that asked is gone (a window closed while its read ran): nobody
            # to show a result to; a failure still reaches the default handler.
            if error is None:
                return
            callback = None
        if error is not None:
            handler = callback or self.default_error_handler
            if handler is not None:
                handler(error)
            else:
                error_hook.report(error)
            return
        if callback is not None:
            callback(result)


def _owner_deleted(callback: Callable[..., None]) -> bool:
    """A bound method of a Qt object whose C++ side was deleted (calling it would raise
    "Internal C++ object already deleted")."""
    owner = getattr(callback, "__self__", None)
    return isinstance(owner, QObject) and not shiboken6.isValid(owner)
