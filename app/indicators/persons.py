"""Persons accompanied, entrepreneurs salariés/associés, and follow-up interviews."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from app.indicators import labels
from app.indicators.attachment import antenne_condition, attachments_on, stock_filter
from app.indicators.definitions import STATUS_LABELS
from app.indicators.period import Filters, add_years
from app.indicators.sql import (
    ACCOMPANIED_KINDS,
    SALARIED_KINDS,
    Breakdown,
    Query,
    count_by,
    last_intake_permanence,
    materialize,
    ordered,
    overlapping,
    person_live,
    session_spans,
    status_on,
)
from app.models import FollowupInterview, Person
from app.uow import UnitOfWorkFactory


@dataclass(frozen=True)
class AccompaniedFigures:
    total: int
    by_status: tuple[Breakdown, ...]
    by_antenne: tuple[Breakdown, ...]
    by_permanence: tuple[Breakdown, ...]
    by_accompagnateur: tuple[Breakdown, ...]


def accompanied_members(session: Session, filters: Filters) -> Query:
    """One row per person accompanied (definition ``accompanied``) with its dimensions:
    antenne and referent accompagnateur of the person's attachment on the period's last
    day (a stock figure; docs/indicators.md, "Antenne filter")."""
    spans = session_spans(session)
    end = filters.period.end
    status = status_on(spans, end)
    running = overlapping(spans, filters.period, ACCOMPANIED_KINDS)
    on_end = attachments_on(session, end)
    query = (
        select(
            Person.id.label("person_id"),
            status.c.kind.label("status"),
            on_end.c.antenne_id.label("antenne"),
            last_intake_permanence(end).label("permanence"),
            on_end.c.referent_id.label("accompagnateur"),
        )
        .join(on_end, on_end.c.person_id == Person.id)
        .outerjoin(status, status.c.person_id == Person.id)
        .where(person_live(), Person.id.in_(running))
    )
    if filters.antenne_id:
        query = query.where(antenne_condition(on_end.c.antenne_id, filters))
    return query


def accompanied_in(session: Session, filters: Filters) -> AccompaniedFigures:
    members = materialize(session, "ind_accompanied", accompanied_members(session, filters))
    total = int(session.scalar(select(func.count()).select_from(members)) or 0)
    return AccompaniedFigures(
        total=total,
        by_status=ordered(
            count_by(session, members, "status"),
            STATUS_LABELS,
            keep=(*ACCOMPANIED_KINDS, "sortie"),
        ),
        by_antenne=ordered(count_by(session, members, "antenne"), labels.antennes(session)),
        by_permanence=ordered(
            count_by(session, members, "permanence"), labels.permanences(session)
        ),
        by_accompagnateur=ordered(
            count_by(session, members, "accompagnateur"), labels.accompagnateurs(session)
        ),
    )


def accompanied(uow_factory: UnitOfWorkFactory, filters: Filters) -> AccompaniedFigures:
    """Definition ``accompanied``."""
    with uow_factory() as uow:
        return accompanied_in(uow.session, filters)


# Head count ------------------------------------------------------------------------


@dataclass(frozen=True)
class Headcount:
    cape: int
    salaries: int
    associes: int


def status_members(session: Session, filters: Filters, kind: str) -> Query:
    """Persons whose status at the end of the period is ``kind`` (antenne: attachment on
    the period's last day)."""
    end = filters.period.end
    status = status_on(session_spans(session), end)
    query = (
        select(Person.id.label("person_id"))
        .join(status, status.c.person_id == Person.id)
        .where(person_live(), status.c.kind == kind)
    )
    return stock_filter(session, query, filters, Person.id)


def headcount_in(session: Session, filters: Filters) -> Headcount:
    end = filters.period.end
    status = status_on(session_spans(session), end)
    query = stock_filter(
        session,
        select(status.c.kind, func.count())
        .join(Person, Person.id == status.c.person_id)
        .where(person_live())
        .group_by(status.c.kind),
        filters,
        Person.id,
    )
    counts = {k: int(n) for k, n in session.execute(query)}
    return Headcount(counts.get("cape", 0), counts.get("salarie", 0), counts.get("associe", 0))


def headcount(uow_factory: UnitOfWorkFactory, filters: Filters) -> Headcount:
    """Definitions ``salaries`` and ``associes`` (plus persons in CAPE)."""
    with uow_factory() as uow:
        return headcount_in(uow.session, filters)


# Follow-up interviews --------------------------------------------------------------

MINIMUM_PER_YEAR = 2


@dataclass(frozen=True)
class FollowupLine:
    person_id: str
    name: str
    status: str
    in_period: int
    last_twelve_months: int
    below_minimum: bool


@dataclass(frozen=True)
class FollowupFigures:
    entrepreneurs: int
    interviews: int
    below_minimum: int
    lines: tuple[FollowupLine, ...]

    @property
    def per_entrepreneur_tenths(self) -> int:
        """Average per entrepreneur in tenths (no float); 0 when nobody is counted."""
        if not self.entrepreneurs:
            return 0
        return (self.interviews * 10 + self.entrepreneurs // 2) // self.entrepreneurs


# Built once (an alias costs about a millisecond to build).
_FU_PERIOD = aliased(FollowupInterview, name="fu_period")
_FU_ROLLING = aliased(FollowupInterview, name="fu_rolling")


def followup_members(session: Session, filters: Filters) -> Query:
    """Salaried entrepreneurs (salarié or associé) running during the period, with counts
    (antenne: attachment on the period's last day)."""
    spans = session_spans(session)
    period = filters.period
    year_start = add_years(period.end, -1)

    def count_between(f: Any, after: Any, until: Any, inclusive: bool) -> Any:
        # One range count per person listed, on ix_followup_interview_counts (person,
        # deleted_at, held_on; migration 0008): cheaper than grouping every interview of
        # the period by person (decade data, ten years: ~20 -> ~7 ms).
        return (
            select(func.count())
            .where(
                f.person_id == Person.id,
                f.deleted_at.is_(None),
                f.held_on >= after if inclusive else f.held_on > after,
                f.held_on <= until,
            )
            .correlate(Person)
            .scalar_subquery()
        )

    in_period = count_between(_FU_PERIOD, period.start, period.end, True)
    rolling = count_between(_FU_ROLLING, year_start, period.end, False)
    status = status_on(spans, period.end)
    running = overlapping(spans, period, SALARIED_KINDS)
    query = (
        select(
            Person.id.label("person_id"),
            Person.last_name,
            Person.first_name,
            status.c.kind.label("status"),
            in_period.label("in_period"),
            rolling.label("rolling"),
        )
        .outerjoin(status, status.c.person_id == Person.id)
        .where(person_live(), Person.id.in_(running))
    )
    return stock_filter(session, query, filters, Person.id)


def below_minimum_condition(members: Any) -> Any:
    return and_(members.c.status.in_(SALARIED_KINDS), members.c.rolling < MINIMUM_PER_YEAR)


def followups_in(session: Session, filters: Filters) -> FollowupFigures:
    members = followup_members(session, filters).subquery("members")
    rows = session.execute(
        select(members, below_minimum_condition(members).label("below")).order_by(
            members.c.last_name, members.c.first_name
        )
    ).all()
    lines = tuple(
        FollowupLine(
            r.person_id,
            f"{r.last_name.upper()} {r.first_name}",
            r.status or "",
            int(r.in_period),
            int(r.rolling),
            bool(r.below),
        )
        for r in rows
    )
    return FollowupFigures(
        entrepreneurs=len(lines),
        interviews=sum(line.in_period for line in lines),
        below_minimum=sum(1 for line in lines if line.below_minimum),
        lines=lines,
    )


def followups(uow_factory: UnitOfWorkFactory, filters: Filters) -> FollowupFigures:
    """Definitions ``followups`` and ``followups_below_minimum``."""
    with uow_factory() as uow:
        return followups_in(uow.session, filters)
