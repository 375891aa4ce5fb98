"""The person list: search-as-you-type and lazy pages (no full-table load).

The statements are plain SQL (:mod:`app.people.person_list`, which the launch also runs
before the profile is open); here they run on a unit of work's connection, so a caller
that only reads passes ``uow.reading()`` and never waits behind a writer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection

from app.people.person_list import (
    Execute,
    PersonPage,
    PersonRow,
    read_count,
    read_first_page,
    read_page,
)
from app.uow import UnitOfWorkFactory

__all__ = ["PersonPage", "PersonRow", "count_persons", "search_page", "search_persons"]


def _execute(conn: Connection) -> Execute:
    def run(sql: str, params: dict[str, Any]) -> Iterable[Sequence[Any]]:
        return conn.exec_driver_sql(sql, params).all()

    return run


def count_persons(
    uow_factory: UnitOfWorkFactory, text: str = "", antenne_id: str | None = None
) -> int:
    with uow_factory() as uow:
        return read_count(_execute(uow.session.connection()), text, antenne_id)


def search_page(
    uow_factory: UnitOfWorkFactory,
    text: str = "",
    *,
    antenne_id: str | None = None,
    limit: int = 200,
) -> PersonPage:
    """First page of a search and the number of matches, in one unit of work."""
    with uow_factory() as uow:
        return read_first_page(
            _execute(uow.session.connection()), text, antenne_id=antenne_id, limit=limit
        )


def search_persons(
    uow_factory: UnitOfWorkFactory,
    text: str = "",
    *,
    antenne_id: str | None = None,
    offset: int = 0,
    limit: int = 200,
) -> list[PersonRow]:
    with uow_factory() as uow:
        return read_page(
            _execute(uow.session.connection()),
            text,
            antenne_id=antenne_id,
            offset=offset,
            limit=limit,
        )
