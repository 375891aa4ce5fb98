"""Row-level read rules (docs/authority.md, "Read scope"): which keys (table, row id) of
a batch lie in a device's scope, and the keys of a whole scope (the manifest a laptop
compares with what it holds to evict the rest, docs/sync.md "Leaving a scope")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, select, tuple_

from app.sync.protocol import ISSUED_STATUS
from siege.scope_model import _CHUNK, PERSON_RECORDS, SHARED, SLOT_ROWS, Key, Scope, _t
from siege.tables import row_version


def keep(conn: Connection, scope: Scope, keys: Sequence[Key]) -> set[Key]:
    """The keys (table, row id) of ``keys`` in the scope; a row absent from the siège
    is not (there is nothing to send)."""
    if scope.everything:
        return set(keys)
    by_table: dict[str, list[str]] = defaultdict(list)
    for table, row_id in keys:
        by_table[table].append(row_id)
    kept: set[Key] = set()
    for table, ids in by_table.items():
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            kept.update((table, i) for i in _kept_ids(conn, scope, table, chunk))
    return kept


def _kept_ids(conn: Connection, scope: Scope, table: str, ids: list[str]) -> Iterable[str]:
    if table in SHARED:
        t = _t(table)
        return conn.execute(select(t.c.id).where(t.c.id.in_(ids))).scalars()
    if table == "person":
        return [i for i in ids if i in scope.persons or i in scope.seen_persons]
    links = _links(conn, table, ids)
    return [row_id for row_id, link in links if _in_scope(scope, table, row_id, link)]


def _links(conn: Connection, table: str, ids: list[str]) -> list[tuple[str, tuple[Any, ...]]]:
    """(row id, the values its scope depends on) for rows of ``table``."""
    t = _t(table)
    if table in PERSON_RECORDS:
        cols = [t.c[PERSON_RECORDS[table]]]
    elif table == "client":
        cols = [t.c.entrepreneur_id]
    elif table == "activity":
        cols = []
    elif table in ("activity_slot", "activity_funder"):
        cols = [t.c.activity_id]
    elif table == "registration":
        cols = [t.c.person_id, t.c.activity_id]
    elif table in SLOT_ROWS:
        slot = _t("activity_slot")
        query = (
            select(t.c.id, slot.c.activity_id)
            .select_from(t.outerjoin(slot, slot.c.id == t.c.slot_id))
            .where(t.c.id.in_(ids))
        )
        return [(r[0], tuple(r[1:])) for r in conn.execute(query)]
    elif table == "attendance":
        slot = _t("activity_slot")
        query = (
            select(t.c.id, t.c.person_id, slot.c.activity_id)
            .select_from(t.outerjoin(slot, slot.c.id == t.c.slot_id))
            .where(t.c.id.in_(ids))
        )
        return [(r[0], tuple(r[1:])) for r in conn.execute(query)]
    elif table == "invoice":
        cols = [t.c.entrepreneur_id, t.c.series_id, t.c.status]
    elif table == "client_directory":
        cli = _t("client")
        query = (
            select(t.c.id, cli.c.entrepreneur_id, t.c.client_id)
            .select_from(t.outerjoin(cli, cli.c.id == t.c.client_id))
            .where(t.c.id.in_(ids))
        )
        return [(r[0], tuple(r[1:])) for r in conn.execute(query)]
    elif table in ("invoice_line", "payment", "invoice_pa_status"):
        inv = _t("invoice")
        query = (
            select(t.c.id, inv.c.entrepreneur_id, inv.c.series_id, inv.c.status)
            .select_from(t.outerjoin(inv, inv.c.id == t.c.invoice_id))
            .where(t.c.id.in_(ids))
        )
        return [(r[0], tuple(r[1:])) for r in conn.execute(query)]
    else:
        return []  # a table no rule names is sent to staff devices only
    return [
        (r[0], tuple(r[1:])) for r in conn.execute(select(t.c.id, *cols).where(t.c.id.in_(ids)))
    ]


def _in_scope(scope: Scope, table: str, row_id: str, link: tuple[Any, ...]) -> bool:
    if table in PERSON_RECORDS:
        return link[0] in scope.persons
    if table == "client":
        return link[0] in scope.persons or row_id in scope.archive_clients
    if table == "client_directory":  # follows its client
        return link[0] in scope.persons or link[1] in scope.archive_clients
    if table == "activity":
        return row_id in scope.sessions
    if table in ("activity_slot", "activity_funder"):
        return link[0] in scope.sessions
    if table in ("registration", "attendance"):
        return link[0] in scope.persons or link[1] in scope.place_sessions
    if table in SLOT_ROWS:
        return link[0] in scope.sessions
    if table in ("invoice", "invoice_line", "payment", "invoice_pa_status"):
        # Its own series' legal archive is what it issued: a draft is its entrepreneur's.
        issued = link[1] in scope.series and link[2] == ISSUED_STATUS
        return link[0] in scope.persons or issued
    return False


def evictable_tables() -> list[str]:
    """Tables a laptop evicts from: every synced table with a read rule except the
    reference data every device reads (SHARED)."""
    from app.models.base import synced_tables

    return [t for t in synced_tables() if t not in SHARED]


def manifest(conn: Connection, scope: Scope, page: int = 5000) -> Iterable[tuple[str, list[str]]]:
    """(table, ids) of every versioned row of an evictable table in ``scope``, in pages
    of keys (memory stays flat on the siège)."""
    wanted = set(evictable_tables())
    rv = row_version.c
    last: tuple[str, str] = ("", "")
    while True:
        found = conn.execute(
            select(rv.table_name, rv.row_id)
            .where(tuple_(rv.table_name, rv.row_id) > tuple_(*last))
            .order_by(rv.table_name, rv.row_id)
            .limit(page)
        ).all()
        if not found:
            return
        last = (str(found[-1][0]), str(found[-1][1]))
        keys = [(str(t), str(r)) for t, r in found if t in wanted]
        inside = keep(conn, scope, keys)
        by_table: dict[str, list[str]] = defaultdict(list)
        for key in keys:
            if key in inside:
                by_table[key[0]].append(key[1])
        yield from by_table.items()
