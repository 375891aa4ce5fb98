"""Two laptops met the same person at two permanences and each created a record: offer
to merge them. The merge is an ordinary edit, so it syncs like any other change:
references are re-pointed to the kept record, empty fields of the kept record take
the other's values, and the merged record is tombstoned with ``merged_into_id``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import UniqueConstraint, select

from app.clock import utcnow
from app.errors import ConflictError, NotFoundError
from app.models import Person
from app.models.base import Base
from app.people.attachment import record_attachment
from app.text import fold
from app.uow import UnitOfWorkFactory

# Fields copied onto the kept record when it has none (never overwrites a value).
FILLABLE = (
    "civility",
    "birth_date",
    "email",
    "phone",
    "address",
    "postcode",
    "city",
    "antenne_id",
    "referent_id",
    "situation_code",
    "prescriber_code",
    "sector_code",
    "activity_name",
)


@dataclass(frozen=True)
class PersonSummary:
    id: str
    first_name: str
    last_name: str
    birth_date: dt.date | None
    city: str
    email: str
    created_at: dt.datetime


@dataclass(frozen=True)
class DuplicatePair:
    keep: PersonSummary
    other: PersonSummary


def _summary(p: Person) -> PersonSummary:
    return PersonSummary(
        p.id, p.first_name, p.last_name, p.birth_date, p.city, p.email, p.created_at
    )


def duplicate_candidates(uow_factory: UnitOfWorkFactory) -> list[DuplicatePair]:
    """Live persons with the same folded first and last names and no contradicting birth
    date; the older record is proposed as the one to keep."""
    with uow_factory() as uow:
        persons = uow.session.scalars(
            select(Person).where(Person.deleted_at.is_(None)).order_by(Person.created_at, Person.id)
        ).all()
        groups: dict[tuple[str, str], list[Person]] = defaultdict(list)
        for p in persons:
            groups[(fold(p.last_name), fold(p.first_name))].append(p)
        pairs = []
        for group in groups.values():
            keep = group[0]
            for other in group[1:]:
                if keep.birth_date and other.birth_date and keep.birth_date != other.birth_date:
                    continue
                pairs.append(DuplicatePair(_summary(keep), _summary(other)))
        return pairs


@cache
def _references() -> list[tuple[str, str, tuple[str, ...]]]:
    """(table, column, the table's unique column groups) for each link to person.id."""
    out = []
    for table in Base.metadata.sorted_tables:
        uniques = tuple(
            ",".join(c.name for c in constraint.columns)
            for constraint in table.constraints
            if isinstance(constraint, UniqueConstraint)
        )
        for column in table.columns:
            if any(fk.column.table.name == "person" for fk in column.foreign_keys):
                out.append((table.name, column.name, uniques))
    return out


def _mapped_class(table_name: str) -> Any:
    for mapper in Base.registry.mappers:
        if getattr(mapper.local_table, "name", None) == table_name:
            return mapper.class_
    raise LookupError(table_name)


def merge_persons(uow_factory: UnitOfWorkFactory, keep_id: str, merged_id: str) -> None:
    if keep_id == merged_id:
        raise ConflictError("merge_same_person")
    with uow_factory() as uow:
        keep = uow.session.get(Person, keep_id)
        merged = uow.session.get(Person, merged_id)
        if keep is None or merged is None or keep.deleted_at or merged.deleted_at:
            raise NotFoundError("person_not_found")
        for name in FILLABLE:
            if not getattr(keep, name) and getattr(merged, name):
                setattr(keep, name, getattr(merged, name))
        if merged.notes and merged.notes not in keep.notes:
            keep.notes = f"{keep.notes}\n\n{merged.notes}".strip()
        for table_name, column, uniques in _references():
            if table_name == "person_attachment":
                continue  # the kept record keeps its own history (app/people/attachment.py)
            if table_name == "attendance_signature":
                continue  # signed evidence never changes: it names who signed (docs/signing.md)
            _repoint(uow.session, table_name, column, uniques, keep_id, merged_id)
        # An antenne or referent taken from the merged record is dated today.
        record_attachment(uow.session, keep)
        merged.merged_into_id = keep_id
        merged.deleted_at = utcnow()
        uow.commit()


def _repoint(
    session: Any,
    table_name: str,
    column: str,
    uniques: tuple[str, ...],
    keep_id: str,
    merged_id: str,
) -> None:
    model = _mapped_class(table_name)
    attr = getattr(model, column)
    keys = [u.split(",") for u in uniques if column in u.split(",")]
    for row in session.scalars(select(model).where(attr == merged_id)).all():
        clash = False
        for key in keys:
            others = {c: getattr(row, c) for c in key if c != column}
            query = select(model).where(
                attr == keep_id, *(getattr(model, c) == v for c, v in others.items())
            )
            if session.scalars(query).first() is not None:
                clash = True
        if clash:
            # The kept person already has this (e.g. the same attendance): drop the copy.
            if row.deleted_at is None:
                row.deleted_at = utcnow()
        else:
            setattr(row, column, keep_id)
