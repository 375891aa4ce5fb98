"""A snapshot copied inside SQLite (siege/snapshot_build.py): on a SQLite siège, the
plain file of the whole data (siège staff) is ATTACHed as ``out`` to a connection on the
siège's database, in one read transaction, and each table filled by one
``INSERT … SELECT``. The values go from page to page as stored (the siège stores them as
the laptop does: the same models, the same dialect), never through Python objects."""

from __future__ import annotations

import sqlite3

from sqlalchemy import column, select, table

from app.models.base import synced_tables
from siege import scope as read_scope
from siege import snapshot_query as q

EVERYTHING = read_scope.Scope(everything=True)


def copy(raw: sqlite3.Connection, cursor: int) -> str:
    """Fill the tables of the file attached as ``out`` with every row versioned at or
    before ``cursor``, their tracked clocks and the conflicts; returns the newest stamp."""
    dialect = q.LAPTOP_DIALECT
    newest = ""
    for name in synced_tables():
        names = ", ".join(f'"{c.name}"' for c in q.columns_of(name))
        sql, params = q.compiled(q.rows(name, EVERYTHING, cursor, dialect), dialect)
        raw.execute(f'INSERT INTO out."{name}" ({names}) {sql}', params)
        # The file's own ids: the clocks of exactly the rows copied.
        copied = select(table(name, column("id"), schema="out").c.id)
        tracked = q.tracked_of(name)
        if tracked:
            sql, params = q.compiled(q.clocks(name, copied, tracked, dialect), dialect)
            raw.execute(f"INSERT INTO out.{q.CLOCK_TABLE} {sql}", params)
        sql, params = q.compiled(q.newest(name, copied), dialect)
        newest = max(newest, str(raw.execute(sql, params).fetchone()[0] or ""))
    sql, params = q.compiled(q.conflicts(cursor), dialect)
    raw.execute(f"INSERT INTO out.{q.CONFLICT_TABLE} {sql}", params)
    return newest
