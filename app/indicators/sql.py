"""SQL building blocks shared by the indicators: live rows, stage spans, status on a
day, month keys and durations. Portable between SQLite (laptops) and PostgreSQL
(the siège): dialect-specific pieces are chosen from the session's bind."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    Subquery,
    and_,
    case,
    cast,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import TableClause, column, table

from app.indicators import derived
from app.indicators.period import NO_ANTENNE, Filters, Period
from app.models import IntakeInterview, ParcoursStage, Person
from app.people.parcours_rules import RANK
from app.states import ACCOMPANIED_STAGES, SALARIED_STAGES

# Any select, whatever its columns (Select is variadic in SQLAlchemy 2.1).
Query = Select[*tuple[Any, ...]]
Spans = TableClause  # the materialized stage spans (see session_spans)

ACCOMPANIED_KINDS = ACCOMPANIED_STAGES
SALARIED_KINDS = SALARIED_STAGES


@dataclass(frozen=True)
class Breakdown:
    """One line of a figure split by a dimension: ``key`` is a code or id ("" = none)."""

    key: str
    label: str
    value: int


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def person_live() -> ColumnElement[bool]:
    return and_(Person.deleted_at.is_(None), Person.merged_into_id.is_(None))


def month_of(column: Any, dialect_name: str) -> ColumnElement[str]:
    """``2026-03-14`` -> ``"2026-03"``."""
    if dialect_name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    # Dates are ISO text in SQLite: the first seven characters are the month.
    return func.substr(column, 1, 7)


def minutes_between(start: Any, end: Any, dialect_name: str) -> ColumnElement[int]:
    if dialect_name == "postgresql":
        return cast(func.round(func.extract("epoch", end - start) / 60), Integer)
    return cast(func.round((func.julianday(end) - func.julianday(start)) * 1440), Integer)


def _journey_rank() -> ColumnElement[int]:
    return case(*((ParcoursStage.kind == k, rank) for k, rank in RANK.items()), else_=-1)


def stage_spans_query() -> Query:
    """Each live stage with the start of the person's next stage: a stage lasts from
    its start until its end date or the next stage's start, whichever comes first."""
    next_start = func.lead(ParcoursStage.start_date, type_=Date).over(
        partition_by=ParcoursStage.person_id,
        # Same-day stages: the further step of the journey comes last (parcours rules).
        order_by=(ParcoursStage.start_date, _journey_rank(), ParcoursStage.id),
    )
    return (
        select(
            ParcoursStage.person_id,
            ParcoursStage.kind,
            ParcoursStage.start_date,
            ParcoursStage.end_date,
            ParcoursStage.renewals,
            ParcoursStage.contract_type,
            next_start.label("next_start"),
        )
        # Deleted and merged persons are filtered by every query joining ``Person``.
        .where(ParcoursStage.deleted_at.is_(None))
    )


def materialize(
    session: Session, name: str, query: Query, index_on: tuple[str, ...] = ("person_id",)
) -> TableClause:
    """Compute ``query`` once into a temporary table of this transaction (dropped with
    it) so several figures can be read from it without recomputing it each time."""
    dialect_ = session.get_bind().dialect
    sql = query.compile(dialect=dialect_, compile_kwargs={"literal_binds": True})
    conn = session.connection()
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
    conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {name} AS {sql}")
    for col in index_on:
        conn.exec_driver_sql(f"CREATE INDEX {name}_{col} ON {name} ({col})")
    return table(name, *(column(c.name, c.type) for c in query.selected_columns))


def session_spans(session: Session) -> Spans:
    """The stage spans: the derived table ``stage_span`` kept by triggers (migration
    0008, :mod:`app.indicators.derived`), else computed once per unit of work (the window
    function over every stage, ~35 ms on the decade data, was the costly part of most
    figures)."""
    spans = session.info.get("indicator_spans")
    if spans is None:
        spans = derived.stage_spans(session)
        if spans is None:
            spans = materialize(session, "ind_spans", stage_spans_query())
        session.info["indicator_spans"] = spans
    return spans


def overlapping(spans: Spans, period: Period, kinds: tuple[str, ...]) -> Query:
    """Persons with a stage of one of ``kinds`` running at some point of ``period``: a
    stage runs from its start date to its end date (inclusive) or to the day before the
    person's next stage starts, whichever comes first."""
    return (
        select(spans.c.person_id)
        .where(
            spans.c.kind.in_(kinds),
            spans.c.start_date <= period.end,
            or_(spans.c.end_date.is_(None), spans.c.end_date >= period.start),
            or_(spans.c.next_start.is_(None), spans.c.next_start > period.start),
            # Not empty: a stage followed by another the same day never runs (the day
            # belongs to the new stage), nor one ending before it starts.
            or_(spans.c.next_start.is_(None), spans.c.next_start > spans.c.start_date),
            or_(spans.c.end_date.is_(None), spans.c.end_date >= spans.c.start_date),
        )
        .distinct()
    )


def status_on(
    spans: Spans, day: dt.date, name: str = "status", *, ended_too: bool = False
) -> Subquery:
    """(person_id, kind, ...): the person's stage running on ``day`` — the latest started
    on or before it, unless its end date has passed (then none, or that ended stage when
    ``ended_too``)."""
    still_running = (
        true() if ended_too else or_(spans.c.end_date.is_(None), spans.c.end_date >= day)
    )
    return (
        select(
            spans.c.person_id,
            spans.c.kind,
            spans.c.start_date,
            spans.c.end_date,
            spans.c.renewals,
            spans.c.contract_type,
        )
        .where(
            spans.c.start_date <= day,
            or_(spans.c.next_start.is_(None), spans.c.next_start > day),
            still_running,
        )
        .subquery(name)
    )


def last_intake_permanence(until: dt.date) -> ColumnElement[str]:
    """Permanence of the person's latest intake held on or before ``until`` (a later
    intake must not rewrite a past period): one indexed look-up per person listed
    (cheaper than ranking every intake ever held)."""
    return (
        select(IntakeInterview.permanence_id)
        .where(
            IntakeInterview.person_id == Person.id,
            IntakeInterview.deleted_at.is_(None),
            IntakeInterview.held_on <= until,
        )
        .order_by(IntakeInterview.held_on.desc(), IntakeInterview.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def antenne_filter(query: Query, filters: Filters) -> Query:
    """Restrict a query already joined to ``Person`` to the chosen antenne (or to the
    persons without antenne, :data:`NO_ANTENNE`)."""
    if filters.antenne_id == NO_ANTENNE:
        return query.where(Person.antenne_id.is_(None))
    if filters.antenne_id:
        return query.where(Person.antenne_id == filters.antenne_id)
    return query


def count_by(session: Session, members: Any, column: str) -> dict[str, int]:
    """``{key: count of distinct persons}`` over a members subquery ("" for NULL)."""
    col = members.c[column]
    rows = session.execute(
        select(col, func.count(func.distinct(members.c.person_id))).group_by(col)
    )
    return {(key or ""): int(n) for key, n in rows}


def ordered(
    counts: dict[str, int], labels: dict[str, str], *, keep: tuple[str, ...] = ()
) -> tuple[Breakdown, ...]:
    """Lines in the order of ``keep`` (always shown, even at zero), then by decreasing value."""
    from app.indicators.definitions import NONE_LABEL

    lines = [Breakdown(k, labels.get(k, k), counts.get(k, 0)) for k in keep]
    rest = sorted(
        (k for k in counts if k not in keep), key=lambda k: (-counts[k], labels.get(k, k))
    )
    lines += [Breakdown(k, labels.get(k, k or NONE_LABEL), counts[k]) for k in rest]
    return tuple(lines)
