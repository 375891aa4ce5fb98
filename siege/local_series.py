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
  id, so the pushed series and every number in it are accepted, with no gap;
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

from sqlalchemy import Connection, insert, select

from app.clock import utcnow
from app.models.base import Base
from siege.tables import device

PREFIX = re.compile(r"^[A-Za-z0-9]{1,12}$")
ROW_ID = re.compile(r"^[0-9a-fA-F-]{36}$")
KINDS = ("facture", "avoir")
MOST = 20  # series a laptop may declare (one per prefix and kind)


@dataclass(frozen=True)
class Declared:
    id: str
    prefix: str
    kind: str
    pending: bool  # its rows wait in the laptop's outbox (they will be pushed)


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
        found.append(Declared(row_id, prefix, str(kind), pending))
    return found


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
