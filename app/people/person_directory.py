"""The person list: search-as-you-type and lazy pages (no full-table load)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, Select, TextClause, bindparam, select, text

from app.clock import today
from app.models import Antenne, IntakeInterview, ParcoursStage, Person
from app.people.parcours_rules import StageInfo, derive_status
from app.text import fold
from app.uow import UnitOfWorkFactory


@dataclass(frozen=True)
class PersonRow:
    id: str
    last_name: str
    first_name: str
    city: str
    email: str
    phone: str
    antenne: str
    last_contact_on: dt.date | None
    # Derived from the parcours stages (app.people.parcours_rules), never stored.
    status: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}"


def _tokens(text: str) -> list[str]:
    """The typed words as LIKE patterns: every word must appear somewhere in the search
    key ("helene reims" finds Hélène of Reims)."""
    out = []
    for token in fold(text).split():
        escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        out.append(f"%{escaped}%")
    return out


def _filtered(query: Select, words: int, by_antenne: bool) -> Select:  # type: ignore[type-arg]
    """``query`` restricted to live persons matching ``words`` bound patterns (``w0``,
    ``w1``…) and, if ``by_antenne``, the bound ``antenne_id``."""
    query = query.where(Person.deleted_at.is_(None), Person.merged_into_id.is_(None))
    if by_antenne:
        query = query.where(Person.antenne_id == bindparam("antenne_id"))
    for index in range(words):
        query = query.where(Person.search_key.like(bindparam(f"w{index}"), escape="\\"))
    return query


def _params(text: str, antenne_id: str | None, **extra: object) -> tuple[int, dict[str, Any]]:
    patterns = _tokens(text)
    params: dict[str, Any] = {f"w{i}": pattern for i, pattern in enumerate(patterns)}
    if antenne_id:
        params["antenne_id"] = antenne_id
    return len(patterns), {**params, **extra}


def _count_statement(words: int, by_antenne: bool) -> TextClause:
    """The number of matches, written out because it needs ``INDEXED BY``, which
    SQLAlchemy cannot render for SQLite: the planner scans the wide person rows, while the
    search_key index tests LIKE on the narrow key and reads a row only for a match (twice
    as fast on decade). Only fixed fragments go into the text; every value is bound."""
    conditions = ["deleted_at IS NULL", "merged_into_id IS NULL"]
    if by_antenne:
        conditions.append("antenne_id = :antenne_id")
    conditions += [f"search_key LIKE :w{index} ESCAPE '\\'" for index in range(words)]
    return text(
        "SELECT count(*) FROM person INDEXED BY ix_person_search_key WHERE "
        + " AND ".join(conditions)
    )


@dataclass(frozen=True)
class _Statements:
    count: TextClause
    page: Select  # type: ignore[type-arg]
    stages: Select  # type: ignore[type-arg]
    decisions: Select  # type: ignore[type-arg]


@cache
def _statements(words: int, by_antenne: bool) -> _Statements:
    """The search's statements for a number of typed words, built once and reused with
    bound parameters: per keystroke, building the expressions anew cost more than
    SQLite running them. The stages and intake decisions of the page's persons select
    the page again as a subquery (SQLite stops after ``limit`` rows in index order)
    rather than binding a list of ids."""
    page = _filtered(
        select(*_row_columns()).outerjoin(Antenne, Antenne.id == Person.antenne_id),  # type: ignore[call-overload]
        words,
        by_antenne,
    )
    # search_key starts with the folded last and first names: accent-blind French order
    # ("Bénard" before "Brunet"), which SQLite's binary collation alone gets wrong.
    page = (
        page.order_by(Person.search_key, Person.id)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )
    page_ids = (
        _filtered(select(Person.id), words, by_antenne)
        .order_by(Person.search_key, Person.id)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
        .scalar_subquery()
    )
    # Plain columns, not ORM entities: building 600 objects per keystroke cost more
    # than the search itself.
    stages = select(
        ParcoursStage.id,
        ParcoursStage.person_id,
        ParcoursStage.kind,
        ParcoursStage.start_date,
        ParcoursStage.end_date,
        ParcoursStage.outcome,
        ParcoursStage.exit_reason_code,
    ).where(ParcoursStage.person_id.in_(page_ids), ParcoursStage.deleted_at.is_(None))
    decisions = (
        select(IntakeInterview.person_id, IntakeInterview.decision)
        .where(
            IntakeInterview.person_id.in_(page_ids),
            IntakeInterview.deleted_at.is_(None),
            IntakeInterview.is_draft.is_(False),
        )
        .order_by(IntakeInterview.held_on, IntakeInterview.created_at)
    )
    return _Statements(
        count=_count_statement(words, by_antenne),
        page=page,
        stages=stages,
        decisions=decisions,
    )


def count_persons(
    uow_factory: UnitOfWorkFactory, text: str = "", antenne_id: str | None = None
) -> int:
    words, params = _params(text, antenne_id)
    with uow_factory() as uow:
        conn = uow.session.connection()
        return int(conn.execute(_statements(words, bool(antenne_id)).count, params).scalar() or 0)


def _page(conn: Connection, statements: _Statements, params: dict[str, Any]) -> list[PersonRow]:
    """One page of persons with their derived status: three statements for the page."""
    rows = conn.execute(statements.page, params).all()
    if not rows:
        return []
    stages: dict[str, list[StageInfo]] = defaultdict(list)
    for row in conn.execute(statements.stages, params):
        stages[row.person_id].append(
            StageInfo(
                id=row.id,
                person_id=row.person_id,
                kind=row.kind,
                start_date=row.start_date,
                end_date=row.end_date,
                outcome=row.outcome,
                exit_reason_code=row.exit_reason_code,
            )
        )
    # Ordered by date: the latest intake wins.
    decisions: dict[str, str] = {
        person_id: decision for person_id, decision in conn.execute(statements.decisions, params)
    }
    day = today()
    return [
        PersonRow(
            id=r[0],
            last_name=r[1],
            first_name=r[2],
            city=r[3],
            email=r[4],
            phone=r[5],
            antenne=r[6] or "",
            last_contact_on=r[7],
            status=derive_status(stages.get(r[0], []), day, decisions.get(r[0], "")).code,
        )
        for r in rows
    ]


@dataclass(frozen=True)
class PersonPage:
    rows: list[PersonRow]
    total: int


def _row_columns() -> tuple[object, ...]:
    return (
        Person.id,
        Person.last_name,
        Person.first_name,
        Person.city,
        Person.email,
        Person.phone,
        Antenne.name,
        Person.last_contact_on,
    )


def search_page(
    uow_factory: UnitOfWorkFactory,
    text: str = "",
    *,
    antenne_id: str | None = None,
    limit: int = 200,
) -> PersonPage:
    """First page of a search and the number of matches, in one unit of work.

    The page is read in ``search_key`` index order and stops after ``limit`` rows; a
    separate count (not ``count(*) OVER ()``, which makes SQLite materialise and sort
    every match) runs only when the page is full: after a few letters a search has
    fewer matches than a page, and the page's length is the count."""
    words, params = _params(text, antenne_id, offset=0, limit=limit)
    statements = _statements(words, bool(antenne_id))
    with uow_factory() as uow:
        conn = uow.session.connection()
        rows = _page(conn, statements, params)
        if len(rows) < limit:
            return PersonPage(rows, len(rows))
        return PersonPage(rows, int(conn.execute(statements.count, params).scalar() or 0))


def search_persons(
    uow_factory: UnitOfWorkFactory,
    text: str = "",
    *,
    antenne_id: str | None = None,
    offset: int = 0,
    limit: int = 200,
) -> list[PersonRow]:
    words, params = _params(text, antenne_id, offset=offset, limit=limit)
    with uow_factory() as uow:
        return _page(uow.session.connection(), _statements(words, bool(antenne_id)), params)
