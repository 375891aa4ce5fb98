"""Upcoming deadlines: CAPE ends and associé deadlines of CESA contracts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import today as clock_today
from app.indicators.period import add_years
from app.indicators.sql import person_live, stage_spans, status_on
from app.models import Person
from app.uow import UnitOfWorkFactory

CAPE_MONTHS = 12
CESA_YEARS_TO_ASSOCIATE = 3
DEFAULT_HORIZON_DAYS = 183  # about six months, as the parcours alerts


@dataclass(frozen=True)
class Deadline:
    person_id: str
    name: str
    kind: str  # "cape" | "associe"
    due: dt.date
    days_left: int  # negative when already passed


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last_day in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, last_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def cape_end(start: dt.date, end: dt.date | None, renewals: int) -> dt.date:
    """The end typed on the stage, else 12 months per period (first + renewals)."""
    if end is not None:
        return end
    return add_months(start, CAPE_MONTHS * (1 + max(renewals, 0))) - dt.timedelta(days=1)


def associe_deadline(cesa_start: dt.date, cape_days: int) -> dt.date:
    """CESA start + 3 years − the CAPE's duration (DESIGN.md §2)."""
    return add_years(cesa_start, CESA_YEARS_TO_ASSOCIATE) - dt.timedelta(days=cape_days)


def deadlines_in(
    session: Session,
    *,
    antenne_id: str | None = None,
    today: dt.date | None = None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> tuple[Deadline, ...]:
    day = today or clock_today()
    limit = day + dt.timedelta(days=horizon_days)
    status = status_on(day, ended_too=True)
    query = (
        select(
            Person.id,
            Person.last_name,
            Person.first_name,
            status.c.kind,
            status.c.start_date,
            status.c.end_date,
            status.c.renewals,
            status.c.contract_type,
        )
        .join(status, status.c.person_id == Person.id)
        .where(
            person_live(),
            (status.c.kind == "cape")
            | ((status.c.kind == "salarie") & (status.c.contract_type == "CESA")),
        )
    )
    if antenne_id:
        query = query.where(Person.antenne_id == antenne_id)
    out: list[Deadline] = []
    cesa: dict[str, tuple[str, dt.date]] = {}
    for pid, last, first, kind, start, end, renewals, _contract in session.execute(query):
        name = f"{last.upper()} {first}"
        if kind == "cape":
            out.append(Deadline(pid, name, "cape", cape_end(start, end, renewals), 0))
        else:
            cesa[pid] = (name, start)
    cape_days = _cape_days_before(session, cesa)
    for pid, (name, start) in cesa.items():
        out.append(Deadline(pid, name, "associe", associe_deadline(start, cape_days[pid]), 0))
    return tuple(
        sorted(
            (
                Deadline(d.person_id, d.name, d.kind, d.due, (d.due - day).days)
                for d in out
                if d.due <= limit
            ),
            key=lambda d: (d.due, d.name),
        )
    )


def _cape_days_before(session: Session, cesa: dict[str, tuple[str, dt.date]]) -> dict[str, int]:
    """Days spent in CAPE before each CESA started (only the current CESA holders)."""
    days: dict[str, int] = defaultdict(int)
    if not cesa:
        return days
    spans = stage_spans()
    rows = session.execute(
        select(spans.c.person_id, spans.c.start_date, spans.c.end_date, spans.c.next_start).where(
            spans.c.kind == "cape", spans.c.person_id.in_(list(cesa))
        )
    )
    for pid, start, end, next_start in rows:
        after_end = end + dt.timedelta(days=1) if end is not None else None
        stop = min(d for d in (after_end, next_start, cesa[pid][1]) if d is not None)
        days[pid] += max((stop - start).days, 0)
    return days


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
