"""Unit of work: one session per user action, rolled back unless committed.

Shape from Cosmic Python (chapter 6), written for SQLAlchemy 2. Services take a
``UnitOfWork`` and return plain frozen values, never live ORM objects.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

# Called with the session just before commit; sync registers one to stamp
# the outbox in the same transaction as the edit.
CommitHook = Callable[[Session], None]


class UnitOfWork:
    """``with uow: ...; uow.commit()`` — leaving the block without commit rolls back."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        actor: str | None = None,
        before_commit: list[CommitHook] | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None
        self.actor = actor
        self._before_commit = before_commit if before_commit is not None else []

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
        session = self.session
        session.flush()
        for hook in self._before_commit:
            hook(session)
        session.commit()

    def rollback(self) -> None:
        self.session.rollback()


class UnitOfWorkFactory:
    """Makes units of work for one profile; the wiring point hands this to services."""

    def __init__(self, session_factory: sessionmaker[Session], actor: str | None = None) -> None:
        self.session_factory = session_factory
        self.actor = actor
        self.before_commit: list[CommitHook] = []

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, actor=self.actor, before_commit=self.before_commit)
