"""Apply a pushed batch: one transaction, idempotent, per-field last-writer-wins by HLC.

The batch's operations are applied in order, each in a savepoint so a refused one is
named precisely; if any is refused, nothing of the batch is kept (409 with reasons).
Only a rule violation (``rules.Rejected``) is a refusal. Any other failure — a lost
database connection, a lock timeout, a serialisation failure, even an unexpected
IntegrityError — rolls the whole batch back and answers 503: the laptop keeps its
outbox and sends the batch again (docs/sync.md, "Faults are not refusals").
A batch already applied (same device, same batch id) gets its stored answer again,
and operation numbers at or below the device's high-water mark are skipped, so a
batch re-sent after a lost answer changes nothing.

Push transactions are serialised on the single counter row (``FOR UPDATE``), so
sequence numbers become visible in order and a pulling laptop never steps over a
change committed late.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.clock import utcnow
from app.models.base import Base
from app.sync.codec import table_specs
from app.sync.derived import recompute
from app.sync.hlc import clamp_future, wall_now_ms
from siege import conflicts as cf
from siege import erasure, forks, keys, rules, scope
from siege.batch import Batch
from siege.devices import DeviceRecord
from siege.feed import load_rows, touch_row, upsert_clocks
from siege.payload import ParsedOp
from siege.tables import batch, counter, device
from siege.tables import field_clock as fc

log = logging.getLogger(__name__)

# Seconds a laptop is asked to wait before sending a batch the siège could not apply.
RETRY_AFTER_SECONDS = 5


@dataclass
class PushResult:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Refused(Exception):
    def __init__(self, rejected: list[dict[str, Any]]) -> None:
        self.rejected = rejected
        super().__init__("batch refused")


def push(engine: Engine, dev: DeviceRecord, batch_id: str, ops: list[ParsedOp]) -> PushResult:
    assert dev.device_id is not None
    try:
        try:
            with engine.begin() as conn:
                stored = conn.execute(
                    select(batch.c.response).where(
                        batch.c.device_id == dev.device_id, batch.c.batch_id == batch_id
                    )
                ).scalar()
                if stored is not None:
                    return PushResult(200, json.loads(stored))
                return _apply_batch(conn, dev, batch_id, ops)
        except _Refused as refused:
            refused_keys = {(r["table"], r["row_id"]) for r in refused.rejected}
            with engine.connect() as conn:
                rows = [r.to_json() for r in load_rows(conn, sorted(refused_keys))]
            detail = {"code": "rejected", "rejected": refused.rejected, "server_rows": rows}
            return PushResult(409, {"detail": detail})
    except DBAPIError as exc:
        return _unavailable(dev, batch_id, exc)


def _unavailable(dev: DeviceRecord, batch_id: str, exc: DBAPIError) -> PushResult:
    """The batch was rolled back by a fault, not refused: the laptop keeps its outbox."""
    cause = type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__
    if isinstance(exc, IntegrityError):
        # Valid data never breaks a constraint (unique keys are merged, siege/keys.py):
        # one that still does is a bug to fix, not a change to drop.
        log.error("push %s of %s broke a constraint: %s", batch_id, dev.name, exc.orig)
    else:
        log.warning("push %s of %s rolled back by a database fault: %s", batch_id, dev.name, cause)
    detail = {
        "code": "unavailable",
        "reason": f"database fault ({cause}); nothing was applied, send the batch again",
        "retry_after": RETRY_AFTER_SECONDS,
    }
    return PushResult(503, {"detail": detail}, {"Retry-After": str(RETRY_AFTER_SECONDS)})


def _apply_batch(
    conn: Connection, dev: DeviceRecord, batch_id: str, ops: list[ParsedOp]
) -> PushResult:
    locked = conn.execute(
        select(device.c.last_op).where(device.c.id == dev.id).with_for_update()
    ).scalar_one()
    seq = conn.execute(
        select(counter.c.value).where(counter.c.id == 1).with_for_update()
    ).scalar_one()
    ctx = Batch(conn, dev, int(seq), wall_now_ms())
    last_op = int(locked)
    applied = skipped = 0
    rejected: list[dict[str, Any]] = []
    for op in ops:
        if op.op <= last_op:
            skipped += 1
            continue
        try:
            with conn.begin_nested():
                _apply_op(ctx, op)
            applied += 1
        except rules.Rejected as exc:
            rejected.append(_refusal(op, exc.reason))
        last_op = op.op
    if rejected:
        raise _Refused(rejected)
    conn.execute(update(counter).where(counter.c.id == 1).values(value=ctx.seq))
    conn.execute(
        update(device).where(device.c.id == dev.id).values(last_op=last_op, last_seen_at=utcnow())
    )
    server_rows = [r.to_json() for r in load_rows(conn, sorted(ctx.force))]
    body = {
        "batch_id": batch_id,
        "accepted_through": last_op,
        "applied": applied,
        "skipped": skipped,
        "forked": ctx.forked,
        "server_rows": server_rows,
    }
    conn.execute(
        insert(batch).values(
            device_id=dev.device_id,
            batch_id=batch_id,
            response=json.dumps(body),
            created_at=utcnow(),
        )
    )
    return PushResult(200, body)


def _refusal(op: ParsedOp, reason: str) -> dict[str, Any]:
    return {"op": op.op, "table": op.table, "row_id": op.row_id, "reason": reason}


def _apply_op(ctx: Batch, op: ParsedOp) -> None:
    conn = ctx.conn
    table = Base.metadata.tables[op.table]
    op = _redirected(ctx, op)
    row_id = op.row_id
    stamp = clamp_future(op.hlc, ctx.now_ms)
    found = conn.execute(select(table).where(table.c.id == row_id)).mappings().first()
    current = dict(found) if found is not None else None
    auth = ctx.authority = ctx.authority or rules.Authority(conn, ctx.dev)
    verdict = rules.check(auth, op.table, current, op.values, row_id=row_id, freeze=op.freeze)
    action = rules.action_of(current, op.values, op.freeze)
    if verdict == rules.FORK and current is not None:
        _fork_invoice(ctx, op, current, stamp)
        auth.record(op.table, ctx.redirect[(op.table, row_id)], action, list(op.values), ctx.seq)
        return
    if op.freeze and op.table == "invoice":
        ctx.issued_now.add(row_id)
    keys.check_links(ctx, op, current)
    clash = keys.key_clash(ctx, op, current)
    if clash is not None:
        keys.merge_duplicate(ctx, op, current, stamp, clash, _apply_op)
        auth.record(op.table, row_id, action, list(op.values), ctx.seq)
        return
    paid_before = cf.overpaid_before(ctx, op, current)
    if current is None:
        missing = table_specs()[op.table].required - set(op.values)
        if missing:
            raise rules.Rejected(f"incomplete_row: {sorted(missing)[:5]}")
        conn.execute(insert(table).values(id=row_id, **op.values))
        upsert_clocks(conn, op.table, row_id, dict.fromkeys(op.values, stamp))
    elif op.freeze:
        _freeze_fields(ctx, op, row_id, current, stamp)
    else:
        _merge_fields(ctx, op, row_id, current, stamp)
    if op.freeze and op.table == "invoice":
        # A double issue sent again to a restored siège is listed again (siege/forks.py).
        forks.issued_again(ctx, op, current, stamp)
    touch_row(conn, op.table, row_id, ctx.next_seq())
    # An anonymised person stays so, and no conflict keeps their former values.
    erasure.after_op(ctx, op.table, row_id, op.values, current)
    auth.record(op.table, row_id, action, list(op.values), ctx.seq)
    # Rows this change brings into a device's read scope are sent again (siege/scope.py).
    scope.retouch_after(conn, op.table, row_id, current, op.values, ctx.next_seq)
    if op.table == "payment":
        cf.note_overpayment(ctx, op, current, paid_before)


def _redirected(ctx: Batch, op: ParsedOp) -> ParsedOp:
    """Ops following a forked invoice go to the fork: the invoice row itself, and its
    lines (frozen copies under ids derived from the line and the fork). Ops on a merged
    duplicate, or linking to one, go to the row that holds its key (siege/keys.py)."""
    from app.ids import deterministic_id

    op = keys.dealiased(ctx, op)
    target = ctx.redirect.get((op.table, op.row_id))
    if target is not None:
        return replace(op, row_id=target)
    parent = str(op.values.get("invoice_id"))
    if op.table == "invoice_line" and op.freeze and ("invoice", parent) in ctx.redirect:
        fork = ctx.redirect[("invoice", parent)]
        line_id = deterministic_id("invoice-fork-line", op.row_id, fork)
        return replace(op, row_id=line_id, values={**op.values, "invoice_id": fork})
    return op


def _freeze_fields(
    ctx: Batch, op: ParsedOp, row_id: str, current: dict[str, Any], stamp: str
) -> None:
    """The row as issued, whatever the clocks say; overwritten free text is listed."""
    cols = table_specs()[op.table].columns
    for name, value in op.values.items():
        old = current.get(name)
        if cols[name].free_text and old and old != value:
            ctx.conflict(op.table, row_id, name, kept=value, lost=old, lost_hlc="")
    table = Base.metadata.tables[op.table]
    ctx.conn.execute(update(table).where(table.c.id == row_id).values(**op.values))
    upsert_clocks(ctx.conn, op.table, row_id, dict.fromkeys(op.values, stamp))


def _merge_fields(
    ctx: Batch, op: ParsedOp, row_id: str, current: dict[str, Any], stamp: str
) -> None:
    conn = ctx.conn
    cols = table_specs()[op.table].columns
    clocks = dict(
        conn.execute(
            select(fc.c.field, fc.c.hlc).where(fc.c.table_name == op.table, fc.c.row_id == row_id)
        ).all()
    )
    cf.note_delete_edit(ctx, op, row_id, current, stamp, clocks)
    writes: dict[str, Any] = {}
    new_clocks: dict[str, str] = {}
    for name, value in op.values.items():
        held = clocks.get(name)
        old = current.get(name)
        kind = cf.kind_for(op.table, name)
        if held is None or stamp > held:
            writes[name] = value
            new_clocks[name] = stamp
            # Overwriting a value the laptop had not seen (its base is older): the
            # overwritten one is kept. Laptops send bases for tracked fields
            # (app/sync/review.py); an empty base outside free text is a value pulled
            # before its clock was kept (an older version): unknown, not listed.
            base = op.bases.get(name)
            known = base is not None and (base != "" or cols[name].free_text)
            unseen = kind and known and held is not None and base != held
            if unseen and old not in (None, "") and old != value:
                assert kind is not None and held is not None
                cf.field_conflict(ctx, op.table, row_id, name, kind, value, old, held)
        elif stamp < held and kind and value != old:
            # An older write of another laptop arriving late loses: it is kept. (A stamp
            # below the held one means the writer had not seen it: HLCs observe pulls.)
            cf.field_conflict(ctx, op.table, row_id, name, kind, old, value, stamp)
    if writes:
        writes.update(recompute(op.table, {**current, **writes}, set(writes)))
        # Core applies Column.onupdate to a column left out of an UPDATE: name it.
        writes.setdefault("updated_at", current["updated_at"])
        table = Base.metadata.tables[op.table]
        conn.execute(update(table).where(table.c.id == row_id).values(**writes))
    upsert_clocks(conn, op.table, row_id, new_clocks)


def _fork_invoice(ctx: Batch, op: ParsedOp, current: dict[str, Any], stamp: str) -> None:
    """Keep a second issue of one draft as its own invoice (numbers cannot be undone)."""
    conn = ctx.conn
    new_id = forks.fork_id(op.row_id, str(op.values["number"]))
    inv = Base.metadata.tables["invoice"]
    if conn.execute(select(inv.c.id).where(inv.c.id == new_id)).first() is None:
        values = {k: v for k, v in current.items() if k != "id"} | op.values
        conn.execute(insert(inv).values(id=new_id, **values))
        upsert_clocks(conn, "invoice", new_id, dict.fromkeys(values, stamp))
        touch_row(conn, "invoice", new_id, ctx.next_seq())
        kept, lost = str(current["number"]), str(op.values["number"])
        forks.list_fork(ctx, new_id, op.row_id, kept, lost, stamp)
    ctx.redirect[("invoice", op.row_id)] = new_id
    ctx.issued_now.add(new_id)
    ctx.forked.append({"row_id": op.row_id, "new_row_id": new_id})
    ctx.force.add(("invoice", op.row_id))
