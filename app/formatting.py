"""French formatting of amounts, numbers and dates (Babel, locale fr_FR).

Pure functions, no Qt: the UI and the PDFs share them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.numbers import format_currency, format_decimal

from app.clock import to_local

LOCALE = "fr_FR"


def cents_to_decimal(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def money(cents: int) -> str:
    """1234.56 € -> "1 234,56 €" (Babel puts a narrow no-break space between groups)."""
    return format_currency(cents_to_decimal(cents), "EUR", locale=LOCALE)


def number(value: Decimal | int, decimals: int = 2) -> str:
    pattern = "#,##0." + "0" * decimals if decimals else "#,##0"
    return format_decimal(value, format=pattern, locale=LOCALE)


def quantity(quantity_e4: int) -> str:
    """Quantity kept in ten-thousandths, shown without useless zeros: 15000 -> "1,5"."""
    value = Decimal(quantity_e4).scaleb(-4).normalize()
    return format_decimal(value, format="#,##0.####", locale=LOCALE)


def percent_bp(basis_points: int) -> str:
    """2000 -> "20 %", 550 -> "5,5 %"."""
    value = Decimal(basis_points).scaleb(-2).normalize()
    return format_decimal(value, format="#,##0.##", locale=LOCALE) + "\u00a0%"


def date(value: dt.date | None, style: str = "short") -> str:
    """ "short": 26/11/2026; "long": 26 novembre 2026; "full": jeudi 26 novembre 2026."""
    if value is None:
        return ""
    return _format_date(value, format=style, locale=LOCALE)


def datetime(value: dt.datetime | None) -> str:
    """A wall-clock date and time as people wrote it (an appointment at 10:00)."""
    if value is None:
        return ""
    return _format_datetime(value, format="dd/MM/yyyy HH:mm", locale=LOCALE)


def timestamp(stored: dt.datetime | None) -> str:
    """A stored timestamp (naive UTC, or aware) in French local time: "26/11/2026 10:42"."""
    if stored is None:
        return ""
    return datetime(to_local(stored).replace(tzinfo=None))
