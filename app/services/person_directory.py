"""The person list: search-as-you-type and lazy pages (no full-table load)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.clock import today
from app.models import Antenne, IntakeInterview, ParcoursStage, Person
from app.services.parcours_rules import StageInfo, derive_status
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
    # Derived from the parcours stages (app.services.parcours_rules), never stored.
    status: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}"


def _filtered(query: Select, text: str, antenne_id: str | None) -> Select:  # type: ignore[type-arg]
    query = query.where(Person.deleted_at.is_(None), Person.merged_into_id.is_(None))
    if antenne_id:
        query = query.where(Person.antenne_id == antenne_id)
    for token in fold(text).split():
        # Every typed word must appear somewhere: "helene reims" finds Hélène of Reims.
        escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Person.search_key.like(f"%{escaped}%", escape="\\"))
    return query


def count_persons(
    uow_factory: UnitOfWorkFactory, text: str = "", antenne_id: str | None = None
) -> int:
    with uow_factory() as uow:
        query = _filtered(select(func.count(Person.id)), text, antenne_id)
        return int(uow.session.scalar(query) or 0)


def _with_statuses(session: Session, rows: Sequence[Any]) -> list[PersonRow]:
    """Rows of one page with their derived status: two queries for the whole page."""
    ids = [r[0] for r in rows]
    stages: dict[str, list[StageInfo]] = defaultdict(list)
    decisions: dict[str, str] = {}
    if ids:
        # Plain columns, not ORM entities: building 600 objects per keystroke cost more
        # than the search itself.
        for row in session.execute(
            select(
                ParcoursStage.id,
                ParcoursStage.person_id,
                ParcoursStage.kind,
                ParcoursStage.start_date,
                ParcoursStage.end_date,
                ParcoursStage.outcome,
                ParcoursStage.exit_reason_code,
            ).where(ParcoursStage.person_id.in_(ids), ParcoursStage.deleted_at.is_(None))
        ):
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
        latest = (
            select(IntakeInterview.person_id, IntakeInterview.decision)
            .where(
                IntakeInterview.person_id.in_(ids),
                IntakeInterview.deleted_at.is_(None),
                IntakeInterview.is_draft.is_(False),
            )
            .order_by(IntakeInterview.held_on, IntakeInterview.created_at)
        )
        for person_id, decision in session.execute(latest):
            decisions[person_id] = decision  # ordered: the latest intake wins
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

    Two statements rather than one with ``count(*) OVER ()``: the window forces SQLite to
    materialise and sort every match, while a plain count plus a page read in
    ``search_key`` index order stops after ``limit`` rows (3× faster on "a")."""
    with uow_factory() as uow:
        total = int(
            uow.session.scalar(_filtered(select(func.count(Person.id)), text, antenne_id)) or 0
        )
        if total == 0:
            return PersonPage([], 0)
        query = _filtered(
            select(*_row_columns()).outerjoin(  # type: ignore[call-overload]
                Antenne, Antenne.id == Person.antenne_id
            ),
            text,
            antenne_id,
        )
        rows = list(uow.session.execute(query.order_by(Person.search_key, Person.id).limit(limit)))
        return PersonPage(_with_statuses(uow.session, rows), total)


def search_persons(
    uow_factory: UnitOfWorkFactory,
    text: str = "",
    *,
    antenne_id: str | None = None,
    offset: int = 0,
    limit: int = 200,
) -> list[PersonRow]:
    with uow_factory() as uow:
        query = _filtered(
            select(*_row_columns()).outerjoin(  # type: ignore[call-overload]
                Antenne, Antenne.id == Person.antenne_id
            ),
            text,
            antenne_id,
        )
        # search_key starts with the folded last and first names: accent-blind French order
        # ("Bénard" before "Brunet"), which SQLite's binary collation alone gets wrong.
        query = query.order_by(Person.search_key, Person.id)
        rows = list(uow.session.execute(query.offset(offset).limit(limit)))
        return _with_statuses(uow.session, rows)
