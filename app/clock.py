"""The one place that reads the time (docs/architecture.md, "One clock").

Every "now" and "today" of the application, the sync client and the siège comes from
here, so a test (or a training session) can pin the time and nothing else changes.

- Stored timestamps are naive UTC (SQLite has no time zones): :func:`utcnow`.
- "Today" for the user is the local French date (Europe/Paris), not UTC: an invoice
  validated at 00:30 on 1 January in Reims is dated 1 January: :func:`today`.
- Timestamps shown to people are converted to local time: :func:`to_local`.
- The sync's hybrid logical clock needs the machine's real wall time in milliseconds
  (:func:`wall_ms`), even when dates are pinned: its stamps order edits between devices.

The current clock is process-wide: a process opens one profile at a time (the
profile lock sees to it), so "per profile" and "per process" are the same thing here.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, time-zone aware (UTC)."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class PinnedClock:
    """A clock that starts at a given instant and then runs at the machine's pace
    (``frozen=True``: it never moves unless :meth:`advance` or :meth:`set` is called)."""

    def __init__(self, start: dt.datetime, *, frozen: bool = False) -> None:
        self._frozen = frozen
        self.set(start)

    def set(self, instant: dt.datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("a pinned instant needs a time zone")
        self._start = instant.astimezone(dt.UTC)
        self._since = time.monotonic()

    def advance(self, delta: dt.timedelta) -> None:
        self._start += delta

    def now(self) -> dt.datetime:
        if self._frozen:
            return self._start
        return self._start + dt.timedelta(seconds=time.monotonic() - self._since)


_current: Clock = SystemClock()


def current() -> Clock:
    return _current


def use(clock: Clock) -> Clock:
    """Make ``clock`` the process's clock; returns the previous one."""
    global _current
    previous, _current = _current, clock
    return previous


@contextmanager
def pinned(instant: dt.datetime, *, frozen: bool = False) -> Iterator[PinnedClock]:
    """``with pinned(dt.datetime(2027, 1, 1, 0, 30, tzinfo=PARIS)): ...``"""
    clock = PinnedClock(instant, frozen=frozen)
    previous = use(clock)
    try:
        yield clock
    finally:
        use(previous)


def now() -> dt.datetime:
    """The current instant, aware, in UTC."""
    return _current.now()


def utcnow() -> dt.datetime:
    """Naive UTC timestamp: what the databases store."""
    return _current.now().replace(tzinfo=None)


def localnow() -> dt.datetime:
    """The current instant in French local time (aware)."""
    return _current.now().astimezone(PARIS)


def today() -> dt.date:
    """The user's date: the local French calendar date."""
    return localnow().date()


def to_local(stored: dt.datetime) -> dt.datetime:
    """A stored naive-UTC (or aware) timestamp as French local time, for display."""
    aware = stored if stored.tzinfo is not None else stored.replace(tzinfo=dt.UTC)
    return aware.astimezone(PARIS)


def file_time(epoch_seconds: float) -> dt.datetime:
    """A file's modification time (seconds since the epoch) as an aware UTC instant."""
    return dt.datetime.fromtimestamp(epoch_seconds, dt.UTC)


def wall_ms() -> int:
    """The machine's real wall clock in milliseconds, never pinned: HLC stamps, and ages
    of files measured against their modification times (the siège's snapshot cache)."""
    return time.time_ns() // 1_000_000
