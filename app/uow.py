"""Unit of work: one session per user action, rolled back unless committed.

Shape from Cosmic Python (chapter 6), written for SQLAlchemy 2. Services take a
``UnitOfWork`` and return plain frozen values, never live ORM objects.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker


class UnitOfWork:
    """``with uow: ...; uow.commit()`` — leaving the block without commit rolls back."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        actor: str | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None
        self.actor = actor

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

    def __init__(self, session_factory: sessionmaker[Session], actor: str | None = None) -> None:
        self.session_factory = session_factory
        self.actor = actor

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, actor=self.actor)
