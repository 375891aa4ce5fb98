"""The change feed laptops pull: rows whose version (sequence number) is after a cursor,
each sent whole with its per-field clocks, in pages of bounded size so memory stays
flat however large the first sync of a new laptop is.

Rows and conflicts share one sequence. A page holds the rows and the conflicts up to
its ``next_cursor``; when the conflicts of that stretch pass MAX_PAGE_CONFLICTS or
MAX_PAGE_CONFLICT_BYTES, the page ends at the last conflict it holds (and its rows
stop there too), so the next page starts right after it: none skipped, none repeated.
Conflicts kept for the siège's history only (siege/conflicts.py) are not sent.

Each device receives only the rows (and the conflicts about rows) of its read scope
(siege/scope.py, docs/authority.md "Read scope"). The cursor still walks every
sequence number: a page may hold fewer rows than its stretch of the sequence, never
a row out of order, so the paging above is unchanged."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from app.models.base import Base
from app.sync.codec import encode_row
from app.sync.protocol import Conflict, Row
from siege import scope as read_scope
from siege.conflicts import HISTORY_ONLY
from siege.devices import SIEGE, DeviceRecord
from siege.tables import conflict, counter, field_clock, row_version

MAX_PAGE_CONFLICTS = 500
MAX_PAGE_CONFLICT_BYTES = 2_000_000
# Stretches of versions a scoped device's page may read to fill itself (see changes()).
SCAN_STRETCHES = 10


def touch_row(conn: Connection, table: str, row_id: str, seq: int) -> None:
    key = (row_version.c.table_name == table) & (row_version.c.row_id == row_id)
    if conn.execute(update(row_version).where(key).values(seq=seq)).rowcount == 0:
        conn.execute(insert(row_version).values(table_name=table, row_id=row_id, seq=seq))


def upsert_clocks(conn: Connection, table: str, row_id: str, clocks: dict[str, str]) -> None:
    if not clocks:
        return
    key = (field_clock.c.table_name == table) & (field_clock.c.row_id == row_id)
    held = set(conn.execute(select(field_clock.c.field).where(key)).scalars())
    fresh = [
        {"table_name": table, "row_id": row_id, "field": f, "hlc": h}
        for f, h in clocks.items()
        if f not in held
    ]
    if fresh:
        conn.execute(insert(field_clock), fresh)
    for name, stamp in clocks.items():
        if name in held:
            conn.execute(
                update(field_clock).where(key & (field_clock.c.field == name)).values(hlc=stamp)
            )


def load_rows(
    conn: Connection, keys: list[tuple[str, str]], seqs: dict[tuple[str, str], int] | None = None
) -> list[Row]:
    """Current rows and clocks for (table, row_id) keys, in the order given."""
    by_table: dict[str, list[str]] = defaultdict(list)
    for table, row_id in keys:
        by_table[table].append(row_id)
    values: dict[tuple[str, str], dict[str, Any]] = {}
    clocks: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for table_name, ids in by_table.items():
        data = Base.metadata.tables[table_name]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for found in conn.execute(select(data).where(data.c.id.in_(chunk))).mappings():
                row = dict(found)
                row_id = row.pop("id")
                values[(table_name, row_id)] = encode_row(table_name, row)
            for row_id, name, stamp in conn.execute(
                select(field_clock.c.row_id, field_clock.c.field, field_clock.c.hlc).where(
                    field_clock.c.table_name == table_name, field_clock.c.row_id.in_(chunk)
                )
            ):
                clocks[(table_name, row_id)][name] = stamp
    seqs = seqs or {}
    return [
        Row(seqs.get(key, 0), key[0], key[1], values[key], clocks.get(key, {}))
        for key in keys
        if key in values
    ]


def changes(
    engine: Engine, after: int, limit: int, dev: DeviceRecord | None = None
) -> dict[str, Any]:
    """A page of changes after ``after``; for ``dev``, only those of its scope (None:
    everything, for the administrator's own tools).

    A scoped device's page reads up to SCAN_STRETCHES stretches of ``limit`` versions
    until it holds ``limit`` rows of its scope: a laptop of a small antenne then gets
    full pages, not hundreds of nearly empty ones (each costs it a round trip and a
    commit). A page with conflicts ends with its stretch, keeping conflicts bounded."""
    with engine.connect() as conn:
        top = int(conn.execute(select(counter.c.value).where(counter.c.id == 1)).scalar_one())
        scope = None
        if dev is not None and dev.role != SIEGE:
            scope = read_scope.cached.get(conn, dev, top)
        keys: list[tuple[str, str]] = []
        seqs: dict[tuple[str, str], int] = {}
        found: list[Conflict] = []
        cursor, has_more = after, True
        for _ in range(SCAN_STRETCHES if scope is not None else 1):
            part = _stretch(conn, cursor, top, limit, scope)
            room = limit - len(keys)
            if len(part.keys) > room:
                # End the page at the last row that fits: the next one starts after it.
                part.keys = part.keys[:room]
                part.next_cursor = part.seqs[part.keys[-1]] if part.keys else cursor
                part.conflicts = [c for c in part.conflicts if c.seq <= part.next_cursor]
                part.has_more = True
            keys += part.keys
            seqs.update({k: part.seqs[k] for k in part.keys})
            found += part.conflicts
            cursor, has_more = part.next_cursor, part.has_more
            if not has_more or part.cut or found or len(keys) >= limit:
                break
        rows = load_rows(conn, keys, seqs)
        epoch = read_scope.epoch(conn, dev) if dev is not None else 0
    return {
        "rows": [r.to_json() for r in rows],
        "conflicts": [c.to_json() for c in found],
        "next_cursor": cursor,
        "has_more": has_more,
        "last_seq": top,
        # A new epoch: rows may have left this device's scope (docs/sync.md).
        "scope_epoch": epoch,
    }


@dataclass
class _Stretch:
    keys: list[tuple[str, str]]
    seqs: dict[tuple[str, str], int]
    conflicts: list[Conflict]
    next_cursor: int
    has_more: bool
    cut: bool


def _stretch(
    conn: Connection, after: int, top: int, limit: int, scope: read_scope.Scope | None
) -> _Stretch:
    """Up to ``limit`` versions after ``after`` and the conflicts of that stretch, kept
    to ``scope`` (None: everything)."""
    versions = conn.execute(
        select(row_version.c.table_name, row_version.c.row_id, row_version.c.seq)
        .where(row_version.c.seq > after, row_version.c.seq <= top)
        .order_by(row_version.c.seq)
        .limit(limit)
    ).all()
    has_more = len(versions) == limit and int(versions[-1].seq) < top
    next_cursor = int(versions[-1].seq) if has_more else max(top, after)
    found, cut = _conflicts(conn, after, next_cursor)
    if cut is not None:
        next_cursor, has_more = cut, True
        versions = [v for v in versions if int(v.seq) <= cut]
    keys = [(str(v.table_name), str(v.row_id)) for v in versions]
    seqs = {k: int(v.seq) for k, v in zip(keys, versions, strict=True)}
    if scope is not None:
        inside = read_scope.keep(conn, scope, keys)
        keys = [k for k in keys if k in inside]
        about = read_scope.keep(conn, scope, [(c.table, c.row_id) for c in found])
        found = [c for c in found if (c.table, c.row_id) in about]
    return _Stretch(keys, seqs, found, next_cursor, has_more, cut is not None)


def _conflicts(conn: Connection, after: int, through: int) -> tuple[list[Conflict], int | None]:
    """Conflicts in (after, through], bounded; the seq to end the page at when cut."""
    found: list[Conflict] = []
    size = 0
    query = (
        select(conflict)
        .where(
            conflict.c.seq > after,
            conflict.c.seq <= through,
            conflict.c.kind.not_in(sorted(HISTORY_ONLY)),
        )
        .order_by(conflict.c.seq)
        .limit(MAX_PAGE_CONFLICTS + 1)
    )
    for c in conn.execute(query):
        weight = len(c.kept_value) + len(c.lost_value) + len(c.detail) + 200
        if found and (len(found) == MAX_PAGE_CONFLICTS or size + weight > MAX_PAGE_CONFLICT_BYTES):
            return found, found[-1].seq
        size += weight
        found.append(
            Conflict(
                int(c.seq),
                c.kind,
                c.table_name,
                c.row_id,
                c.field,
                c.kept_value,
                c.lost_value,
                c.lost_hlc,
                c.device_name,
                c.detail,
            )
        )
    return found, None
