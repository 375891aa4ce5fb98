"""The antenne and referent a person belonged to on a given day (``person_attachment``,
app/people/attachment.py): every per-antenne figure about persons reads it at the date of
the fact it counts, or at the period's end for a stock figure (docs/indicators.md,
"Antenne filter"), so moving a person never changes a past period.

Rule, for a person and a day: the person's latest live attachment valid from that day
or earlier (same day: the one written last); before their first attachment, the first
one; a person with no attachment recorded at all (rows written around the services),
the person's record as it is."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Date, and_, case, cast, func, null, or_, select, union_all
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import TableClause

from app.indicators.period import NO_ANTENNE, Filters
from app.indicators.sql import Query, materialize
from app.models import Person, PersonAttachment

Attachments = TableClause  # the materialized attachment spans (see session_attachments)


def attachment_spans_query() -> Any:
    """One row per attachment span: (person_id, antenne_id, referent_id, valid_from,
    valid_until), ``valid_from`` NULL for a person's first span (it also covers earlier
    days), ``valid_until`` the next attachment's first day (exclusive; NULL: still
    valid). Persons without any attachment get one unbounded span from their record."""
    a = PersonAttachment
    order = (a.valid_from, a.id)
    position = func.row_number().over(partition_by=a.person_id, order_by=order)
    recorded = select(
        a.person_id.label("person_id"),
        a.antenne_id.label("antenne_id"),
        a.referent_id.label("referent_id"),
        case((position == 1, cast(null(), Date)), else_=a.valid_from).label("valid_from"),
        func.lead(a.valid_from, type_=Date)
        .over(partition_by=a.person_id, order_by=order)
        .label("valid_until"),
    ).where(a.deleted_at.is_(None))
    attached = select(a.person_id).where(a.deleted_at.is_(None))
    unrecorded = select(
        Person.id,
        Person.antenne_id,
        Person.referent_id,
        cast(null(), Date),
        cast(null(), Date),
    ).where(Person.id.not_in(attached))
    return union_all(recorded, unrecorded)


def session_attachments(session: Session) -> Attachments:
    """The attachment spans, computed once per unit of work (like the stage spans)."""
    spans = session.info.get("indicator_attachments")
    if spans is None:
        spans = session.info["indicator_attachments"] = materialize(
            session, "ind_attach", attachment_spans_query()
        )
    return spans


def attached_on(spans: Any, person_id: Any, day: Any) -> ColumnElement[bool]:
    """Join condition: the span of ``person_id`` valid on ``day`` (exactly one)."""
    return and_(
        spans.c.person_id == person_id,
        or_(spans.c.valid_from.is_(None), spans.c.valid_from <= day),
        or_(spans.c.valid_until.is_(None), spans.c.valid_until > day),
    )


def antenne_condition(column: Any, filters: Filters) -> ColumnElement[bool]:
    if filters.antenne_id == NO_ANTENNE:
        return column.is_(None)  # type: ignore[no-any-return]
    return column == filters.antenne_id  # type: ignore[no-any-return]


def antenne_filter_on(
    session: Session, query: Query, filters: Filters, person_id: Any, day: Any, name: str = "att"
) -> Query:
    """Restrict ``query`` to the rows whose person was attached, on ``day``, to the chosen
    antenne (or to none, :data:`NO_ANTENNE`); unchanged without an antenne filter."""
    if not filters.antenne_id:
        return query
    spans = session_attachments(session).alias(name)
    return query.join(spans, attached_on(spans, person_id, day)).where(
        antenne_condition(spans.c.antenne_id, filters)
    )


def antenne_at(person_id: Any, day: Any) -> ColumnElement[Any]:
    """The same rule as one correlated look-up, for the few rows that need it (an issued
    invoice without the antenne frozen at validation): index seeks on
    ``ix_person_attachment_history``, no materialized spans."""
    a = aliased(PersonAttachment, name="att_seek")
    live = (a.person_id == person_id, a.deleted_at.is_(None))
    latest = (
        select(a.id)
        .where(*live, a.valid_from <= day)
        .order_by(a.valid_from.desc(), a.id.desc())
        .limit(1)
        # Correlated to the outer row however deep it is nested (below: in att_row).
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
    chosen = func.coalesce(latest, first)
    row = aliased(PersonAttachment, name="att_row")
    record = aliased(Person, name="att_person")
    return case(
        (
            chosen.is_(None),
            select(record.antenne_id).where(record.id == person_id).scalar_subquery(),
        ),
        else_=select(row.antenne_id).where(row.id == chosen).scalar_subquery(),
    )
