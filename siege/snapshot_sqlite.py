"""A snapshot copied inside SQLite (siege/snapshot_build.py): on a SQLite siège, the
plain file is ATTACHed as ``out`` to a connection on the siège's database, in one read
transaction, and each table filled by one ``INSERT … SELECT``. The values go from page to
page as stored (the siège stores them as the laptop does: the same models, the same
dialect), never through Python objects.

A narrowed scope (one antenne) reads its ids from TEMP tables of that connection, filled
once (siege/snapshot_query.py ``temp_tables()``, and its invoices' ids in the read
transaction): the tables whose narrowed query is the read rule (``exact()``: all of them
today) are copied the same way; the rows of a table without one would pass
:func:`siege.scope.keep` batch by batch (siege/snapshot_stream.py), as the conflicts do.
The clocks and the newest stamp are read set-based, for the rows the file holds."""

from __future__ import annotations

import sqlite3
from collections import deque
from typing import Any

from sqlalchemy import Connection, column, insert, select, table
from sqlalchemy.util import LRUCache

from app.models.base import synced_tables
from siege import scope as read_scope
from siege import snapshot_query as q
from siege import snapshot_stream

# Statements compiled once per shape (SQLAlchemy's cache, keyed by each statement's
# structure, its values bound anew): a siège builds the same ones for every device.
COMPILED: LRUCache[Any, Any] = LRUCache(400)
CLOCK_COLUMNS = ("table_name", "row_id", "field", "hlc")


def copy(conn: Connection, scope: read_scope.Scope, cursor: int) -> str:
    """Fill the tables of the file attached as ``out`` to ``conn`` (in its read
    transaction) with the rows of ``scope`` versioned at or before ``cursor``, their
    tracked clocks and the conflicts; returns the newest stamp."""
    raw: sqlite3.Connection = conn.connection.dbapi_connection  # type: ignore[assignment]
    conn = conn.execution_options(compiled_cache=COMPILED)
    if not scope.everything:
        _fill_scope(conn, raw, scope)
    newest = ""
    for name in synced_tables():
        query = q.rows(name, scope, cursor, conn.dialect, temp=True)
        if q.exact(scope, name, temp=True):
            names = [c.name for c in q.columns_of(name)]
            conn.execute(insert(_out(name, *names)).from_select(names, query))
        else:
            # The ids each batch wrote are not needed: the clocks are read below.
            deque(snapshot_stream.copy_kept(conn, raw, scope, query, name, "out."), maxlen=0)
        # The file's own ids: the clocks of exactly the rows copied.
        copied = select(_out(name, "id").c.id)
        tracked = q.tracked_of(name)
        if tracked:
            clocks = q.clocks(name, copied, tracked, conn.dialect)
            conn.execute(
                insert(_out(q.CLOCK_TABLE, *CLOCK_COLUMNS)).from_select(CLOCK_COLUMNS, clocks)
            )
        newest = max(newest, str(conn.execute(q.newest(name, copied)).scalar() or ""))
    if scope.everything:
        into = insert(_out(q.CONFLICT_TABLE, *q.CONFLICT_COLUMNS))
        conn.execute(into.from_select(q.CONFLICT_COLUMNS, q.conflicts(cursor)))
    else:
        snapshot_stream.copy_conflicts(conn, raw, scope, cursor, "out.")
    return newest


def _out(name: str, *columns: str) -> Any:
    """Table ``name`` of the file attached as ``out``."""
    return table(name, *(column(c) for c in columns), schema="out")


def _fill_scope(conn: Connection, raw: sqlite3.Connection, scope: read_scope.Scope) -> None:
    """The scope's ids into the TEMP tables the narrowed queries read (private to this
    connection, gone with it), then its invoices' ids, read in the build's transaction."""
    for name, ids in q.temp_tables(scope).items():
        raw.execute(f"CREATE TABLE {name} (id TEXT PRIMARY KEY) WITHOUT ROWID")
        raw.executemany(f"INSERT INTO {name} VALUES (?)", [(i,) for i in ids])
    raw.execute(f"CREATE TABLE {q.TEMP_INVOICES} (id TEXT PRIMARY KEY) WITHOUT ROWID")
    held = table(q.TEMP_INVOICES.removeprefix("temp."), column("id"), schema="temp")
    conn.execute(insert(held).from_select(["id"], q.invoices_held(scope)))
