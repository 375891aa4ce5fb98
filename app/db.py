"""SQLite engine for one profile: WAL, foreign keys, busy timeout, optional SQLCipher.

Two kinds of transaction (issue 14, item 6): a unit of work that writes begins with
``BEGIN IMMEDIATE`` (it takes the write lock at once, so two writers queue on the busy
timeout instead of failing half-way); a read-only unit of work (:data:`READ_ONLY_OPTION`
on its connection, see :mod:`app.uow`) begins a plain deferred transaction, which in WAL
reads its own snapshot beside a writer (a sync page being applied) without waiting.

Nothing here runs at import time: :func:`make_engine` is called by
:mod:`app.profile`, the one place that wires a profile up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 5000
# Execution option marking a read-only unit of work's connection (app/uow.py).
READ_ONLY_OPTION = "permanence_read_only"


def sqlite_url(path: Path, passphrase: str | None = None) -> URL:
    if passphrase:
        # SQLAlchemy's pysqlcipher dialect loads the ``sqlcipher3`` driver and
        # issues ``PRAGMA key`` on every new connection.
        return URL.create("sqlite+pysqlcipher", password=passphrase, database=str(path))
    return URL.create("sqlite+pysqlite", database=str(path))


def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        # FULL, not NORMAL: in WAL mode NORMAL may lose the last commits on a
        # power cut, and a committed invoice number must never vanish.
        cursor.execute("PRAGMA synchronous = FULL")
    finally:
        cursor.close()


# Page size of a new plain profile (bytes; SQLite's default is 4096). An invoice row
# carries its seller and buyer records (~2 KB): with 4 KiB pages one row fills a page
# alone and half of the invoice table is empty space. 16 KiB pages make the decade's
# database 405 -> 317 MB and a first sync's copy a fifth cheaper (docs/benchmarks.md,
# bench_sync). Only a new file takes it; an encrypted profile keeps SQLCipher's default,
# which every open would otherwise have to name.
PAGE_SIZE = 16384


def _new_file_page_size(dbapi_connection: Any, _record: Any) -> None:
    # Before journal_mode = WAL, which writes the file's first page.
    dbapi_connection.execute(f"PRAGMA page_size = {PAGE_SIZE}")


def make_engine(path: Path, passphrase: str | None = None, *, echo: bool = False) -> Engine:
    engine = create_engine(
        sqlite_url(path, passphrase),
        echo=echo,
        # Python's sqlite3 opens its own transactions lazily; let SQLAlchemy
        # emit BEGIN itself so that a write lock is taken when we ask for it.
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
    )
    if not passphrase:
        event.listen(engine, "connect", _new_file_page_size)
    event.listen(engine, "connect", _set_pragmas)
    event.listen(engine, "connect", _disable_pysqlite_transactions)
    event.listen(engine, "begin", _begin_immediate)
    return engine


def _disable_pysqlite_transactions(dbapi_connection: Any, _record: Any) -> None:
    # Recipe from SQLAlchemy's SQLite docs ("Serializable isolation /
    # Savepoints / Transactional DDL"): let SQLAlchemy own BEGIN.
    dbapi_connection.isolation_level = None


def _begin_immediate(conn: Any) -> None:
    if conn.get_execution_options().get(READ_ONLY_OPTION):
        # Deferred: in WAL a reader takes no lock a writer waits on, and waits on none.
        # It must never write (SQLite would try to upgrade it and fail at once with
        # "database is locked" if a writer is active): app/uow.py refuses any flush.
        conn.exec_driver_sql("BEGIN")
        return
    # IMMEDIATE takes the write lock at BEGIN: two writers wait on the busy
    # timeout instead of failing half-way with "database is locked".
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def read_only_engine(engine: Engine) -> Engine:
    """The same engine and pool, its connections marked read-only (deferred BEGIN)."""
    return engine.execution_options(**{READ_ONLY_OPTION: True})


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
