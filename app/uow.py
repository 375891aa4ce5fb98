"""Unit of work: one session per user action, rolled back unless committed.

Shape from Cosmic Python (chapter 6), written for SQLAlchemy 2. Services take a
``UnitOfWork`` and return plain frozen values, never live ORM objects.

A unit of work writes by default: its transaction begins ``BEGIN IMMEDIATE`` (app/db.py).
A caller that only reads asks :meth:`UnitOfWorkFactory.reading` for a factory of read-only
units of work: a deferred transaction that, in WAL, reads beside a writer instead of
waiting for it (issue 14, item 6: the window no longer waits behind a sync page being
applied). Read services keep their ``UnitOfWorkFactory`` parameter; the caller chooses.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from app.db import read_only_engine


class ReadOnlyUnitOfWorkError(RuntimeError):
    """A read-only unit of work was asked to write: a programming error, never a user's."""


def _refuse_writes(session: Session, _context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        raise ReadOnlyUnitOfWorkError("a read-only unit of work cannot write")


def _read_only_factory(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    bind = session_factory.kw.get("bind")
    if bind is None:
        raise RuntimeError("the session factory has no engine to read from")
    factory = sessionmaker(
        bind=read_only_engine(bind),
        expire_on_commit=session_factory.kw.get("expire_on_commit", False),
        autoflush=session_factory.kw.get("autoflush", True),
    )
    event.listen(factory, "before_flush", _refuse_writes)
    return factory


class UnitOfWork:
    """``with uow: ...; uow.commit()`` — leaving the block without commit rolls back."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        actor: str | None = None,
        read_only: bool = False,
    ) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None
        self.actor = actor
        self.read_only = read_only

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside of its 'with' block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self._session_factory()
        self._session.info["actor"] = self.actor
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        try:
            self._session.rollback()
        finally:
            self._session.close()
            self._session = None

    def commit(self) -> None:
        # The sync capture (app/sync/capture.py) records the outbox from the session's
        # flush events, so it is written in this same transaction.
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()


class UnitOfWorkFactory:
    """Makes units of work for one profile; the wiring point hands this to services."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        actor: str | None = None,
        *,
        read_only: bool = False,
    ) -> None:
        self.session_factory = session_factory
        self.actor = actor
        self.read_only = read_only
        self._reader: UnitOfWorkFactory | None = None

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, actor=self.actor, read_only=self.read_only)

    def reading(self) -> UnitOfWorkFactory:
        """A factory of read-only units of work on the same database (made once, kept)."""
        if self.read_only:
            return self
        if self._reader is None:
            self._reader = UnitOfWorkFactory(
                _read_only_factory(self.session_factory), self.actor, read_only=True
            )
        return self._reader
