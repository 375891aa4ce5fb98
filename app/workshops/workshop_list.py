"""The session list with its follow-up flags: attendance never filled in, attendance rate.

Filters and the "never filled in" flag are SQL (so they page over ten years of
sessions); counts and rates are computed for the displayed page only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import ColumnElement, Select, and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from app.indicators.rates import rate_bp
from app.models import Activity, ActivitySlot, Attendance, Permanence, Registration, WorkshopTheme
from app.text import search_patterns
from app.uow import UnitOfWorkFactory
from app.workshops.attendance import local_now
from app.workshops.workshop_values import (
    EXPECTED,
    PRESENT,
    REGISTERED,
    WAITING,
    SessionFilter,
    SessionRow,
)


def attendance_missing(now: dt.datetime) -> ColumnElement[bool]:
    """True for an activity with participants and a finished slot where nobody was marked."""
    slot = aliased(ActivitySlot)
    unmarked_past_slot = exists().where(
        slot.activity_id == Activity.id,
        slot.deleted_at.is_(None),
        slot.ends_at <= now,
        ~exists().where(
            Attendance.slot_id == slot.id,
            Attendance.deleted_at.is_(None),
            Attendance.state != EXPECTED,
        ),
    )
    has_participants = exists().where(
        Registration.activity_id == Activity.id,
        Registration.status == REGISTERED,
        Registration.deleted_at.is_(None),
    )
    return and_(unmarked_past_slot, has_participants)


def _filtered(query: Select, filters: SessionFilter, now: dt.datetime) -> Select:  # type: ignore[type-arg]
    query = query.where(Activity.deleted_at.is_(None))
    if filters.kind:
        query = query.where(Activity.kind == filters.kind)
    if filters.theme_id:
        query = query.where(Activity.theme_id == filters.theme_id)
    if filters.permanence_id:
        query = query.where(Activity.permanence_id == filters.permanence_id)
    if filters.date_from:
        query = query.where(Activity.held_on >= filters.date_from)
    if filters.date_to:
        query = query.where(Activity.held_on <= filters.date_to)
    for pattern in search_patterns(filters.text):
        query = query.where(Activity.title_key.like(pattern, escape="\\"))
    if filters.attendance_missing_only:
        query = query.where(attendance_missing(now))
    return query


def count_sessions(
    uow_factory: UnitOfWorkFactory,
    filters: SessionFilter = SessionFilter(),  # noqa: B008 - frozen, shared safely
    *,
    now: dt.datetime | None = None,
) -> int:
    with uow_factory() as uow:
        query = _filtered(select(func.count(Activity.id)), filters, now or local_now())
        return int(uow.session.scalar(query) or 0)


def list_sessions(
    uow_factory: UnitOfWorkFactory,
    filters: SessionFilter = SessionFilter(),  # noqa: B008 - frozen, shared safely
    *,
    offset: int = 0,
    limit: int = 200,
    now: dt.datetime | None = None,
) -> list[SessionRow]:
    """Sessions, most recent first, each with its flags."""
    moment = now or local_now()
    with uow_factory() as uow:
        query = _filtered(
            select(
                Activity.id,
                Activity.kind,
                Activity.title,
                WorkshopTheme.name,
                Activity.held_on,
                Activity.place_address,
                Permanence.town,
                Activity.capacity,
                attendance_missing(moment).label("missing"),
            )
            .outerjoin(WorkshopTheme, WorkshopTheme.id == Activity.theme_id)
            .outerjoin(Permanence, Permanence.id == Activity.permanence_id),
            filters,
            moment,
        )
        query = query.order_by(Activity.held_on.desc(), Activity.id.desc())
        rows = uow.session.execute(query.offset(offset).limit(limit)).all()
        ids = [r[0] for r in rows]
        counts = _registration_counts(uow.session, ids)
        rates = _rates(uow.session, ids, counts, moment)
    return [
        SessionRow(
            id=r[0],
            kind=r[1],
            title=r[2],
            theme_name=r[3],
            held_on=r[4],
            place_label=r[5] or r[6] or "",
            registered=counts[r[0]][REGISTERED],
            waiting=counts[r[0]][WAITING],
            capacity=r[7],
            attendance_missing=bool(r[8]),
            rate_bp=rates.get(r[0]),
        )
        for r in rows
    ]


def attendance_rate(
    uow_factory: UnitOfWorkFactory, activity_id: str, *, now: dt.datetime | None = None
) -> int | None:
    """Present marks / (participants × started slots), in basis points; None before it starts."""
    with uow_factory() as uow:
        counts = _registration_counts(uow.session, [activity_id])
        return _rates(uow.session, [activity_id], counts, now or local_now()).get(activity_id)


def _registration_counts(session: Session, ids: list[str]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {REGISTERED: 0, WAITING: 0})
    if not ids:
        return counts
    rows = session.execute(
        select(Registration.activity_id, Registration.status, func.count(Registration.id))
        .where(
            Registration.activity_id.in_(ids),
            Registration.deleted_at.is_(None),
            Registration.status.in_((REGISTERED, WAITING)),
        )
        .group_by(Registration.activity_id, Registration.status)
    )
    for activity_id, status, number in rows:
        counts[activity_id][status] = int(number)
    return counts


def _rates(
    session: Session, ids: list[str], counts: dict[str, dict[str, int]], now: dt.datetime
) -> dict[str, int]:
    if not ids:
        return {}
    started: dict[str, int] = {
        r[0]: int(r[1])
        for r in session.execute(
            select(ActivitySlot.activity_id, func.count(ActivitySlot.id))
            .where(
                ActivitySlot.activity_id.in_(ids),
                ActivitySlot.deleted_at.is_(None),
                ActivitySlot.starts_at <= now,
            )
            .group_by(ActivitySlot.activity_id)
        )
    }
    present: dict[str, int] = {
        r[0]: int(r[1])
        for r in session.execute(
            select(ActivitySlot.activity_id, func.count(Attendance.id))
            .join(Attendance, Attendance.slot_id == ActivitySlot.id)
            .join(
                Registration,
                and_(
                    Registration.activity_id == ActivitySlot.activity_id,
                    Registration.person_id == Attendance.person_id,
                ),
            )
            .where(
                ActivitySlot.activity_id.in_(ids),
                ActivitySlot.deleted_at.is_(None),
                ActivitySlot.starts_at <= now,
                Attendance.state == PRESENT,
                Attendance.deleted_at.is_(None),
                Registration.status == REGISTERED,
                Registration.deleted_at.is_(None),
            )
            .group_by(ActivitySlot.activity_id)
        )
    }
    rates: dict[str, int] = {}
    for activity_id in ids:
        expected = started.get(activity_id, 0) * counts[activity_id][REGISTERED]
        rate = rate_bp(present.get(activity_id, 0), expected)  # definition attendance_rate
        if rate is not None:
            rates[activity_id] = rate
    return rates
