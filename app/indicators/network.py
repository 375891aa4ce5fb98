"""Figures of the network's yearly survey (Coopérer pour Entreprendre consolidates every
CAE's): persons received, accompanied, entered CAPE, became entrepreneurs salariés (new
CESA among them), exits by outcome, turnover, salariés and associés at the year's end.
Each is a definition of :mod:`app.indicators.definitions`; most reuse the dashboard's."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.indicators.attachment import antenne_filter_on
from app.indicators.flows import exits_in, intake_members
from app.indicators.period import Filters
from app.indicators.persons import accompanied_members, headcount_in
from app.indicators.sql import Breakdown, Query, person_live
from app.indicators.turnover import turnover_in
from app.models import ParcoursStage, Person
from app.states import StageKind
from app.uow import UnitOfWorkFactory


@dataclass(frozen=True)
class NetworkFigures:
    received: int
    accompanied: int
    entered_cape: int
    became_salaries: int
    new_cesa: int
    exits: int
    exits_by_outcome: tuple[Breakdown, ...]
    invoiced_cents: int
    invoicing_entrepreneurs: int
    salaries: int
    associes: int


def received_members(filters: Filters) -> Query:
    """Distinct persons received in an intake interview of the period (definition
    ``persons_received``): a person seen twice counts once."""
    return select(intake_members(filters).subquery("received").c.person_id).distinct()


def stage_start_members(
    session: Session, filters: Filters, kind: str, contract: str | None = None
) -> Query:
    """Distinct persons with a stage of ``kind`` (and ``contract``) starting in the period
    (definitions ``cape_entrants``, ``salaries_started`` and ``cesa_started``); antenne:
    the person's attachment on the first such start of the period, so a person counts
    for one antenne only and the antennes add up."""
    s = ParcoursStage
    firsts = (
        select(s.person_id.label("person_id"), func.min(s.start_date).label("day"))
        .join(Person, Person.id == s.person_id)
        .where(
            s.deleted_at.is_(None),
            person_live(),
            s.kind == kind,
            s.start_date.between(filters.period.start, filters.period.end),
        )
        .group_by(s.person_id)
    )
    if contract is not None:
        firsts = firsts.where(s.contract_type == contract)
    starts = firsts.subquery("starts")
    query = select(starts.c.person_id.label("person_id"))
    return antenne_filter_on(query, filters, starts.c.person_id, starts.c.day)


def count_of(session: Session, query: Query) -> int:
    rows = query.subquery("counted")
    return int(session.scalar(select(func.count()).select_from(rows)) or 0)


def network_in(session: Session, filters: Filters) -> NetworkFigures:
    exits = exits_in(session, filters)
    heads = headcount_in(session, filters)
    money = turnover_in(session, filters)
    return NetworkFigures(
        received=count_of(session, received_members(filters)),
        accompanied=count_of(session, accompanied_members(session, filters)),
        entered_cape=count_of(session, stage_start_members(session, filters, StageKind.CAPE)),
        became_salaries=count_of(session, stage_start_members(session, filters, StageKind.SALARIE)),
        new_cesa=count_of(
            session, stage_start_members(session, filters, StageKind.SALARIE, "CESA")
        ),
        exits=exits.total,
        exits_by_outcome=exits.by_outcome,
        invoiced_cents=money.invoiced_cents,
        invoicing_entrepreneurs=money.invoicing_entrepreneurs,
        salaries=heads.salaries,
        associes=heads.associes,
    )


def network(uow_factory: UnitOfWorkFactory, filters: Filters) -> NetworkFigures:
    """Definitions ``persons_received``, ``cape_entrants``, ``salaries_started`` and the
    dashboard's ``accompanied``, ``exits``, ``turnover_invoiced``,
    ``invoicing_entrepreneurs``, ``salaries``, ``associes``."""
    with uow_factory() as uow:
        return network_in(uow.session, filters)
