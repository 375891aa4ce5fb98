"""The antenne and referent a person belonged to on a given day (``person_attachment``,
app/people/attachment.py): every per-antenne figure about persons reads it at the date of
the fact it counts, or at the period's end for a stock figure (docs/indicators.md,
"Antenne filter"), so moving a person never changes a past period.

Rule, for a person and a day: the person's latest live attachment valid from that day
or earlier (same day: the one written last); before their first attachment, the first
one; a person with no attachment recorded at all (rows written around the services),
the person's record as it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import aliased

from app.indicators.period import NO_ANTENNE, Filters
from app.indicators.sql import Query
from app.models import Person, PersonAttachment


def attachment_id_at(person_id: Any, day: Any) -> ColumnElement[Any]:
    """Id of the person's attachment valid on ``day`` (NULL: none recorded): two index
    seeks on ``ix_person_attachment_history``, the second only before the first
    attachment. Correlated to the outer row however deep it is nested."""
    a = aliased(PersonAttachment, name="att_seek")
    live = (a.person_id == person_id, a.deleted_at.is_(None))
    latest = (
        select(a.id)
        .where(*live, a.valid_from <= day)
        .order_by(a.valid_from.desc(), a.id.desc())
        .limit(1)
        .correlate_except(a)
        .scalar_subquery()
    )
    first = (
        select(a.id)
        .where(*live)
        .order_by(a.valid_from, a.id)
        .limit(1)
        .correlate_except(a)
        .scalar_subquery()
    )
    return func.coalesce(latest, first)


def _record(person_id: Any, column: str) -> ColumnElement[Any]:
    """The person's record (for a person with no attachment recorded)."""
    record = aliased(Person, name="att_record")
    return (
        select(getattr(record, column))
        .where(record.id == person_id)
        .correlate_except(record)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class Attached:
    """A query joined to the attachment of a person on a day, and its two columns."""

    query: Query
    antenne: ColumnElement[Any]
    referent: ColumnElement[Any]


def attach(query: Query, person_id: Any, day: Any, name: str = "att") -> Attached:
    """Join ``query`` to the attachment of ``person_id`` valid on ``day`` (an index seek
    per row: cheaper than materializing every person's spans when a figure lists a few
    thousand persons, and exact whatever the number of moves)."""
    row = aliased(PersonAttachment, name=name)
    joined = query.outerjoin(row, row.id == attachment_id_at(person_id, day))
    missing = row.id.is_(None)
    return Attached(
        joined,
        case((missing, _record(person_id, "antenne_id")), else_=row.antenne_id),
        case((missing, _record(person_id, "referent_id")), else_=row.referent_id),
    )


def antenne_condition(column: Any, filters: Filters) -> ColumnElement[bool]:
    if filters.antenne_id == NO_ANTENNE:
        return column.is_(None)  # type: ignore[no-any-return]
    return column == filters.antenne_id  # type: ignore[no-any-return]


def antenne_filter_on(query: Query, filters: Filters, person_id: Any, day: Any) -> Query:
    """Restrict ``query`` to the rows whose person was attached, on ``day``, to the chosen
    antenne (or to none, :data:`NO_ANTENNE`); unchanged without an antenne filter."""
    if not filters.antenne_id:
        return query
    attached = attach(query, person_id, day)
    return attached.query.where(antenne_condition(attached.antenne, filters))
