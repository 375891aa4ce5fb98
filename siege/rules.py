"""Business rules the siège enforces on pushed changes (French invoicing law, DESIGN §5):
an issued invoice never changes, and a number series belongs to one device.

Two laptops validating the same draft offline is not refused: numbers cannot be
taken back, so the second issue is kept as its own invoice (a *fork*) and shown
as a conflict proposing a credit note.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from app.models.base import Base
from app.sync.protocol import ISSUED_STATUS

# Fields of an issued invoice a device may still write: where its own copy of the
# PDF sits, and the row's bookkeeping stamps. Everything printed is frozen.
ISSUED_MUTABLE = frozenset({"pdf_path", "pdf_sha256", "updated_at", "updated_by", "search_key"})
FORK = "fork"


class Rejected(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def _row(conn: Connection, table: str, row_id: Any) -> dict[str, Any] | None:
    t = Base.metadata.tables[table]
    found = conn.execute(select(t).where(t.c.id == row_id)).mappings().first()
    return dict(found) if found is not None else None


def _own_series(conn: Connection, series_id: Any, device_id: str) -> bool:
    series = _row(conn, "invoice_series", series_id) if series_id else None
    return series is not None and series["device_id"] == device_id


def check(
    conn: Connection,
    device_id: str,
    table: str,
    current: dict[str, Any] | None,
    fields: dict[str, Any],
    *,
    freeze: bool = False,
    issued_now: frozenset[str] | set[str] = frozenset(),
) -> str | None:
    """Raise Rejected when the change breaks a rule; return FORK for a double issue.

    ``freeze`` marks the whole row as issued (invoice at validation, then its lines);
    lines may be frozen only with their invoice, issued in the same batch."""
    if freeze:
        return _check_freeze(conn, device_id, table, current, fields, issued_now)
    if table == "invoice_series":
        owner = current["device_id"] if current is not None else fields.get("device_id")
        if current is not None and fields.get("device_id", owner) != owner:
            raise Rejected("series_owner_change")
        if owner != device_id:
            raise Rejected("series_of_another_device")
    elif table == "invoice":
        return _check_invoice(conn, device_id, current, fields)
    elif table == "invoice_line":
        _check_line(conn, device_id, current, fields)
    return None


def _check_invoice(
    conn: Connection, device_id: str, current: dict[str, Any] | None, fields: dict[str, Any]
) -> str | None:
    if current is not None and current["status"] == ISSUED_STATUS:
        changed = {f for f, v in fields.items() if f not in ISSUED_MUTABLE and current.get(f) != v}
        if not changed:
            return None
        number = fields.get("number")
        if fields.get("status") == ISSUED_STATUS and number and number != current["number"]:
            if not _own_series(conn, fields.get("series_id"), device_id):
                raise Rejected("series_of_another_device")
            return FORK
        raise Rejected("issued_invoice_immutable")
    merged = {**(current or {}), **fields}
    if merged.get("status") == ISSUED_STATUS:
        if not merged.get("number"):
            raise Rejected("issued_invoice_without_number")
        if not _own_series(conn, merged.get("series_id"), device_id):
            raise Rejected("series_of_another_device")
    return None


def _check_line(
    conn: Connection, device_id: str, current: dict[str, Any] | None, fields: dict[str, Any]
) -> None:
    parents = {fields.get("invoice_id"), current["invoice_id"] if current else None} - {None}
    for parent_id in parents:
        parent = _row(conn, "invoice", parent_id)
        if parent is None or parent["status"] != ISSUED_STATUS:
            continue
        if current is not None and all(current.get(f) == v for f, v in fields.items()):
            continue
        # A line created with its invoice by the device that issued it is part of the
        # issue itself; anything else would change a frozen invoice.
        if current is None and _own_series(conn, parent["series_id"], device_id):
            continue
        raise Rejected("issued_invoice_immutable")


def _check_freeze(
    conn: Connection,
    device_id: str,
    table: str,
    current: dict[str, Any] | None,
    fields: dict[str, Any],
    issued_now: frozenset[str] | set[str],
) -> str | None:
    if table == "invoice":
        if fields.get("status") != ISSUED_STATUS or not fields.get("number"):
            raise Rejected("freeze_of_unissued_invoice")
        if not _own_series(conn, fields.get("series_id"), device_id):
            raise Rejected("series_of_another_device")
        if current is not None and current["status"] == ISSUED_STATUS:
            if current["number"] == fields["number"]:
                return None
            return FORK
        return None
    if table == "invoice_line" and fields.get("invoice_id") in issued_now:
        if current is not None and current["invoice_id"] != fields["invoice_id"]:
            raise Rejected("issued_invoice_immutable")
        return None
    raise Rejected("freeze_out_of_issue")
