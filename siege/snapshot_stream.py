"""A snapshot streamed through raw cursors (siege/snapshot_build.py): for a PostgreSQL
siège (plain or encrypted file). The rows come in the laptop's storage form from the
query itself (siege/snapshot_query.py), fetched a batch at a time from a raw DBAPI cursor
(server-side on PostgreSQL: memory stays flat) and written with ``executemany``. A
narrowed scope's rows pass :func:`siege.scope.keep` batch by batch, as the change feed's
do, except in the tables whose narrowed query is the read rule itself
(siege/snapshot_query.py ``exact()``); their clocks are read a batch of ids at a time
(the whole data's, set-based). Every read goes through one connection in one
transaction."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Select

from app.models.base import synced_tables
from siege import scope as read_scope
from siege import snapshot_query as q

BATCH = 5000
CLOCK_INSERT = f"INSERT INTO {q.CLOCK_TABLE} VALUES (?, ?, ?, ?)"


def copy(conn: Connection, out: sqlite3.Connection, scope: read_scope.Scope, cursor: int) -> str:
    """Write the scope's rows versioned at or before ``cursor``, their tracked clocks and
    the conflicts to ``out``; returns the newest stamp."""
    newest = ""
    for table in synced_tables():
        newest = max(newest, _copy_table(conn, out, scope, cursor, table))
    copy_conflicts(conn, out, scope, cursor)
    return newest


def batches(conn: Connection, query: Any) -> Iterator[Sequence[tuple[Any, ...]]]:
    """The rows of ``query``, :data:`BATCH` at a time, from a raw cursor of ``conn``."""
    sql, params = q.compiled(query, conn.dialect)
    raw: Any = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql":
        cur = raw.cursor(name=f"snapshot_{uuid.uuid4().hex}")  # server-side: flat memory
    else:
        cur = raw.cursor()
    try:
        cur.execute(sql, params)
        while found := cur.fetchmany(BATCH):
            yield found
    finally:
        cur.close()


def insert_of(table: str, schema: str = "") -> str:
    """The statement writing one row of ``table`` into the file (``schema``: "out." when
    the file is attached to the siège's connection)."""
    return f'INSERT INTO {schema}"{table}" VALUES ({", ".join("?" for _ in q.columns_of(table))})'


def copy_kept(
    conn: Connection,
    out: sqlite3.Connection,
    scope: read_scope.Scope,
    query: Select[Any],
    table: str,
    schema: str = "",
) -> Iterator[list[str]]:
    """Write the rows of ``query`` that keep() keeps into ``table`` of the file; yields
    the ids written, a batch at a time."""
    for found in batches(conn, query):
        inside = read_scope.keep(conn, scope, [(table, str(r[0])) for r in found])
        kept = [r for r in found if (table, str(r[0])) in inside]
        out.executemany(insert_of(table, schema), kept)
        yield [str(r[0]) for r in kept]


def _copy_table(
    conn: Connection, out: sqlite3.Connection, scope: read_scope.Scope, cursor: int, table: str
) -> str:
    """Rows of ``table`` in the scope, versioned at or before ``cursor``, and their tracked
    clocks; returns the newest stamp of their fields."""
    tracked = q.tracked_of(table)
    query = q.rows(table, scope, cursor, conn.dialect)
    if scope.everything:
        for found in batches(conn, query):
            out.executemany(insert_of(table), found)
        # Set-based: the clocks and the newest stamp of every row copied, in the database.
        among = q.ids(table, scope, cursor, conn.dialect)
        if tracked:
            for found in batches(conn, q.clocks(table, among, tracked, conn.dialect)):
                out.executemany(CLOCK_INSERT, found)
        return str(conn.execute(q.newest(table, among)).scalar() or "")
    newest = ""
    if q.exact(scope, table):
        # The query's rows are the scope's own (siege/snapshot_query.py exact()): no keep().
        written = _written(conn, out, query, table)
    else:
        written = copy_kept(conn, out, scope, query, table)
    for ids in written:
        # The clocks of the rows written, a batch of ids bound as one array: cheaper than
        # asking PostgreSQL the narrowed query again (it joins the versions whole).
        newest = max(newest, _copy_clocks(conn, out, table, ids, tracked))
    return newest


def _written(
    conn: Connection, out: sqlite3.Connection, query: Select[Any], table: str
) -> Iterator[list[str]]:
    for found in batches(conn, query):
        out.executemany(insert_of(table), found)
        yield [str(r[0]) for r in found]


def _copy_clocks(
    conn: Connection, out: sqlite3.Connection, table: str, ids: list[str], tracked: list[str]
) -> str:
    if not ids:
        return ""
    newest, wanted = "", set(tracked)
    for found in batches(conn, q.clocks(table, ids, None, conn.dialect)):
        newest = max([newest, *(str(c[3]) for c in found)])
        out.executemany(CLOCK_INSERT, [c for c in found if c[2] in wanted])
    return newest


def copy_conflicts(
    conn: Connection,
    out: sqlite3.Connection,
    scope: read_scope.Scope,
    cursor: int,
    schema: str = "",
) -> None:
    """The conflicts to review up to ``cursor`` whose row keep() keeps."""
    insert = (
        f"INSERT INTO {schema}{q.CONFLICT_TABLE} "
        f"VALUES ({', '.join('?' for _ in q.CONFLICT_COLUMNS)})"
    )
    for found in batches(conn, q.conflicts(cursor)):
        if not scope.everything:
            inside = read_scope.keep(conn, scope, [(str(f[2]), str(f[3])) for f in found])
            found = [f for f in found if (str(f[2]), str(f[3])) in inside]
        out.executemany(insert, found)
