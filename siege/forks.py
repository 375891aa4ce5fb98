"""A double issue listed again after a restore (docs/sync.md, "A restored siège gets back
what it acknowledged").

A draft issued on two laptops: the issue that reaches the siège first keeps the draft's
id, the other is kept as a fork under ``deterministic_id("invoice-fork", draft, number)``
and an ``invoice_double_issue`` conflict is listed (siege/store.py ``_fork_invoice``).
Restored from a backup older than both, the siège gets them again from the laptops'
journals, the forked one already under the fork's id (app/sync/journal.py ``to_forks``):
no second issue of the draft arrives, so nothing would list the double issue again. It
is listed when the second of the two arrives, whichever it is, with the values it had
the first time (the laptops, reading it again, recognise it and do not list it twice:
app/sync/apply.py ``store_conflicts``).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from app.ids import deterministic_id
from app.models.base import Base
from app.sync.protocol import ISSUED_STATUS
from siege.batch import Batch
from siege.payload import ParsedOp
from siege.tables import conflict
from siege.tables import field_clock as fc

KIND = "invoice_double_issue"


def fork_id(draft_id: str, number: str) -> str:
    return deterministic_id("invoice-fork", draft_id, number)


def list_fork(ctx: Batch, fork: str, draft_id: str, kept: str, lost: str, lost_hlc: str) -> None:
    """The double issue's conflict, once per fork."""
    listed = ctx.conn.execute(
        select(conflict.c.seq).where(conflict.c.kind == KIND, conflict.c.row_id == fork)
    ).first()
    if listed is not None:
        return
    detail = json.dumps({"original_id": draft_id, "proposal": "credit_note"})
    ctx.conflict(
        "invoice", fork, "number", kept=kept, lost=lost, lost_hlc=lost_hlc, kind=KIND, detail=detail
    )


def issued_again(ctx: Batch, op: ParsedOp, current: dict[str, Any] | None, stamp: str) -> None:
    """After an issue is applied (``op``, a freeze of an invoice; ``current`` the row
    before it): if it is one half of a double issue whose other half is already here,
    the double issue is listed (once). Candidates are the entrepreneur's invoices."""
    number = str(op.values.get("number") or "")
    person = op.values.get("entrepreneur_id") or (current or {}).get("entrepreneur_id")
    if not number or person is None:
        return
    if current is not None and current.get("status") == ISSUED_STATUS:
        return  # the same issue sent again, or a fork made just now (listed there)
    inv = Base.metadata.tables["invoice"]
    others = ctx.conn.execute(
        select(inv.c.id, inv.c.number).where(
            inv.c.entrepreneur_id == person,
            inv.c.status == ISSUED_STATUS,
            inv.c.id != op.row_id,
        )
    ).all()
    for other_id, other_number in others:
        if not other_number:
            continue
        if current is None and fork_id(str(other_id), number) == op.row_id:
            # A fork sent again after its draft's issue: as the first time.
            list_fork(ctx, op.row_id, str(other_id), str(other_number), number, stamp)
        elif fork_id(op.row_id, str(other_number)) == other_id:
            # The draft's issue after its fork: the fork's own stamp, as the first time.
            held = ctx.conn.execute(
                select(fc.c.hlc).where(
                    fc.c.table_name == "invoice", fc.c.row_id == other_id, fc.c.field == "number"
                )
            ).scalar()
            list_fork(ctx, str(other_id), op.row_id, number, str(other_number), str(held or ""))
