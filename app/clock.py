"""Time helpers: one place to ask for "now", so tests can pin it."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    """Naive UTC timestamp (SQLite has no time zones; everything stored is UTC)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def today() -> dt.date:
    return dt.date.today()
