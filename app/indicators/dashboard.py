"""Every figure of the dashboard in one read (one session, one snapshot)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from app.indicators.deadlines import Deadline, deadlines_in
from app.indicators.flows import EntryFigures, ExitFigures, entries_in, exits_in
from app.indicators.network import count_of, received_members, stage_start_members
from app.indicators.period import Filters
from app.indicators.persons import (
    AccompaniedFigures,
    FollowupFigures,
    Headcount,
    accompanied_in,
    followups_in,
    headcount_in,
)
from app.indicators.receivables import Receivables, receivables_in
from app.indicators.scope import Scope, detect_scope
from app.indicators.turnover import TurnoverFigures, turnover_in
from app.indicators.workshops import WorkshopFigures, workshops_in
from app.states import StageKind
from app.uow import UnitOfWorkFactory


@dataclass(frozen=True)
class DashboardData:
    filters: Filters
    scope: Scope
    accompanied: AccompaniedFigures
    entries: EntryFigures
    exits: ExitFigures
    followups: FollowupFigures
    workshops: WorkshopFigures
    turnover: TurnoverFigures
    headcount: Headcount
    deadlines: tuple[Deadline, ...]
    # The network's figures (issue 17, item 5), same definitions as the network file.
    received: int = 0  # persons_received
    new_cesa: int = 0  # cesa_started
    receivables: Receivables = field(default_factory=lambda: Receivables(0, 0))  # unpaid


def dashboard(
    uow_factory: UnitOfWorkFactory, filters: Filters, *, today: dt.date | None = None
) -> DashboardData:
    with uow_factory() as uow:
        s = uow.session
        return DashboardData(
            filters=filters,
            scope=detect_scope(s),
            accompanied=accompanied_in(s, filters),
            entries=entries_in(s, filters),
            exits=exits_in(s, filters),
            followups=followups_in(s, filters),
            workshops=workshops_in(s, filters),
            turnover=turnover_in(s, filters),
            headcount=headcount_in(s, filters),
            deadlines=deadlines_in(s, antenne_id=filters.antenne_id, today=today),
            received=count_of(s, received_members(filters)),
            new_cesa=count_of(s, stage_start_members(s, filters, StageKind.SALARIE, "CESA")),
            receivables=receivables_in(s, filters),
        )
