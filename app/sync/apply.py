"""Apply rows pulled from the siège to the laptop database (Core statements, never captured).

Rule (the siège is the merge point): a field with no local change waiting in the
outbox takes the siège's value and clock — the siège has already ordered every
device's writes by HLC. A field with a local change still waiting keeps the local
value when the local stamp is newer; it is pushed next and wins there too, so both
sides end equal. Only tracked fields (free text, fields to review: app/sync/review.py)
keep a local clock of pulled values: they are the ones whose concurrent overwrites the
siège lists for review.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.models import OutboxEntry, SyncConflict, SyncState
from app.models.base import Base
from app.sync.capture import upsert_clock_rows
from app.sync.codec import CodecError, decode_value, table_of, table_specs
from app.sync.protocol import ISSUED_STATUS, Conflict, Row

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
    for key in _issued_rows(conn, rows) if pending else ():
        # An issued invoice and its lines take the siège's values whole: an edit still
        # waiting here cannot change them (the siège refuses it, and the values the user
        # typed are kept in that refusal's conflict). Kept here, it would leave this
        # laptop an issued invoice unlike the siège's, and refuse the siège's after.
        pending.pop(key, None)
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
    plans = [
        plan
        for row in rows
        if (
            plan := _plan(
                row, locals_.get((row.table, row.row_id)), pending.get((row.table, row.row_id), {})
            )
        )
        is not None
    ]
    try:
        with conn.begin_nested():
            _execute(conn, plans)
    except IntegrityError:
        # Some local row holds the same natural key (e.g. a unique name): apply row by
        # row, keep the others, and list the clash for a person rather than block sync.
        for plan in plans:
            try:
                with conn.begin_nested():
                    _execute(conn, [plan])
            except IntegrityError as exc:
                log.warning(
                    "pulled row %s/%s conflicts locally: %s", plan.table, plan.row_id, exc.orig
                )
                raw = json.dumps(plan.row.values, ensure_ascii=False)
                record_local_conflict(conn, "apply_failed", plan.table, plan.row_id, "", raw[:4000])
    anonymised = [
        p.row_id
        for p in plans
        if p.table == "person" and not p.insert and p.writes.get("anonymised_at") is not None
    ]
    if anonymised:
        # Anonymised elsewhere: this laptop's unsent copies of the name go in this same
        # transaction (docs/personal-data.md). Imported here: app.people imports this module.
        from app.people.anonymise_pulled import erase_local_copies

        erase_local_copies(conn, anonymised)
    return sum(1 for p in plans if p.insert or p.writes)


def _issued_rows(conn: Connection, rows: list[Row]) -> set[tuple[str, str]]:
    """The rows given that are issued invoices, or lines of one (issued in these rows or
    held issued here), and have an edit waiting in the outbox."""
    issued = {
        r.row_id for r in rows if r.table == "invoice" and r.values.get("status") == ISSUED_STATUS
    }
    parents = {
        str(r.values.get("invoice_id"))
        for r in rows
        if r.table == "invoice_line" and r.values.get("invoice_id") not in issued
    }
    if parents:
        inv = Base.metadata.tables["invoice"]
        ids = sorted(parents)
        for start in range(0, len(ids), 500):
            issued.update(
                conn.execute(
                    select(inv.c.id).where(
                        inv.c.id.in_(ids[start : start + 500]), inv.c.status == ISSUED_STATUS
                    )
                ).scalars()
            )
    return {
        (r.table, r.row_id)
        for r in rows
        if (r.table == "invoice" and r.row_id in issued)
        or (r.table == "invoice_line" and r.values.get("invoice_id") in issued)
    }


@dataclass
class _Plan:
    row: Row
    insert: bool
    writes: dict[str, Any]
    clocks: dict[str, str]

    @property
    def table(self) -> str:
        return self.row.table

    @property
    def row_id(self) -> str:
        return self.row.row_id


def _plan(row: Row, local: dict[str, Any] | None, waiting: dict[str, str]) -> _Plan | None:
    spec = table_specs().get(row.table)
    if spec is None:
        log.warning("pulled row of unknown table %s ignored", row.table)
        return None
    values: dict[str, Any] = {}
    decoded = getattr(row, "decoded", None)  # a pulled.CheckedRow: decoded by the checks
    if decoded is not None:
        values = {name: decoded[name] for name in spec.columns if name in decoded}
    for name, col in spec.columns.items() if decoded is None else ():
        if name not in row.values:
            continue
        try:
            values[name] = decode_value(col, row.values[name])
        except CodecError:
            log.warning("pulled value of %s.%s refused", row.table, name)
            return None
    clocks = {
        name: stamp
        for name, stamp in row.clocks.items()
        if stamp and name in values and spec.columns[name].tracked
    }
    if local is None:
        # A row new to this laptop has nothing waiting locally: take it whole.
        return _Plan(row, True, {"id": row.row_id, **values}, clocks)
    writes: dict[str, Any] = {}
    for name, value in values.items():
        mine = waiting.get(name)
        if mine is not None and mine > row.clocks.get(name, ""):
            clocks.pop(name, None)
            continue
        if local.get(name) != value:
            writes[name] = value
    if writes:
        # Core applies Column.onupdate to a column left out of an UPDATE: name it.
        writes.setdefault("updated_at", local["updated_at"])
    return _Plan(row, False, writes, clocks)


def _execute(conn: Connection, plans: list[_Plan]) -> None:
    """Many rows per statement (executemany): a first sync moves whole tables."""
    inserts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    updates: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = defaultdict(list)
    clocks: list[dict[str, str]] = []
    for plan in plans:
        if plan.insert:
            inserts[plan.table].append(plan.writes)
        elif plan.writes:
            updates[(plan.table, tuple(sorted(plan.writes)))].append(
                {"_row": plan.row_id, **plan.writes}
            )
        clocks.extend(
            {"table_name": plan.table, "row_id": plan.row_id, "field": f, "hlc": h}
            for f, h in plan.clocks.items()
        )
    for table_name, batch in inserts.items():
        by_keys: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for values in batch:
            by_keys[tuple(sorted(values))].append(values)
        for group in by_keys.values():
            _insert_many(conn, Base.metadata.tables[table_name], group)
    for (table_name, keys), batch in updates.items():
        table = Base.metadata.tables[table_name]
        stmt = (
            update(table)
            .where(table.c.id == bindparam("_row"))
            .values({k: bindparam(k) for k in keys})
        )
        conn.execute(stmt, batch)
    if clocks:
        upsert_clock_rows(conn, clocks)


def _insert_many(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """One executemany straight on the driver, values through the columns' own bind
    processors: what a Core insert does, without its per-row bookkeeping (a first sync
    inserts hundreds of thousands of rows). A row lacking a column with a default goes
    through Core, which fills it in."""
    names = list(rows[0])
    defaulted = {c.name for c in table.columns if c.default is not None}
    if defaulted - set(names):
        conn.execute(insert(table), rows)
        return
    dialect = conn.dialect
    procs = [table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names]
    quote = dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join('?' for _ in names)})"
    )
    pairs = list(zip(names, procs, strict=True))
    params = [
        tuple(row[n] if p is None or row[n] is None else p(row[n]) for n, p in pairs)
        for row in rows
    ]
    conn.exec_driver_sql(sql, params)


def record_local_conflict(
    conn: Connection,
    kind: str,
    table: str,
    row_id: str,
    field: str,
    lost: str,
    detail: str = "",
    *,
    kept: str = "",
    lost_hlc: str = "",
) -> None:
    conn.execute(
        insert(table_of(SyncConflict)).values(
            kind=kind,
            table_name=table,
            row_id=row_id,
            field=field,
            kept_value=kept,
            lost_value=lost,
            lost_hlc=lost_hlc,
            detail=detail,
        )
    )


def store_conflicts(conn: Connection, conflicts: list[Conflict]) -> None:
    """Conflicts read from the siège, each stored once. A conflict read again (the same
    siège sequence, the same row and field) is known; so is the same conflict under
    another sequence: a restored siège numbers again what it applies again (docs/sync.md,
    "A restored siège gets back what it acknowledged"), and may give a sequence this
    laptop already holds to another conflict, which is then stored, not dropped."""
    if not conflicts:
        return
    sc = table_of(SyncConflict)
    held: set[tuple[Any, ...]] = set()
    for seq, *what in conn.execute(
        select(
            sc.c.server_seq,
            sc.c.kind,
            sc.c.table_name,
            sc.c.row_id,
            sc.c.field,
            sc.c.kept_value,
            sc.c.lost_value,
            sc.c.lost_hlc,
        ).where(sc.c.server_seq != 0)
    ):
        held.add(("seq", seq, *what[:4]))
        held.add(("same", *what))
    for c in conflicts:
        where = (c.kind, c.table, c.row_id, c.field)
        same = ("same", *where, c.kept_value, c.lost_value, c.lost_hlc)
        if ("seq", c.seq, *where) in held or same in held:
            continue
        held |= {("seq", c.seq, *where), same}
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


@contextmanager
def relaxed_links(engine: Engine) -> Iterator[Connection]:
    """One transaction in which rows from the siège may arrive child before parent.

    A page may hold a child before its parent (the parent changed later); the siège's
    data is consistent as a whole, so links are not checked row by row. The pragma
    only takes effect outside a transaction, hence set on the raw connection first.
    """
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                yield conn
        finally:
            raw.execute("PRAGMA foreign_keys = ON")
