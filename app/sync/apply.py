"""Apply rows pulled from the siège to the laptop database (Core statements, never captured).

Rule (the siège is the merge point): a field with no local change waiting in the
outbox takes the siège's value and clock — the siège has already ordered every
device's writes by HLC. A field with a local change still waiting keeps the local
value when the local stamp is newer; it is pushed next and wins there too, so both
sides end equal. Only free-text fields keep a local clock of pulled values: they are
the ones whose concurrent overwrites the siège reports as conflicts.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.models import OutboxEntry, SyncConflict, SyncState
from app.models.base import Base
from app.sync.capture import set_clocks
from app.sync.codec import CodecError, decode_value, table_of, table_specs
from app.sync.protocol import Conflict, Row

log = logging.getLogger(__name__)


def pending_fields(
    conn: Connection, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, str]]:
    """{(table, row_id): {field: newest waiting stamp}} for the rows given."""
    wanted = set(keys)
    if not wanted:
        return {}
    ob = table_of(OutboxEntry)
    out: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    ids = sorted({row_id for _t, row_id in wanted})
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for table, row_id, fields_json, stamp in conn.execute(
            select(ob.c.table_name, ob.c.row_id, ob.c.fields_json, ob.c.hlc).where(
                ob.c.row_id.in_(chunk)
            )
        ):
            if (table, row_id) not in wanted:
                continue
            mine = out[(table, row_id)]
            for name in json.loads(fields_json):
                if stamp > mine.get(name, ""):
                    mine[name] = stamp
    return out


def apply_rows(conn: Connection, rows: list[Row]) -> int:
    """Apply rows in order; returns how many local rows changed."""
    pending = pending_fields(conn, ((r.table, r.row_id) for r in rows))
    by_table: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_table[row.table].append(row)
    locals_: dict[tuple[str, str], dict[str, Any]] = {}
    for table_name, group in by_table.items():
        table = Base.metadata.tables[table_name]
        ids = [r.row_id for r in group]
        for start in range(0, len(ids), 500):
            for found in conn.execute(
                select(table).where(table.c.id.in_(ids[start : start + 500]))
            ).mappings():
                locals_[(table_name, found["id"])] = dict(found)
    changed = 0
    for row in rows:
        key = (row.table, row.row_id)
        if _apply_one(conn, row, locals_.get(key), pending.get(key, {})):
            changed += 1
    return changed


def _apply_one(
    conn: Connection, row: Row, local: dict[str, Any] | None, waiting: dict[str, str]
) -> bool:
    spec = table_specs().get(row.table)
    if spec is None:
        log.warning("pulled row of unknown table %s ignored", row.table)
        return False
    values: dict[str, Any] = {}
    for name, raw in row.values.items():
        col = spec.columns.get(name)
        if col is None:
            continue
        try:
            values[name] = decode_value(col, raw)
        except CodecError:
            log.warning("pulled value of %s.%s refused", row.table, name)
            return False
    table = Base.metadata.tables[row.table]
    to_write: dict[str, Any] = {}
    clocks: dict[str, str] = {}
    for name, value in values.items():
        stamp = row.clocks.get(name, "")
        mine = waiting.get(name)
        if mine is not None and mine > stamp:
            continue
        if local is None or local.get(name) != value:
            to_write[name] = value
        if stamp and spec.columns[name].free_text:
            clocks[name] = stamp
    try:
        with conn.begin_nested():
            if local is None:
                conn.execute(insert(table).values(id=row.row_id, **values))
            elif to_write:
                # Core applies Column.onupdate to a column left out of an UPDATE: name it.
                to_write.setdefault("updated_at", local["updated_at"])
                conn.execute(update(table).where(table.c.id == row.row_id).values(**to_write))
            set_clocks(conn, row.table, row.row_id, clocks)
    except IntegrityError as exc:
        # A local row holds the same natural key (e.g. a unique name): keep both visible
        # to a person rather than block every later page.
        log.warning("pulled row %s/%s conflicts locally: %s", row.table, row.row_id, exc.orig)
        record_local_conflict(
            conn, "apply_failed", row.table, row.row_id, "", json.dumps(row.values)[:4000]
        )
        return False
    return local is None or bool(to_write)


def record_local_conflict(
    conn: Connection, kind: str, table: str, row_id: str, field: str, lost: str, detail: str = ""
) -> None:
    conn.execute(
        insert(table_of(SyncConflict)).values(
            kind=kind, table_name=table, row_id=row_id, field=field, lost_value=lost, detail=detail
        )
    )


def store_conflicts(conn: Connection, conflicts: list[Conflict]) -> None:
    sc = table_of(SyncConflict)
    for c in conflicts:
        known = conn.execute(select(sc.c.id).where(sc.c.server_seq == c.seq)).first()
        if known is not None:
            continue
        conn.execute(
            insert(sc).values(
                kind=c.kind,
                server_seq=c.seq,
                table_name=c.table,
                row_id=c.row_id,
                field=c.field,
                kept_value=c.kept_value,
                lost_value=c.lost_value,
                lost_hlc=c.lost_hlc,
                device_name=c.device_name,
                detail=c.detail,
            )
        )


def get_state(conn: Connection, key: str, default: str = "") -> str:
    st = table_of(SyncState)
    value = conn.execute(select(st.c.value).where(st.c.key == key)).scalar()
    return default if value is None else str(value)


def set_state(conn: Connection, key: str, value: str) -> None:
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    st = table_of(SyncState)
    stmt = sqlite_insert(st).values(key=key, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=[st.c.key], set_={"value": value}))
