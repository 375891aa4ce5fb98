"""The antenne and referent a person belonged to on a given day (``person_attachment``,
app/people/attachment.py): every per-antenne figure about persons reads it at the date of
the fact it counts, or at the period's end for a stock figure (docs/indicators.md,
"Antenne filter"), so moving a person never changes a past period.

Rule, for a person and a day: the person's latest live attachment valid from that day
or earlier (same day: the one written last); before their first attachment, the first
one; a person with no attachment recorded at all (rows written around the services),
the person's record as it is."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Dialect, case, func, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import TableClause, column, table

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


ATTACHMENT_COLUMNS = ("person_id", "antenne_id", "referent_id")


def attachments_on(session: Session, day: dt.date) -> TableClause:
    """(person_id, antenne_id, referent_id) of every person on ``day``, computed once per
    unit of work and day: the stock figures of a period (accompanied, head counts,
    follow-ups, the turnover table, the funder export) all read the period's last day,
    so one pass of seeks serves them all (decade data: ~8 ms for 5,000 persons)."""
    cache: dict[dt.date, TableClause] = session.info.setdefault("indicator_attachments", {})
    found = cache.get(day)
    if found is None:
        name = f"ind_attach_{len(cache)}"
        conn = session.connection()
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
        conn.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {name} AS {_attachments_sql(conn.dialect, day)}"
        )
        conn.exec_driver_sql(f"CREATE INDEX {name}_person_id ON {name} (person_id)")
        found = cache[day] = table(name, *(column(c) for c in ATTACHMENT_COLUMNS))
    return found


@lru_cache(maxsize=64)
def _attachments_sql(dialect: Dialect, day: dt.date) -> str:
    """The query of :func:`attachments_on` as SQL text (literal day, as a temporary table
    is created from it), compiled once per engine dialect and day: building and compiling it
    costs about half as much as running it on the decade data."""
    attached = attach(select(Person.id), Person.id, day)
    query = attached.query.with_only_columns(
        Person.id.label("person_id"),
        attached.antenne.label("antenne_id"),
        attached.referent.label("referent_id"),
        maintain_column_froms=True,
    )
    return str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def stock_filter(session: Session, query: Query, filters: Filters, person_id: Any) -> Query:
    """:func:`antenne_filter_on` for a stock figure: the attachment on the period's last
    day, read from :func:`attachments_on`."""
    if not filters.antenne_id:
        return query
    on_end = attachments_on(session, filters.period.end)
    return query.join(on_end, on_end.c.person_id == person_id).where(
        antenne_condition(on_end.c.antenne_id, filters)
    )
