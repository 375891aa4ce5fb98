"""Which concurrent changes the siège records, and which of them people must review.

Every value that loses to a concurrent write of another laptop is kept in the siège's
conflict history. Those that matter to people or funders — free text, contact details,
attendance marks — are conflicts *to review* (kind ``field``) and reach the laptops;
the others (kind ``overwritten``) stay in the siège's history only, so the laptops'
lists are not flooded. Bookkeeping columns never make a conflict. See docs/sync.md.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select

from app.models.base import Base
from app.sync.codec import encode_row, table_specs
from app.sync.hlc import NODE_HEX

if TYPE_CHECKING:
    from siege.batch import Batch
    from siege.payload import ParsedOp

# Stamps and derived columns: written by every edit, meaningless to compare.
BOOKKEEPING = frozenset(
    {"created_at", "updated_at", "created_by", "updated_by", "search_key", "title_key"}
)
FIELD, OVERWRITTEN = "field", "overwritten"
DELETE_EDIT, OVERPAYMENT, MERGED = "delete_edit", "overpayment", "merged"
# Kinds kept on the siège only (the feed leaves them out).
HISTORY_ONLY = frozenset({OVERWRITTEN})


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


def field_conflict(
    ctx: Batch, table: str, row_id: str, name: str, kind: str, kept: Any, lost: Any, lost_hlc: str
) -> None:
    ctx.conflict(
        table,
        row_id,
        name,
        kept=as_text(table, name, kept),
        lost=as_text(table, name, lost),
        lost_hlc=lost_hlc,
        kind=kind,
    )


def note_delete_edit(
    ctx: Batch,
    op: ParsedOp,
    row_id: str,
    current: dict[str, Any],
    stamp: str,
    clocks: dict[str, str],
) -> None:
    """A delete on one laptop and an edit on another: the edit is listed, its values kept.

    - An edit reaching a row already deleted by another laptop (the editor could not
      have seen the delete: deleted rows are not shown).
    - A delete reaching a row whose fields another laptop changed after the delete's
      stamp (so the deleting laptop had not seen them)."""
    node = stamp[-NODE_HEX:]
    deleted_at = current.get("deleted_at")
    if deleted_at is not None and "deleted_at" not in op.values:
        if clocks.get("deleted_at", node)[-NODE_HEX:] == node:
            return
        edit = edited_fields(op.table, current, op.values)
        lost_hlc = stamp
    elif deleted_at is None and op.values.get("deleted_at") is not None:
        unseen = {
            name
            for name, held in clocks.items()
            if held > stamp and held[-NODE_HEX:] != node and name not in BOOKKEEPING
        }
        edit = {name: current[name] for name in unseen if name in current and name != "deleted_at"}
        lost_hlc = max((clocks[n] for n in edit), default="")
    else:
        return
    if not edit:
        return
    when = deleted_at if deleted_at is not None else op.values["deleted_at"]
    ctx.conflict(
        op.table,
        row_id,
        "deleted_at",
        kept=as_text(op.table, "deleted_at", when),
        lost=edit_as_json(op.table, edit),
        lost_hlc=lost_hlc,
        kind=DELETE_EDIT,
    )


def overpaid_before(
    ctx: Batch, op: ParsedOp, current: dict[str, Any] | None
) -> tuple[int, int] | None:
    if op.table != "payment":
        return None
    invoice_id = {**(current or {}), **op.values}.get("invoice_id")
    return overpaid(ctx.conn, invoice_id)


def note_overpayment(
    ctx: Batch, op: ParsedOp, current: dict[str, Any] | None, before: tuple[int, int] | None
) -> None:
    """Payments recorded on two laptops that together exceed the invoice: both stand,
    and the invoice is listed for review (a refund or a mistaken entry to settle)."""
    invoice_id = {**(current or {}), **op.values}.get("invoice_id")
    found = overpaid(ctx.conn, invoice_id)
    if found is None or before is not None:
        return
    paid, total = found
    detail = {"paid_cents": paid, "total_cents": total, "payment_id": op.row_id}
    ctx.conflict(
        "invoice",
        str(invoice_id),
        "payments",
        kept=str(total),
        lost=str(paid),
        lost_hlc=op.hlc,
        kind=OVERPAYMENT,
        detail=json.dumps(detail),
    )
