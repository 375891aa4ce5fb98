"""First-sync snapshots (docs/sync.md, "First sync from a snapshot"): a new laptop reads
its scope as it stands at one cursor, table by table in verified chunks, then pulls the
change feed from that cursor.

A snapshot at cursor ``C`` is every row of the device's scope whose version is at or
before ``C``, with its values now: a row whose version is at or before ``C`` has not
changed since (any change moves its version past ``C``), so these are its values at
``C``; a row changed later is left out and comes with the pull from ``C``. Nothing is
stored on the siège: a chunk is read again on demand, which makes a cut transfer
resumable at the chunk where it stopped, with the same cursor.

A chunk is one table's rows after an id, ordered by id, as compressed JSON (zlib): the
column names once, then one array of values per row, the clocks of the fields a laptop
keeps clocks for (``tracked``, app/sync/review.py), and the newest stamp of the chunk
(the laptop's clock observes it). Its SHA-256 travels in a header; the laptop checks it
before applying anything. The conflicts the feed would send come last, as a pseudo-table.
Memory stays flat on both sides: a chunk holds at most ``MAX_CHUNK`` rows.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, select

from app.models.base import Base, synced_tables
from app.sync.codec import encode_value, table_specs
from app.sync.protocol import (
    SNAPSHOT_CONFLICTS,
    SNAPSHOT_NEXT_AFTER_HEADER,
    SNAPSHOT_NEXT_TABLE_HEADER,
    SNAPSHOT_ROWS_HEADER,
    SNAPSHOT_SHA_HEADER,
)
from siege import scope as read_scope
from siege.conflicts import HISTORY_ONLY
from siege.devices import DeviceRecord
from siege.tables import conflict, counter, field_clock, row_version

CONFLICTS = SNAPSHOT_CONFLICTS
DEFAULT_CHUNK = 5000
MAX_CHUNK = 20_000
SHA_HEADER = SNAPSHOT_SHA_HEADER
ROWS_HEADER = SNAPSHOT_ROWS_HEADER
NEXT_TABLE_HEADER = SNAPSHOT_NEXT_TABLE_HEADER
NEXT_AFTER_HEADER = SNAPSHOT_NEXT_AFTER_HEADER
# Beyond this many ids, a scope is not bound into the chunk's query (see _narrow).
MAX_NARROW_IDS = 10_000
COMPRESSION_LEVEL = 1  # fast: the bytes cross a LAN or a loopback, CPU is the cost


class SnapshotError(ValueError):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Chunk:
    body: bytes  # compressed JSON
    sha256: str
    rows: int
    next_table: str  # "" at the end of the snapshot
    next_after: str


def plan(engine: Engine, dev: DeviceRecord) -> dict[str, Any]:
    """Where a snapshot starts: the cursor it stands at, the device's scope epoch, and
    the tables in the order they come."""
    with engine.connect() as conn:
        epoch = read_scope.epoch(conn, dev)
        top = int(conn.execute(select(counter.c.value).where(counter.c.id == 1)).scalar_one())
    return {"cursor": top, "scope_epoch": epoch, "tables": [*synced_tables(), CONFLICTS]}


def chunk(
    engine: Engine, dev: DeviceRecord, cursor: int, table: str, after: str, limit: int
) -> Chunk:
    """Rows of ``table`` after id ``after`` (conflicts: after seq ``after``) in the
    device's scope, versioned at or before ``cursor``."""
    order = [*synced_tables(), CONFLICTS]
    if table not in order:
        raise SnapshotError("unknown_table")
    limit = max(1, min(limit, MAX_CHUNK))
    with engine.connect() as conn:
        top = int(conn.execute(select(counter.c.value).where(counter.c.id == 1)).scalar_one())
        if cursor > top:
            raise SnapshotError("cursor_ahead")
        scope = read_scope.cached.get(conn, dev, top)
        if table == CONFLICTS:
            payload, last, full = _conflicts(conn, scope, cursor, after, limit)
        else:
            payload, last, full = _rows(conn, scope, cursor, table, after, limit)
    if full:
        next_table, next_after = table, last
    else:
        position = order.index(table)
        next_table = order[position + 1] if position + 1 < len(order) else ""
        next_after = ""
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    body = zlib.compress(raw, COMPRESSION_LEVEL)
    return Chunk(
        body, hashlib.sha256(body).hexdigest(), len(payload["rows"]), next_table, next_after
    )


def _rows(
    conn: Connection,
    scope: read_scope.Scope,
    cursor: int,
    table: str,
    after: str,
    limit: int,
) -> tuple[dict[str, Any], str, bool]:
    data = Base.metadata.tables[table]
    spec = table_specs()[table]
    columns = [c for c in data.columns if c.name != "id" and c.name in spec.columns]
    rv = row_version.c
    query = (
        select(data.c.id, *columns)
        .join(row_version, and_(rv.table_name == table, rv.row_id == data.c.id))
        .where(rv.seq <= cursor, data.c.id > after)
    )
    narrowed = None if scope.everything else _narrow(scope, table, data)
    if narrowed is not None:
        query = query.where(narrowed)
    found = conn.execute(query.order_by(data.c.id).limit(limit)).all()
    full = len(found) == limit
    last = str(found[-1][0]) if found else after
    if not scope.everything and found:
        inside = read_scope.keep(conn, scope, [(table, str(r[0])) for r in found])
        found = [r for r in found if (table, str(r[0])) in inside]
    # Only dates, times and bytes change form in JSON (app/sync/codec.py encode_value):
    # the other values go as they are, without a call per value.
    converted = [
        (i + 1, spec.columns[c.name])
        for i, c in enumerate(columns)
        if spec.columns[c.name].kind in ("date", "datetime", "time", "bytes")
    ]
    rows = []
    for r in found:
        row = list(r)
        for i, col in converted:
            row[i] = encode_value(col, row[i])
        rows.append(row)
    tracked = [c.name for c in columns if spec.columns[c.name].tracked]
    clocks: dict[str, dict[str, str]] = {}
    newest = ""
    ids = [r[0] for r in found]
    if ids:
        fc = field_clock.c
        first, final = ids[0], ids[-1]
        # One range read (the clocks' primary key), not an IN list of thousands of ids.
        in_range = and_(fc.table_name == table, fc.row_id >= first, fc.row_id <= final)
        newest = str(conn.execute(select(func.max(fc.hlc)).where(in_range)).scalar() or "")
        if tracked:
            wanted = set(ids)
            for row_id, name, stamp in conn.execute(
                select(fc.row_id, fc.field, fc.hlc).where(in_range, fc.field.in_(tracked))
            ):
                if row_id in wanted:
                    clocks.setdefault(row_id, {})[name] = stamp
    payload = {
        "table": table,
        "columns": [c.name for c in columns],
        "rows": rows,
        "clocks": clocks,
        "newest_stamp": newest,
    }
    return payload, last, full


def _narrow(scope: read_scope.Scope, table: str, data: Any) -> Any:
    """A condition holding every row of ``table`` in ``scope`` (a superset: keep()
    decides row by row after), so a one-antenne laptop's snapshot reads its rows, not
    the whole region's. None: no shortcut for this table."""
    persons, sessions = sorted(scope.persons), sorted(scope.sessions)
    places, series = sorted(scope.place_sessions), sorted(scope.series)
    if max(len(persons) + len(scope.seen_persons), len(sessions)) > MAX_NARROW_IDS:
        return None  # too many to bind (SQLite's limit): keep() alone decides
    if table == "person":
        return data.c.id.in_(sorted(scope.persons | scope.seen_persons))
    if table in read_scope.PERSON_RECORDS:
        return data.c[read_scope.PERSON_RECORDS[table]].in_(persons)
    if table == "client":
        return data.c.entrepreneur_id.in_(persons) | data.c.id.in_(sorted(scope.archive_clients))
    if table == "activity":
        return data.c.id.in_(sessions)
    if table in ("activity_slot", "activity_funder"):
        return data.c.activity_id.in_(sessions)
    if table == "registration":
        return data.c.person_id.in_(persons) | data.c.activity_id.in_(places)
    if table == "attendance":
        slot = Base.metadata.tables["activity_slot"]
        held_here = select(slot.c.id).where(slot.c.activity_id.in_(places))
        return data.c.person_id.in_(persons) | data.c.slot_id.in_(held_here)
    invoice = Base.metadata.tables["invoice"]
    if table == "invoice":
        return invoice.c.entrepreneur_id.in_(persons) | invoice.c.series_id.in_(series)
    if table in ("invoice_line", "payment", "invoice_pa_status"):
        readable = select(invoice.c.id).where(
            invoice.c.entrepreneur_id.in_(persons) | invoice.c.series_id.in_(series)
        )
        return data.c.invoice_id.in_(readable)
    return None


def _conflicts(
    conn: Connection, scope: read_scope.Scope, cursor: int, after: str, limit: int
) -> tuple[dict[str, Any], str, bool]:
    start = int(after) if after.isdigit() else 0
    c = conflict.c
    found = conn.execute(
        select(conflict)
        .where(c.seq > start, c.seq <= cursor, c.kind.not_in(sorted(HISTORY_ONLY)))
        .order_by(c.seq)
        .limit(min(limit, 500))
    ).all()
    full = len(found) == min(limit, 500)
    last = str(found[-1].seq) if found else after
    if not scope.everything and found:
        inside = read_scope.keep(conn, scope, [(f.table_name, f.row_id) for f in found])
        found = [f for f in found if (f.table_name, f.row_id) in inside]
    rows = [
        {
            "seq": int(f.seq),
            "kind": f.kind,
            "table": f.table_name,
            "row_id": f.row_id,
            "field": f.field,
            "kept_value": f.kept_value,
            "lost_value": f.lost_value,
            "lost_hlc": f.lost_hlc,
            "device_name": f.device_name,
            "detail": f.detail,
        }
        for f in found
    ]
    return {"table": CONFLICTS, "rows": rows}, last, full
