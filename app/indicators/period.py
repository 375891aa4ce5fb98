"""The period and antenne a dashboard, an export or a report covers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.errors import Collector


@dataclass(frozen=True)
class Period:
    """Inclusive date range ``[start, end]``. Build it with :meth:`of` to get it checked."""

    start: dt.date
    end: dt.date

    @classmethod
    def of(cls, start: dt.date | None, end: dt.date | None) -> Period:
        """Refuse a missing bound or an end before the start (typed error, never a crash)."""
        errors = Collector()
        errors.check(start is not None, "start", "required")
        errors.check(end is not None, "end", "required")
        if start is not None and end is not None:
            errors.check(end >= start, "end", "end_before_start")
        errors.raise_if_any()
        assert start is not None and end is not None
        return cls(start, end)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def months(self) -> list[str]:
        """Every month the period touches, as "YYYY-MM" (the keys of monthly series)."""
        out: list[str] = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            out.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out

    def previous_year(self) -> Period:
        return Period(_minus_years(self.start, 1), _minus_years(self.end, 1))


def _minus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February -> 28 February
        return day.replace(year=day.year - years, day=28)


def add_years(day: dt.date, years: int) -> dt.date:
    return _minus_years(day, -years)


# ``Filters.antenne_id`` for the persons (and actions) attached to no antenne: with it the
# per-antenne figures and exports partition the all-antennes ones (docs/indicators.md).
NO_ANTENNE = "-"


@dataclass(frozen=True)
class Filters:
    """What every indicator is computed over: a period and optionally one antenne
    (an antenne id, or :data:`NO_ANTENNE`). ``credit_notes_by_invoice``: the option of
    definition ``turnover_by_invoice_period`` (a credit note counts in the period of the
    invoice it cancels, not at its own issue date)."""

    period: Period
    antenne_id: str | None = None
    credit_notes_by_invoice: bool = False
