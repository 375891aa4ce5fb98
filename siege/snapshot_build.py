"""Building a first-sync snapshot file (siege/snapshot.py says what it holds; docs/sync.md,
"First sync from a snapshot"): the file's tables, then its rows by one of two ways, both
reading the siège in one read transaction and writing the same contents:

- a SQLite siège copies inside SQLite: the file is ATTACHed to a connection on the
  siège's database and each table filled by one ``INSERT … SELECT``
  (siege/snapshot_sqlite.py), no value through Python (a one-antenne scope's ids read
  from TEMP tables); an encrypted one is that plain file exported by SQLCipher under
  its key;
- a PostgreSQL siège streams the rows from raw cursors into ``executemany`` in batches
  (siege/snapshot_stream.py).

The file is written without journal or syncs (a scratch file until renamed into place
when whole; a failed build removes it).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.pool import NullPool

from app.models.base import synced_tables
from siege import scope as read_scope
from siege import snapshot_sqlite, snapshot_stream
from siege.snapshot_query import (
    CLOCK_TABLE,
    CONFLICT_COLUMNS,
    CONFLICT_TABLE,
    FORMAT,
    LAPTOP_DIALECT,
    META_TABLE,
    columns_of,
)

# How long a connection of the build waits for the siège's SQLite lock (as siege/db.py).
SQLITE_TIMEOUT = 30
PAGE_SIZE = 16384
_PRIVATE: dict[Path, Engine] = {}
_PRIVATE_LOCK = threading.Lock()


def build(
    engine: Engine, scope: read_scope.Scope, cursor: int, target: Path, key: str = ""
) -> None:
    """Write the snapshot of ``scope`` at ``cursor`` to ``target`` (renamed into place
    when whole); ``key``: a SQLCipher file under that raw key."""
    partial = target.with_name(f".{uuid.uuid4().hex}.part")
    database = sqlite_file(engine)
    try:
        if database is not None and key:
            _in_sqlite_encrypted(engine, database, scope, cursor, partial, key)
        elif database is not None:
            _in_sqlite(engine, database, scope, cursor, partial)
        else:
            _streamed(engine, scope, cursor, partial, key)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.chmod(partial, 0o600)
    os.replace(partial, target)


def sqlite_file(engine: Engine) -> Path | None:
    """The siège's database file when it is SQLite on disk (None otherwise)."""
    name = engine.url.database
    if engine.dialect.name != "sqlite" or not name or name == ":memory:":
        return None
    if engine.url.query.get("mode") == "memory" or name.startswith("file:"):
        return None
    path = Path(name)
    return path if path.is_file() else None


def _in_sqlite(
    engine: Engine, database: Path, scope: read_scope.Scope, cursor: int, partial: Path
) -> None:
    with _reader(engine, database, partial) as conn:
        raw: Any = conn.connection.dbapi_connection
        _create_tables(raw, "out.")
        newest = snapshot_sqlite.copy(conn, scope, cursor)
        _write_meta(raw, "out.", cursor, newest)
        raw.execute("COMMIT")


def _in_sqlite_encrypted(
    engine: Engine,
    database: Path,
    scope: read_scope.Scope,
    cursor: int,
    partial: Path,
    key: str,
) -> None:
    """The plain file built inside SQLite, then exported by SQLCipher under ``key``: a
    quarter of the work of streaming every value through Python into SQLCipher. SQLCipher
    never opens the siège's database (two SQLite libraries in one process do not see
    each other's locks on one file), only this plain copy, once closed, in the siège's
    private cache folder beside the plain files it serves; it is deleted at once."""
    plain = partial.with_name(partial.name + ".plain")
    try:
        _in_sqlite(engine, database, scope, cursor, plain)
        out = sqlcipher3.connect(str(plain), isolation_level=None)
        try:
            out.execute(f"ATTACH DATABASE ? AS out KEY \"x'{key}'\"", (str(partial),))
            _scratch(out, "out.", encrypted=True)
            out.execute("SELECT sqlcipher_export('out')")
        finally:
            out.close()
    finally:
        plain.unlink(missing_ok=True)


def _streamed(
    engine: Engine, scope: read_scope.Scope, cursor: int, partial: Path, key: str
) -> None:
    if key:
        out: sqlite3.Connection = sqlcipher3.connect(str(partial), isolation_level=None)
        # The first statement: every page written after is encrypted under the raw key.
        out.execute(f"PRAGMA key = \"x'{key}'\"")
    else:
        out = sqlite3.connect(partial, isolation_level=None)
    try:
        _scratch(out, "", encrypted=bool(key))
        out.execute("BEGIN")
        _create_tables(out, "")
        with _reader(engine, None) as conn:
            newest = snapshot_stream.copy(conn, out, scope, cursor)
        _write_meta(out, "", cursor, newest)
        out.execute("COMMIT")
    finally:
        out.close()


def _private(database: Path) -> Engine:
    """The engine of the builds' own connections to the siège's file (NullPool: each
    build opens one and closes it), kept for the process: SQLAlchemy's compiled
    statements are kept per engine's dialect (siege/snapshot_sqlite.py)."""
    with _PRIVATE_LOCK:
        found = _PRIVATE.get(database)
        if found is None:
            found = _PRIVATE[database] = create_engine(
                "sqlite://",
                creator=lambda: sqlite3.connect(
                    database, isolation_level=None, timeout=SQLITE_TIMEOUT, check_same_thread=False
                ),
                poolclass=NullPool,
            )
        return found


@contextmanager
def _reader(engine: Engine, database: Path | None, out: Path | None = None) -> Iterator[Connection]:
    """A connection reading the siège in one transaction. On a SQLite file, a private one
    with a deferred BEGIN (the siège's own begin IMMEDIATE and would hold its writers for
    the whole build; WAL: they go on), the file ``out`` ATTACHed to it (before the
    transaction: SQLite refuses it inside one); on PostgreSQL, REPEATABLE READ, read only
    (one snapshot for every table, clock and link, not one per statement)."""
    if database is not None:
        with _private(database).connect() as conn:
            if out is not None:
                raw: Any = conn.connection.dbapi_connection
                raw.execute("ATTACH DATABASE ? AS out", (str(out),))
                _scratch(raw, "out.")
            conn.exec_driver_sql("BEGIN")
            yield conn
        return
    options: dict[str, Any] = {}
    if engine.dialect.name == "postgresql":
        options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    with engine.connect() as conn:
        yield conn.execution_options(**options)


def _scratch(out: sqlite3.Connection, schema: str, encrypted: bool = False) -> None:
    if not encrypted:
        # Rows of a few kilobytes (an invoice's party snapshots) leave half of each 4 KiB
        # page empty: larger pages make the decade's staff file a third smaller, built
        # faster, downloaded and checked faster. SQLite reads the size from the file's
        # header; a SQLCipher file keeps its default (the laptop opens it with its key only).
        out.execute(f"PRAGMA {schema}page_size = {PAGE_SIZE}")
    # A scratch file until renamed: no journal, no syncs (a failed build removes it).
    out.execute(f"PRAGMA {schema}journal_mode = OFF")
    out.execute(f"PRAGMA {schema}synchronous = OFF")


def _create_tables(out: sqlite3.Connection, schema: str) -> None:
    out.execute(f"CREATE TABLE {schema}{META_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    out.execute(
        f"CREATE TABLE {schema}{CLOCK_TABLE} (table_name TEXT, row_id TEXT, field TEXT, hlc TEXT)"
    )
    out.execute(f"CREATE TABLE {schema}{CONFLICT_TABLE} ({', '.join(CONFLICT_COLUMNS)})")
    for table in synced_tables():
        defs = [
            f'"{c.name}" {c.type.compile(dialect=LAPTOP_DIALECT)}'
            + (" PRIMARY KEY" if c.name == "id" else "")
            for c in columns_of(table)
        ]
        out.execute(f'CREATE TABLE {schema}"{table}" ({", ".join(defs)})')


def _write_meta(out: sqlite3.Connection, schema: str, cursor: int, newest: str) -> None:
    out.executemany(
        f"INSERT INTO {schema}{META_TABLE} VALUES (?, ?)",
        [("format", str(FORMAT)), ("cursor", str(cursor)), ("newest_stamp", newest)],
    )
