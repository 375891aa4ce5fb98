"""Qt-free contract for long work (sync, batch PDFs, exports), after Calibre's threaded jobs.

A job function takes a :class:`JobControl`: it calls ``progress`` now and then
and checks ``cancelled`` between steps; :class:`Cancelled` unwinds it cleanly.
The UI runs it on a worker thread and forwards progress to a progress bar.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field


class Cancelled(Exception):
    """Raised inside a job when the user asked to stop it."""


ProgressCallback = Callable[[int, int, str], None]


def _ignore_progress(_done: int, _total: int, _label: str) -> None:
    return None


@dataclass
class JobControl:
    on_progress: ProgressCallback = _ignore_progress
    _cancel: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def progress(self, done: int, total: int, label: str = "") -> None:
        self.on_progress(done, total, label)
        self.check()
