"""Reads run beside the writer (issue 14, item 6): a read-only unit of work begins a
deferred transaction that, in WAL, reads its snapshot while another thread holds the
write lock; units of work that write still take the lock at BEGIN (app/db.py).

Two real connections on two real threads, plain and SQLCipher profiles. No timing is
asserted: a read that took the write lock would wait the busy timeout and then fail
with "database is locked", which fails the test.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.db import make_engine, make_session_factory
from app.uow import ReadOnlyUnitOfWorkError, UnitOfWorkFactory

# The engine and units of work of app/db.py and app/uow.py on a one-table database, so
# the test does not depend on the schema of the day.


class _Base(DeclarativeBase):
    pass


class Note(_Base):
    __tablename__ = "note"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str]


class _Database:
    def __init__(self, path: Path, passphrase: str | None) -> None:
        self.path = path
        self.engine: Engine = make_engine(path, passphrase)
        _Base.metadata.create_all(self.engine)
        self.uow = UnitOfWorkFactory(make_session_factory(self.engine), actor="Test")

    def count(self) -> int:
        with self.uow.reading()() as uow:
            return uow.session.scalar(select(func.count()).select_from(Note)) or 0


@pytest.fixture(params=["plain", "sqlcipher"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[_Database]:
    passphrase = "Vouziers 2026!" if request.param == "sqlcipher" else None
    db = _Database(tmp_path / "permanence.db", passphrase)
    try:
        yield db
    finally:
        db.engine.dispose()


class _HeldWriter(threading.Thread):
    """Writes a person and keeps its transaction open until told to commit."""

    def __init__(self, db: _Database) -> None:
        super().__init__(daemon=True)
        self.db = db
        self.holding = threading.Event()
        self.release = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with self.db.uow() as uow:
                uow.session.add(Note(text="écrit pendant la lecture"))
                uow.session.flush()  # BEGIN IMMEDIATE + INSERT: the write lock is held
                self.holding.set()
                self.release.wait(30)
                uow.commit()
        except BaseException as exc:  # reported to the test thread
            self.error = exc
            self.holding.set()


def test_a_read_completes_while_another_thread_holds_the_write_lock(database: _Database) -> None:
    before = database.count()
    writer = _HeldWriter(database)
    writer.start()
    assert writer.holding.wait(30)
    assert writer.error is None
    try:
        # The reader sees the last committed snapshot, not the writer's open transaction.
        assert database.count() == before
    finally:
        writer.release.set()
        writer.join(30)
    assert writer.error is None
    assert database.count() == before + 1


def test_a_unit_of_work_that_writes_still_takes_the_write_lock_at_begin(tmp_path: Path) -> None:
    db = _Database(tmp_path / "permanence.db", None)
    try:
        with db.uow() as uow:
            # Nothing written yet: BEGIN IMMEDIATE alone already holds the lock.
            uow.session.scalar(select(func.count()).select_from(Note))
            other = sqlite3.connect(db.path, timeout=0, isolation_level=None)
            try:
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")
                # ...while a plain reader on another connection is not held back.
                other.execute("BEGIN")
                assert other.execute("SELECT count(*) FROM note").fetchone() == (0,)
                other.execute("ROLLBACK")
            finally:
                other.close()
    finally:
        db.engine.dispose()


def test_a_read_only_unit_of_work_refuses_to_write(database: _Database) -> None:
    with database.uow.reading()() as uow:
        uow.session.add(Note(text="jamais écrit"))
        with pytest.raises(ReadOnlyUnitOfWorkError):
            uow.session.flush()
    assert database.count() == 0
    assert database.uow.reading() is database.uow.reading()
    assert database.uow.reading().reading() is database.uow.reading()
