"""Record every local change of a synced row in the outbox, in the edit's own transaction.

Installed on a profile's session factory: after each flush, each inserted or
updated ``Synced`` row yields one :class:`OutboxEntry` (its changed fields and one
HLC stamp) and its per-field :class:`FieldClock` rows, written on the same
connection, so a crash cannot keep the edit and lose the outbox entry, or the
reverse. A physical delete of a synced row travels as a tombstone.

Rows written by applying pulled changes go through Core statements on a
connection, not the ORM, so they never reach these hooks and are never re-sent.
A session can opt out with ``session.info["sync_capture"] = False`` (seeding
reference data, identical on every device and on the siège).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from sqlalchemy import Connection, event, func, insert, inspect, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from app.clock import utcnow
from app.models import DeviceIdentity, FieldClock, OutboxEntry, SyncState
from app.models.base import Base, Synced, synced_tables
from app.sync.codec import encode_row, encode_value, table_of, table_specs
from app.sync.hlc import ZERO, HybridClock
from app.sync.protocol import ISSUED_STATUS

OFFSET_KEY = "clock_offset_ms"
FREEZE = "freeze"
# (table, row id, {field: JSON value}, kind)
Change = tuple[str, str, dict[str, Any], str]


class UncapturedChange(RuntimeError):
    """A programming error: a statement would change synced rows behind the capture."""


@cache
def _synced_table_names() -> frozenset[str]:
    return frozenset(synced_tables())


def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    """ORM bulk UPDATE/DELETE (``update(Person).where(...)``) skip the flush this capture
    listens to: the change would stay on this laptop and never reach the siège. Refused
    loudly instead (the transaction then rolls back); load the rows and change them.
    Statements on a ``Table`` (the demo generator's seeding) are a deliberate low-level
    choice and pass."""
    if not (state.is_update or state.is_delete) or state.session.info.get("sync_capture") is False:
        return
    mapper = state.bind_arguments.get("mapper")
    name = getattr(getattr(mapper, "local_table", None), "name", None)
    if name in _synced_table_names():
        verb = "UPDATE" if state.is_update else "DELETE"
        raise UncapturedChange(f"bulk {verb} of synced table {name!r} would not be synced")


class ChangeCapture:
    """Per-profile capture state: the device's hybrid clock, loaded on first use."""

    def __init__(self) -> None:
        self.clock: HybridClock | None = None

    def clock_for(self, conn: Connection) -> HybridClock:
        if self.clock is None:
            self.clock = load_clock(conn)
        return self.clock

    def install(self, session_factory: sessionmaker[Session]) -> None:
        event.listen(session_factory, "after_flush", self._after_flush)
        event.listen(session_factory, "do_orm_execute", _refuse_bulk_changes)

    def _after_flush(self, session: Session, _context: Any) -> None:
        if session.info.get("sync_capture") is False:
            return
        changes: list[Change] = []
        issued: list[str] = []
        for obj in session.new:
            if isinstance(obj, Synced):
                changes.append(_row_change(obj, every_field=True))
                if _becomes_issued(obj):
                    issued.append(obj.id)
        for obj in session.dirty:
            if isinstance(obj, Synced) and session.is_modified(obj, include_collections=False):
                freeze = _becomes_issued(obj)
                change = _row_change(obj, every_field=freeze)
                if freeze:
                    issued.append(obj.id)
                if change[2]:
                    changes.append(change)
        for obj in session.deleted:
            if isinstance(obj, Synced):
                state = inspect(obj)
                table = state.mapper.local_table.name  # type: ignore[union-attr]
                changes.append((table, obj.id, {"deleted_at": utcnow().isoformat()}, ""))
        if changes:
            # Parents before children, so the siège can check links row by row.
            order = table_order()
            conn = session.connection()
            clock = self.clock_for(conn)
            frozen = _frozen_rows(conn, issued)
            changes = [c for c in changes if (c[0], c[1]) not in frozen] + list(frozen.values())
            changes.sort(key=lambda change: (order.get(change[0], 0), change[3] != FREEZE))
            record_changes(conn, [(clock.now(), *change) for change in changes])


@cache
def table_order() -> dict[str, int]:
    return {name: i for i, name in enumerate(synced_tables())}


def _becomes_issued(obj: Synced) -> bool:
    if inspect(obj).mapper.local_table.name != "invoice":  # type: ignore[union-attr]
        return False
    history = inspect(obj).attrs["status"].history
    return getattr(obj, "status", None) == ISSUED_STATUS and bool(history.added)


def _frozen_rows(conn: Connection, invoice_ids: list[str]) -> dict[tuple[str, str], Change]:
    """The whole invoice and each of its lines, as issued, marked to be kept as is."""
    out: dict[tuple[str, str], Change] = {}
    for table_name, column in (("invoice", "id"), ("invoice_line", "invoice_id")):
        table = Base.metadata.tables[table_name]
        for invoice_id in invoice_ids:
            for row in conn.execute(select(table).where(table.c[column] == invoice_id)).mappings():
                values = encode_row(table_name, {k: v for k, v in row.items() if k != "id"})
                out[(table_name, row["id"])] = (table_name, row["id"], values, FREEZE)
    return out


def _row_change(obj: Synced, *, every_field: bool) -> Change:
    state = inspect(obj)
    table = state.mapper.local_table.name  # type: ignore[union-attr]
    cols = table_specs()[table].columns
    fields: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        name = attr.columns[0].name
        if name not in cols:
            continue
        history = state.attrs[attr.key].history
        if every_field or history.added or history.deleted:
            fields[name] = encode_value(cols[name], state.attrs[attr.key].value)
    if fields and not every_field:
        # ``updated_at`` moves by ``onupdate`` during the flush, without history.
        fields["updated_at"] = encode_value(cols["updated_at"], obj.updated_at)
    return table, obj.id, fields, ""


def record_changes(
    conn: Connection, stamped: list[tuple[str, str, str, dict[str, Any], str]]
) -> None:
    """Append outbox entries (stamp, table, row id, fields, kind) in order and move the
    fields' clocks to their stamps: three statements per flush, not three per row
    ("tous présents" on 60 attendance cells is one flush)."""
    if not stamped:
        return
    fc = table_of(FieldClock)
    specs = table_specs()
    # Only tracked fields (free text, fields to review: app/sync/review.py) need a base
    # (their concurrent overwrites become conflicts), so only rows touching one read
    # their previous clocks.
    needs_base = {
        (table, row_id)
        for _stamp, table, row_id, fields, _kind in stamped
        if any(specs[table].columns[name].tracked for name in fields)
    }
    previous: dict[tuple[str, str], dict[str, str]] = {key: {} for key in needs_base}
    for table, row_id in needs_base:
        previous[(table, row_id)] = dict(
            conn.execute(
                select(fc.c.field, fc.c.hlc).where(fc.c.table_name == table, fc.c.row_id == row_id)
            ).all()
        )
    now = utcnow()
    entries: list[dict[str, Any]] = []
    clocks: dict[tuple[str, str, str], str] = {}
    for stamp, table, row_id, fields, kind in stamped:
        cols = specs[table].columns
        before = previous.get((table, row_id), {})
        bases = {name: before.get(name, "") for name in fields if cols[name].tracked}
        entries.append(
            {
                "table_name": table,
                "row_id": row_id,
                "fields_json": json.dumps(fields, ensure_ascii=False),
                "bases_json": json.dumps(bases),
                "hlc": stamp,
                "kind": kind,
                "created_at": now,
            }
        )
        for name in fields:
            clocks[(table, row_id, name)] = stamp
            before[name] = stamp  # a later entry for the same row sees this write
        previous[(table, row_id)] = before
    conn.execute(insert(table_of(OutboxEntry)), entries)
    upsert_clock_rows(
        conn,
        [{"table_name": t, "row_id": r, "field": f, "hlc": h} for (t, r, f), h in clocks.items()],
    )


def upsert_clock_rows(conn: Connection, rows: list[dict[str, str]]) -> None:
    if not rows:
        return
    fc = table_of(FieldClock)
    stmt = sqlite_insert(fc)
    stmt = stmt.on_conflict_do_update(
        index_elements=[fc.c.table_name, fc.c.row_id, fc.c.field], set_={"hlc": stmt.excluded.hlc}
    )
    conn.execute(stmt, rows)


def load_clock(conn: Connection) -> HybridClock:
    device_id = conn.execute(select(table_of(DeviceIdentity).c.device_id).limit(1)).scalar()
    last = conn.execute(select(func.max(table_of(FieldClock).c.hlc))).scalar() or ZERO
    offset = conn.execute(
        select(table_of(SyncState).c.value).where(table_of(SyncState).c.key == OFFSET_KEY)
    ).scalar()
    clock = HybridClock(device_id or "unknown-device", offset_ms=int(offset or 0))
    clock.observe(last)
    return clock
