"""Upcoming deadlines: CAPE ends and associé deadlines of CESA contracts.

The date rules are the parcours' own (:mod:`app.people.parcours_rules`), so the
dashboard and the person's page never disagree; only the current CAPE and CESA
holders are read (a bounded set), never every stage.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import today as clock_today
from app.indicators.period import NO_ANTENNE
from app.indicators.sql import person_live, session_spans, status_on
from app.models import ParcoursStage, Person
from app.people.parcours_rules import StageInfo, cape_max_end, cesa_associe_deadline
from app.states import StageKind
from app.uow import UnitOfWorkFactory

DEFAULT_HORIZON_DAYS = 183  # about six months, as the parcours alerts


@dataclass(frozen=True)
class Deadline:
    person_id: str
    name: str
    kind: str  # "cape" | "associe"
    due: dt.date
    days_left: int  # negative when already passed


def deadlines_in(
    session: Session,
    *,
    antenne_id: str | None = None,
    today: dt.date | None = None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> tuple[Deadline, ...]:
    day = today or clock_today()
    limit = day + dt.timedelta(days=horizon_days)
    status = status_on(session_spans(session), day, ended_too=True)
    query = (
        select(
            Person.id,
            Person.last_name,
            Person.first_name,
            status.c.kind,
            status.c.start_date,
            status.c.end_date,
            status.c.renewals,
        )
        .join(status, status.c.person_id == Person.id)
        .where(
            person_live(),
            (status.c.kind == StageKind.CAPE)
            | ((status.c.kind == StageKind.SALARIE) & (status.c.contract_type == "CESA")),
        )
    )
    if antenne_id == NO_ANTENNE:
        query = query.where(Person.antenne_id.is_(None))
    elif antenne_id:
        query = query.where(Person.antenne_id == antenne_id)
    found: list[tuple[str, str, str, dt.date]] = []
    cesa_names: dict[str, str] = {}
    for pid, last, first, kind, start, end, renewals in session.execute(query):
        name = f"{last.upper()} {first}"
        if kind == StageKind.CAPE:
            found.append((pid, name, StageKind.CAPE, end or cape_max_end(start, renewals)))
        else:
            cesa_names[pid] = name
    for pid, stages in _stages_of(session, list(cesa_names)).items():
        due = cesa_associe_deadline(stages)
        if due is not None:
            found.append((pid, cesa_names[pid], "associe", due))
    return tuple(
        sorted(
            (
                Deadline(pid, name, kind, due, (due - day).days)
                for pid, name, kind, due in found
                if due <= limit
            ),
            key=lambda d: (d.due, d.name),
        )
    )


def _stages_of(session: Session, person_ids: list[str]) -> dict[str, list[StageInfo]]:
    out: dict[str, list[StageInfo]] = defaultdict(list)
    if not person_ids:
        return out
    s = ParcoursStage
    rows = session.execute(
        select(
            s.id, s.person_id, s.kind, s.start_date, s.end_date, s.renewals, s.contract_type
        ).where(
            s.person_id.in_(person_ids),
            s.deleted_at.is_(None),
            s.kind.in_((StageKind.CAPE, StageKind.SALARIE)),
        )
    )
    for stage_id, pid, kind, start, end, renewals, contract in rows:
        out[pid].append(StageInfo(stage_id, pid, kind, start, end, renewals, contract))
    return out


def deadlines(
    uow_factory: UnitOfWorkFactory,
    *,
    antenne_id: str | None = None,
    today: dt.date | None = None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> tuple[Deadline, ...]:
    """Definitions ``deadline_cape`` and ``deadline_associe``."""
    with uow_factory() as uow:
        return deadlines_in(
            uow.session, antenne_id=antenne_id, today=today, horizon_days=horizon_days
        )
