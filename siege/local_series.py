"""Invoices a laptop issued before its enrolment (docs/authority.md, "Invoices issued
before enrolment").

A profile used alone numbers its invoices in a series of its own (prefix ``LOC`` by
default, app/invoicing/numbering.py), under the device id it made for itself. At
enrolment the siège gives the laptop a new device id and prefix; the numbers already
issued cannot change (French law: never renumbered), so the laptop declares those series
in its ``/enroll`` request and the siège decides, before the one-time code is spent:

- a series the siège already holds (imported with ``import-profile``) must have been
  handed to this device (``device enroll … --series PREFIX``): the laptop's rows are
  the siège's;
- a series the laptop will push (its rows wait in its outbox) is adopted: the siège
  reserves its prefix for this device by writing the series row under the device's new
  id, so the pushed series and every number in it are accepted, with no gap; and closes
  it: the laptop declares the highest sequence it issued in each year, the siège keeps
  them (``siege_adopted_series``) and refuses any other number in that series
  (``adopted_series_closed``, :func:`may_number`): after enrolment the laptop numbers
  in the prefix the siège gave it, so a new number there could only come from a stolen
  token or a tampered laptop;
- otherwise enrolment is refused with the prefix, never a silent loss: the prefix is
  another device's (``local_series_taken``: two series would print the same numbers), or
  the laptop holds issued invoices it will not send and the siège lacks
  (``local_series_unknown``: a demo profile, or a copied database — the administrator
  loads the profile with ``import-profile`` and hands the series over with ``--series``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Connection, DateTime, Integer, String, Table, insert, select

from app.clock import utcnow
from app.models.base import Base
from siege.tables import device, metadata

PREFIX = re.compile(r"^[A-Za-z0-9]{1,12}$")
ROW_ID = re.compile(r"^[0-9a-fA-F-]{36}$")
KINDS = ("facture", "avoir")
MOST = 20  # series a laptop may declare (one per prefix and kind)
YEARS = range(1900, 2101)  # issue dates the codec accepts (app/sync/limits.py)
MOST_SEQUENCE = 10**9

# Siège migration s0009: the numbers issued in each adopted series, year by year, as the
# laptop declared them at /enroll. The series is closed beyond them.
adopted_series = Table(
    "siege_adopted_series",
    metadata,
    Column("series_id", String(36), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last_sequence", Integer, nullable=False),
    Column("device_id", String(36), nullable=False),
    Column("adopted_at", DateTime, nullable=False),
)


@dataclass(frozen=True)
class Declared:
    id: str
    prefix: str
    kind: str
    pending: bool  # its rows wait in the laptop's outbox (they will be pushed)
    # The highest sequence issued in each year of the series: (year, sequence) pairs.
    issued: tuple[tuple[int, int], ...] = ()


class LocalSeriesRefused(Exception):
    """Enrolment refused because of a declared series; ``reason`` and ``prefix`` go
    back to the laptop, which words them in French (app/sync/wording.py)."""

    def __init__(self, reason: str, prefix: str = "") -> None:
        self.reason = reason
        self.prefix = prefix
        super().__init__(reason)


def parse(raw: Any) -> list[Declared]:
    """The ``local_series`` of an ``/enroll`` body (absent: none)."""
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > MOST:
        raise LocalSeriesRefused("local_series_invalid")
    found = []
    for item in raw:
        if not isinstance(item, dict):
            raise LocalSeriesRefused("local_series_invalid")
        row_id, prefix, kind = item.get("id"), item.get("prefix"), item.get("kind")
        pending = item.get("pending")
        if not (
            isinstance(row_id, str)
            and ROW_ID.match(row_id)
            and isinstance(prefix, str)
            and PREFIX.match(prefix)
            and kind in KINDS
            and isinstance(pending, bool)
        ):
            raise LocalSeriesRefused("local_series_invalid")
        issued = _issued(item.get("issued"))
        if pending and not issued:
            # Adopted without what it issued, the series would stay open to new numbers.
            raise LocalSeriesRefused("local_series_invalid")
        found.append(Declared(row_id, prefix, str(kind), pending, issued))
    return found


def _issued(raw: Any) -> tuple[tuple[int, int], ...]:
    """``issued``: a list of ``{"year": Y, "last": N}``, one per year (absent: none)."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > len(YEARS):
        raise LocalSeriesRefused("local_series_invalid")
    found: dict[int, int] = {}
    for item in raw:
        year = item.get("year") if isinstance(item, dict) else None
        last = item.get("last") if isinstance(item, dict) else None
        if (
            type(year) is not int
            or type(last) is not int
            or year not in YEARS
            or not 1 <= last <= MOST_SEQUENCE
            or year in found
        ):
            raise LocalSeriesRefused("local_series_invalid")
        found[year] = last
    return tuple(sorted(found.items()))


def adopt(conn: Connection, row: int, device_id: str, declared: Sequence[Declared]) -> None:
    """Check each declared series for the device (``siege_device`` row ``row``) enrolling
    as ``device_id``, and reserve
    those it will push; raises :class:`LocalSeriesRefused` (the caller's transaction is
    rolled back, the code stays valid)."""
    series = Base.metadata.tables["invoice_series"]
    for item in declared:
        held = conn.execute(select(series).where(series.c.id == item.id)).mappings().first()
        if held is not None:
            if held["device_id"] != device_id or held["prefix"] != item.prefix:
                raise LocalSeriesRefused("local_series_taken", item.prefix)
            continue
        if not item.pending:
            raise LocalSeriesRefused("local_series_unknown", item.prefix)
        other_series = conn.execute(
            select(series.c.id).where(
                series.c.prefix == item.prefix,
                (series.c.device_id != device_id) | (series.c.kind == item.kind),
            )
        ).first()
        other_device = conn.execute(
            select(device.c.id).where(device.c.series_prefix == item.prefix, device.c.id != row)
        ).first()
        if other_series is not None or other_device is not None:
            raise LocalSeriesRefused("local_series_taken", item.prefix)
        now = utcnow()
        # Reserved, not published: the laptop's push of the series fills it in and puts
        # it in the change feed (siege/store.py; no field clock here, the push wins).
        conn.execute(
            insert(series).values(
                id=item.id,
                prefix=item.prefix,
                kind=item.kind,
                device_id=device_id,
                year=0,
                last_number=0,
                created_at=now,
                updated_at=now,
            )
        )
        conn.execute(
            insert(adopted_series),
            [
                {
                    "series_id": item.id,
                    "year": year,
                    "last_sequence": last,
                    "device_id": device_id,
                    "adopted_at": now,
                }
                for year, last in item.issued
            ],
        )


def may_number(conn: Connection, series_id: str, year: int, sequence: int) -> bool:
    """May ``sequence`` of ``year`` be pushed in ``series_id``? Any number in a series
    not adopted; in an adopted one, only the numbers its laptop declared it had issued
    before enrolment (every sequence up to the highest of that year)."""
    closed = dict(
        conn.execute(
            select(adopted_series.c.year, adopted_series.c.last_sequence).where(
                adopted_series.c.series_id == series_id
            )
        ).all()
    )
    if not closed:
        return True
    return sequence <= closed.get(year, 0)


def may_count(conn: Connection, series_id: str, year: int, last: int, yearly: bool) -> bool:
    """May an adopted series' counter read ``last`` in ``year``? Not beyond the numbers
    declared at enrolment (the series row says what was issued in it; ``yearly``: the
    numbering restarts each year, so ``last`` counts in ``year`` alone)."""
    closed = dict(
        conn.execute(
            select(adopted_series.c.year, adopted_series.c.last_sequence).where(
                adopted_series.c.series_id == series_id
            )
        ).all()
    )
    if not closed or last == 0:
        return True
    return last <= (closed.get(year, 0) if yearly else max(closed.values()))
