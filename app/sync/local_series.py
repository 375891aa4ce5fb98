"""Invoices issued before enrolment (docs/authority.md, "Invoices issued before
enrolment"): what the laptop declares at ``/enroll``, and how its pre-enrolment series
follow the device id the siège gives it.

A profile used alone numbers its invoices under the device id it made for itself
(app/invoicing/numbering.py). At enrolment the siège chooses a new id; issued numbers
never change. So the laptop declares each series it issued in under its own id, saying
whether its rows wait in the outbox (they will be pushed) or not (a demo profile's
generated invoices, a copied database: the siège must hold them already), and the
highest number it issued there each year (the siège closes the series beyond them). The siège
adopts the first kind, or refuses enrolment with the prefix (siege/local_series.py);
after an adoption the laptop writes the new id on those series, in the table and in the
outbox entries still to send, so the pushed series is the one the siège reserved.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import Connection, extract, func, select, update

from app.models import Antenne, Invoice, InvoiceSeries, OutboxEntry, Person
from app.sync.codec import table_of

SERIES = InvoiceSeries.__tablename__


def declared(conn: Connection, device_id: str) -> list[dict[str, Any]]:
    """The series numbered under ``device_id`` that hold an issued invoice, as the
    ``local_series`` of an ``/enroll`` request."""
    series, invoice, outbox = table_of(InvoiceSeries), table_of(Invoice), table_of(OutboxEntry)
    issued = (
        select(func.count())
        .select_from(invoice)
        .where(invoice.c.series_id == series.c.id, invoice.c.number.is_not(None))
        .scalar_subquery()
    )
    queued = (
        select(func.count())
        .select_from(outbox)
        .where(outbox.c.table_name == SERIES, outbox.c.row_id == series.c.id)
        .scalar_subquery()
    )
    rows = conn.execute(
        select(series.c.id, series.c.prefix, series.c.kind, queued)
        .where(series.c.device_id == device_id, issued > 0)
        .order_by(series.c.prefix, series.c.kind)
    ).all()
    return [
        {
            "id": row_id,
            "prefix": prefix,
            "kind": kind,
            "pending": bool(waiting),
            "issued": issued_by_year(conn, row_id),
        }
        for row_id, prefix, kind, waiting in rows
    ]


def issued_by_year(conn: Connection, series_id: str) -> list[dict[str, int]]:
    """The highest sequence issued in each year of a series (``{"year", "last"}``): the
    siège closes an adopted series beyond them (siege/local_series.py), so no number can
    be added to it after enrolment, whatever the numbering restarts each year or not."""
    invoice = table_of(Invoice)
    year = extract("year", invoice.c.issue_date)
    rows = conn.execute(
        select(year, func.max(invoice.c.sequence))
        .where(invoice.c.series_id == series_id, invoice.c.number.is_not(None))
        .group_by(year)
        .order_by(year)
    ).all()
    return [{"year": int(y), "last": int(last)} for y, last in rows if y and last]


def follow_new_id(conn: Connection, old_id: str, new_id: str, series_ids: list[str]) -> int:
    """The adopted series (``series_ids``) now belong to ``new_id``: in the table, and in
    the outbox entries not yet sent (a series created before enrolment is sent whole, its
    ``device_id`` with it). Not captured as an edit: the siège already holds this id for
    them. Returns how many outbox entries were rewritten."""
    if old_id == new_id or not series_ids:
        return 0
    series, outbox = table_of(InvoiceSeries), table_of(OutboxEntry)
    conn.execute(
        update(series)
        .where(series.c.id.in_(series_ids), series.c.device_id == old_id)
        .values(device_id=new_id)
    )
    rewritten = 0
    entries = conn.execute(
        select(outbox.c.seq, outbox.c.fields_json).where(
            outbox.c.table_name == SERIES, outbox.c.row_id.in_(series_ids)
        )
    ).all()
    for seq, raw in entries:
        fields = json.loads(raw)
        if fields.get("device_id") == old_id:
            fields["device_id"] = new_id
            conn.execute(
                update(outbox).where(outbox.c.seq == seq).values(fields_json=json.dumps(fields))
            )
            rewritten += 1
    return rewritten


def antenne_options(conn: Connection) -> str:
    """``--antenne`` options naming every antenne whose persons this profile holds, for
    the ``device enroll`` command the refusal gives: enrolled for all of them, the
    laptop may go on writing every record it holds (the demo holds a region's)."""
    antenne, person = table_of(Antenne), table_of(Person)
    names = conn.execute(
        select(antenne.c.name)
        .where(antenne.c.id.in_(select(person.c.antenne_id).where(person.c.deleted_at.is_(None))))
        .order_by(antenne.c.name)
    ).scalars()
    options = " ".join(f"--antenne {_quoted(str(name))}" for name in names)
    return options or "--antenne VILLE"


def _quoted(name: str) -> str:
    """A town as typed at a shell: as is when it is one word (letters, accents, hyphens),
    else in double quotes."""
    return name if re.fullmatch(r"[\w-]+", name) else f'"{name}"'
