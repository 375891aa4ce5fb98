"""Entries (intake interviews, admissions, CAPE signed) and exits by outcome."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.indicators import labels
from app.indicators.attachment import antenne_filter_on
from app.indicators.definitions import DECISION_LABELS, MAIN_OUTCOMES
from app.indicators.period import NO_ANTENNE, Filters
from app.indicators.sql import (
    Breakdown,
    Query,
    dialect,
    month_of,
    ordered,
    person_live,
)
from app.models import IntakeInterview, ParcoursStage, Permanence, Person
from app.states import IntakeDecision, StageKind
from app.uow import UnitOfWorkFactory

DECISIONS = (*IntakeDecision, "")


@dataclass(frozen=True)
class EntryFigures:
    intakes: int
    admissions: int
    capes_started: int
    by_decision: tuple[Breakdown, ...]
    intakes_by_month: tuple[Breakdown, ...]


@dataclass(frozen=True)
class ExitFigures:
    total: int
    by_outcome: tuple[Breakdown, ...]
    by_month: tuple[Breakdown, ...]


def intake_members(filters: Filters, decision: str | None = None) -> Query:
    """One row per intake interview of the period (person_id, decision, held_on). An
    intake counts for the antenne of the permanence where it was held (a fact of its
    day), not for the person's current antenne; :data:`NO_ANTENNE`: held nowhere recorded."""
    query = (
        select(
            IntakeInterview.person_id.label("person_id"),
            IntakeInterview.decision.label("decision"),
            IntakeInterview.held_on.label("day"),
        )
        .join(Person, Person.id == IntakeInterview.person_id)
        .where(
            IntakeInterview.deleted_at.is_(None),
            person_live(),
            IntakeInterview.held_on.between(filters.period.start, filters.period.end),
        )
    )
    if decision is not None:
        query = query.where(IntakeInterview.decision == decision)
    if filters.antenne_id == NO_ANTENNE:
        return query.where(IntakeInterview.permanence_id.is_(None))
    if filters.antenne_id:
        held_in = select(Permanence.id).where(Permanence.antenne_id == filters.antenne_id)
        return query.where(IntakeInterview.permanence_id.in_(held_in))
    return query


def cape_start_members(session: Session, filters: Filters) -> Query:
    """One row per CAPE stage starting in the period; antenne: the person's attachment on
    the stage's start date."""
    query = (
        select(ParcoursStage.person_id.label("person_id"), ParcoursStage.start_date.label("day"))
        .join(Person, Person.id == ParcoursStage.person_id)
        .where(
            ParcoursStage.deleted_at.is_(None),
            person_live(),
            ParcoursStage.kind == StageKind.CAPE,
            ParcoursStage.start_date.between(filters.period.start, filters.period.end),
        )
    )
    return antenne_filter_on(query, filters, ParcoursStage.person_id, ParcoursStage.start_date)


def _counts_by_month(
    session: Session, members: Any, column: str, filters: Filters
) -> tuple[dict[str, int], tuple[Breakdown, ...]]:
    """``{key: count}`` over ``members.c[column]`` ("" for NULL) and the monthly series
    (``members.c.day``), from one pass grouped by both: the dashboard needs the two."""
    key = members.c[column]
    month = month_of(members.c.day, dialect(session))
    counts: dict[str, int] = defaultdict(int)
    per_month: dict[str, int] = defaultdict(int)
    for k, m, n in session.execute(select(key, month, func.count()).group_by(key, month)):
        counts[k or ""] += int(n)
        per_month[m] += int(n)
    return dict(counts), tuple(
        Breakdown(m, m, per_month.get(m, 0)) for m in filters.period.months()
    )


def entries_in(session: Session, filters: Filters) -> EntryFigures:
    members = intake_members(filters).subquery("intakes")
    counts, by_month = _counts_by_month(session, members, "decision", filters)
    capes = cape_start_members(session, filters).subquery("capes")
    return EntryFigures(
        intakes=sum(counts.values()),
        admissions=counts.get(IntakeDecision.ADMITTED, 0),
        capes_started=int(session.scalar(select(func.count()).select_from(capes)) or 0),
        by_decision=ordered(counts, DECISION_LABELS, keep=DECISIONS),
        intakes_by_month=by_month,
    )


def entries(uow_factory: UnitOfWorkFactory, filters: Filters) -> EntryFigures:
    """Definitions ``intakes``, ``admissions`` and ``capes_started``."""
    with uow_factory() as uow:
        return entries_in(uow.session, filters)


def outcome_key() -> Any:
    """The three outcomes of the seed documents, else the exit reason (else "autre")."""
    return case(
        (ParcoursStage.outcome.in_(tuple(MAIN_OUTCOMES)), ParcoursStage.outcome),
        (ParcoursStage.exit_reason_code != "", ParcoursStage.exit_reason_code),
        (ParcoursStage.outcome != "", ParcoursStage.outcome),
        else_="autre",
    )


def exit_members(session: Session, filters: Filters, outcome: str | None = None) -> Query:
    """One row per exit (sortie stage) dated in the period: person_id, outcome, day;
    antenne: the person's attachment on the exit date."""
    key = outcome_key()
    query = (
        select(
            ParcoursStage.person_id.label("person_id"),
            key.label("outcome"),
            ParcoursStage.start_date.label("day"),
        )
        .join(Person, Person.id == ParcoursStage.person_id)
        .where(
            ParcoursStage.deleted_at.is_(None),
            person_live(),
            ParcoursStage.kind == StageKind.SORTIE,
            ParcoursStage.start_date.between(filters.period.start, filters.period.end),
        )
    )
    if outcome is not None:
        query = query.where(key == outcome)
    return antenne_filter_on(query, filters, ParcoursStage.person_id, ParcoursStage.start_date)


def exits_in(session: Session, filters: Filters) -> ExitFigures:
    members = exit_members(session, filters).subquery("exits")
    counts, by_month = _counts_by_month(session, members, "outcome", filters)
    names = {**labels.options(session, "exit_reason"), **MAIN_OUTCOMES}
    return ExitFigures(
        total=sum(counts.values()),
        by_outcome=ordered(counts, names, keep=tuple(MAIN_OUTCOMES)),
        by_month=by_month,
    )


def exits(uow_factory: UnitOfWorkFactory, filters: Filters) -> ExitFigures:
    """Definition ``exits``."""
    with uow_factory() as uow:
        return exits_in(uow.session, filters)
