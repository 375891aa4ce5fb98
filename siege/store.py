"""Apply a pushed batch: one transaction, idempotent, per-field last-writer-wins by HLC.

The batch's operations are applied in order, each in a savepoint so a refused one is
named precisely; if any is refused, nothing of the batch is kept (409 with reasons).
A batch already applied (same device, same batch id) gets its stored answer again,
and operation numbers at or below the device's high-water mark are skipped, so a
batch re-sent after a lost answer changes nothing.

Push transactions are serialised on the single counter row (``FOR UPDATE``), so
sequence numbers become visible in order and a pulling laptop never steps over a
change committed late.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.clock import utcnow
from app.models.base import Base
from app.sync.codec import table_specs
from app.sync.derived import recompute
from app.sync.hlc import clamp_future, wall_now_ms
from siege import rules
from siege.devices import DeviceRecord
from siege.feed import load_rows, touch_row, upsert_clocks
from siege.payload import ParsedOp
from siege.tables import batch, conflict, counter, device
from siege.tables import field_clock as fc


@dataclass
class PushResult:
    status: int
    body: dict[str, Any]


@dataclass
class _Batch:
    conn: Connection
    dev: DeviceRecord
    seq: int
    now_ms: int
    forked: list[dict[str, str]] = field(default_factory=list)
    force: set[tuple[str, str]] = field(default_factory=set)
    redirect: dict[tuple[str, str], str] = field(default_factory=dict)
    issued_now: set[str] = field(default_factory=set)
    authority: rules.Authority | None = None  # who may write what (siege/authority.py)

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq


class _Refused(Exception):
    def __init__(self, rejected: list[dict[str, Any]]) -> None:
        self.rejected = rejected
        super().__init__("batch refused")


def push(engine: Engine, dev: DeviceRecord, batch_id: str, ops: list[ParsedOp]) -> PushResult:
    assert dev.device_id is not None
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
        keys = {(r["table"], r["row_id"]) for r in refused.rejected}
        with engine.connect() as conn:
            rows = [r.to_json() for r in load_rows(conn, sorted(keys))]
        detail = {"code": "rejected", "rejected": refused.rejected, "server_rows": rows}
        return PushResult(409, {"detail": detail})


def _apply_batch(
    conn: Connection, dev: DeviceRecord, batch_id: str, ops: list[ParsedOp]
) -> PushResult:
    locked = conn.execute(
        select(device.c.last_op).where(device.c.id == dev.id).with_for_update()
    ).scalar_one()
    seq = conn.execute(
        select(counter.c.value).where(counter.c.id == 1).with_for_update()
    ).scalar_one()
    ctx = _Batch(conn, dev, int(seq), wall_now_ms())
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
        except (IntegrityError, DBAPIError) as exc:
            rejected.append(_refusal(op, f"constraint: {type(exc.orig).__name__}"))
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


def _apply_op(ctx: _Batch, op: ParsedOp) -> None:
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
    touch_row(conn, op.table, row_id, ctx.next_seq())
    auth.record(op.table, row_id, action, list(op.values), ctx.seq)


def _redirected(ctx: _Batch, op: ParsedOp) -> ParsedOp:
    """Ops following a forked invoice go to the fork: the invoice row itself, and its
    lines (frozen copies under ids derived from the line and the fork)."""
    from dataclasses import replace

    from app.ids import deterministic_id

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
    ctx: _Batch, op: ParsedOp, row_id: str, current: dict[str, Any], stamp: str
) -> None:
    """The row as issued, whatever the clocks say; overwritten free text is listed."""
    cols = table_specs()[op.table].columns
    for name, value in op.values.items():
        old = current.get(name)
        if cols[name].free_text and old and old != value:
            _conflict(ctx, op.table, row_id, name, kept=value, lost=old, lost_hlc="")
    table = Base.metadata.tables[op.table]
    ctx.conn.execute(update(table).where(table.c.id == row_id).values(**op.values))
    upsert_clocks(ctx.conn, op.table, row_id, dict.fromkeys(op.values, stamp))


def _merge_fields(
    ctx: _Batch, op: ParsedOp, row_id: str, current: dict[str, Any], stamp: str
) -> None:
    conn = ctx.conn
    cols = table_specs()[op.table].columns
    clocks = dict(
        conn.execute(
            select(fc.c.field, fc.c.hlc).where(fc.c.table_name == op.table, fc.c.row_id == row_id)
        ).all()
    )
    writes: dict[str, Any] = {}
    new_clocks: dict[str, str] = {}
    for name, value in op.values.items():
        held = clocks.get(name)
        old = current.get(name)
        if held is None or stamp > held:
            writes[name] = value
            new_clocks[name] = stamp
            base = op.bases.get(name, "")
            if cols[name].free_text and held is not None and base != held and old and old != value:
                _conflict(ctx, op.table, row_id, name, kept=value, lost=old, lost_hlc=held)
        elif stamp < held and cols[name].free_text and value and value != old:
            _conflict(ctx, op.table, row_id, name, kept=old or "", lost=value, lost_hlc=stamp)
    if writes:
        writes.update(recompute(op.table, {**current, **writes}, set(writes)))
        # Core applies Column.onupdate to a column left out of an UPDATE: name it.
        writes.setdefault("updated_at", current["updated_at"])
        table = Base.metadata.tables[op.table]
        conn.execute(update(table).where(table.c.id == row_id).values(**writes))
    upsert_clocks(conn, op.table, row_id, new_clocks)


def _fork_invoice(ctx: _Batch, op: ParsedOp, current: dict[str, Any], stamp: str) -> None:
    """Keep a second issue of one draft as its own invoice (numbers cannot be undone)."""
    from app.ids import deterministic_id

    conn = ctx.conn
    new_id = deterministic_id("invoice-fork", op.row_id, str(op.values["number"]))
    inv = Base.metadata.tables["invoice"]
    if conn.execute(select(inv.c.id).where(inv.c.id == new_id)).first() is None:
        values = {k: v for k, v in current.items() if k != "id"} | op.values
        conn.execute(insert(inv).values(id=new_id, **values))
        upsert_clocks(conn, "invoice", new_id, dict.fromkeys(values, stamp))
        touch_row(conn, "invoice", new_id, ctx.next_seq())
        detail = json.dumps({"original_id": op.row_id, "proposal": "credit_note"})
        _conflict(
            ctx,
            "invoice",
            new_id,
            "number",
            kept=str(current["number"]),
            lost=str(op.values["number"]),
            lost_hlc=stamp,
            kind="invoice_double_issue",
            detail=detail,
        )
    ctx.redirect[("invoice", op.row_id)] = new_id
    ctx.issued_now.add(new_id)
    ctx.forked.append({"row_id": op.row_id, "new_row_id": new_id})
    ctx.force.add(("invoice", op.row_id))


def _conflict(
    ctx: _Batch,
    table: str,
    row_id: str,
    name: str,
    *,
    kept: str,
    lost: str,
    lost_hlc: str,
    kind: str = "field",
    detail: str = "",
) -> None:
    ctx.conn.execute(
        insert(conflict).values(
            seq=ctx.next_seq(),
            kind=kind,
            table_name=table,
            row_id=row_id,
            field=name,
            kept_value=str(kept),
            lost_value=str(lost),
            lost_hlc=lost_hlc,
            device_name=ctx.dev.name,
            detail=detail,
            created_at=utcnow(),
        )
    )
