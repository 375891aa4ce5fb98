"""Which concurrent changes the siège records, and which of them people must review.

Every value that loses to a concurrent write of another laptop is kept in the siège's
conflict history. Those that matter to people or funders — free text, contact details,
attendance marks — are conflicts *to review* (kind ``field``) and reach the laptops;
the others (kind ``overwritten``) stay in the siège's history only, so the laptops'
lists are not flooded. Bookkeeping columns never make a conflict. See docs/sync.md.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, func, select

from app.models.base import Base
from app.sync.codec import encode_row, table_specs

# Stamps and derived columns: written by every edit, meaningless to compare.
BOOKKEEPING = frozenset(
    {"created_at", "updated_at", "created_by", "updated_by", "search_key", "title_key"}
)
FIELD, OVERWRITTEN = "field", "overwritten"
DELETE_EDIT, OVERPAYMENT, MERGED = "delete_edit", "overpayment", "merged"
# Kinds kept on the siège only (the feed leaves them out).
HISTORY_ONLY = frozenset({OVERWRITTEN})
# A conflict keeps at most this much of each value (stored values are bounded).
MAX_VALUE_CHARS = 20_000


def kind_for(table: str, name: str) -> str | None:
    """``field`` (to review), ``overwritten`` (history only) or None (never listed)."""
    if name in BOOKKEEPING:
        return None
    spec = table_specs()[table].columns.get(name)
    if spec is None:
        return None
    # Free text and the fields of app/sync/review.py.
    if spec.tracked:
        return FIELD
    return OVERWRITTEN


def as_text(table: str, name: str, value: Any) -> str:
    """A field value as stored in a conflict (the wire form: dates in ISO, bytes base64)."""
    encoded = encode_row(table, {name: value}).get(name)
    if encoded is None:
        return ""
    return encoded if isinstance(encoded, str) else json.dumps(encoded)


def bounded(text: str) -> str:
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "…"


def edited_fields(table: str, current: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The fields an op really changes, bookkeeping and the tombstone left out."""
    return {
        name: value
        for name, value in values.items()
        if name not in BOOKKEEPING and name != "deleted_at" and current.get(name) != value
    }


def edit_as_json(table: str, fields: dict[str, Any]) -> str:
    return json.dumps(encode_row(table, fields), ensure_ascii=False, sort_keys=True)


def overpaid(conn: Connection, invoice_id: Any) -> tuple[int, int] | None:
    """(paid, total) in cents when the live payments of an invoice exceed its total."""
    invoice = Base.metadata.tables["invoice"]
    payment = Base.metadata.tables["payment"]
    total = conn.execute(
        select(invoice.c.total_incl_cents).where(invoice.c.id == invoice_id)
    ).scalar()
    if total is None or total <= 0:
        return None
    paid = conn.execute(
        select(func.coalesce(func.sum(payment.c.amount_cents), 0)).where(
            payment.c.invoice_id == invoice_id, payment.c.deleted_at.is_(None)
        )
    ).scalar_one()
    return (int(paid), int(total)) if paid > total else None
