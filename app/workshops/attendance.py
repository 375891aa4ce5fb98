"""Attendance per slot, and what follows from it: hours per person and per theme.

The attendance of one person at one slot has the id
``deterministic_id("attendance", slot_id, person_id)``: two laptops marking it
while offline write the same row, which sync then resolves field by field.
A missing row means "attendu" (expected), so registering costs no writes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import localnow
from app.errors import ConflictError, NotFoundError, ValidationError
from app.ids import deterministic_id
from app.models import (
    Activity,
    ActivitySlot,
    Attendance,
    AttendanceSignature,
    Registration,
    WorkshopTheme,
)
from app.uow import UnitOfWorkFactory
from app.workshops.workshop_values import (
    CANCELLED,
    EXPECTED,
    PRESENT,
    REGISTERED,
    STATES,
    AttendedSession,
    ThemeHours,
)


def attendance_id(slot_id: str, person_id: str) -> str:
    return deterministic_id("attendance", slot_id, person_id)


def local_now() -> dt.datetime:
    """Slots are kept in the place's wall time, so "has it started" compares with local time."""
    return localnow().replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True)
class Mark:
    slot_id: str
    person_id: str
    state: str


def mark_attendance(
    uow_factory: UnitOfWorkFactory,
    slot_id: str,
    person_id: str,
    state: str,
    *,
    now: dt.datetime | None = None,
) -> None:
    mark_many(uow_factory, [Mark(slot_id, person_id, state)], now=now)


def mark_many(
    uow_factory: UnitOfWorkFactory, marks: Iterable[Mark], *, now: dt.datetime | None = None
) -> int:
    """Record several marks in one transaction, all or nothing. Returns how many changed.

    Refused: an unknown state; a slot not started yet (``slot_not_started``);
    a person not registered (``not_registered``).
    """
    wanted = list(marks)
    moment = now or local_now()
    for mark in wanted:
        if mark.state not in STATES:
            raise ValidationError.single("state", "invalid_choice")
    with uow_factory() as uow:
        session = uow.session
        slots = _slots(session, {m.slot_id for m in wanted})
        registered = _registered_people(session, {s.activity_id for s in slots.values()})
        for mark in wanted:
            slot = slots.get(mark.slot_id)
            if slot is None:
                raise NotFoundError("not_found", kind="slot", id=mark.slot_id)
            if slot.starts_at > moment:
                raise ConflictError("slot_not_started", starts_at=slot.starts_at)
            if (slot.activity_id, mark.person_id) not in registered:
                raise ConflictError("not_registered", person_id=mark.person_id)
        changed = _write(session, wanted)
        uow.commit()
        return changed


def mark_all_present(
    uow_factory: UnitOfWorkFactory, activity_id: str, *, now: dt.datetime | None = None
) -> int:
    """Every participant still "attendu" on a started slot becomes present.

    Marks already entered (absent, excusé) are kept: "tous présents" is the quick
    start, the exceptions are typed before or after it.
    """
    moment = now or local_now()
    with uow_factory() as uow:
        session = uow.session
        slot_ids = session.scalars(
            select(ActivitySlot.id).where(
                ActivitySlot.activity_id == activity_id,
                ActivitySlot.deleted_at.is_(None),
                ActivitySlot.starts_at <= moment,
            )
        ).all()
        people = [p for (_a, p) in _registered_people(session, {activity_id})]
        if not slot_ids or not people:
            return 0
        states = _states(session, slot_ids)
        frozen = countersigned_slots(session, slot_ids)
        marks = [
            Mark(slot_id, person_id, PRESENT)
            for slot_id in slot_ids
            for person_id in people
            if states.get((slot_id, person_id), EXPECTED) == EXPECTED and slot_id not in frozen
        ]
        changed = _write(session, marks)
        uow.commit()
        return changed


def hours_by_theme(uow_factory: UnitOfWorkFactory, person_id: str) -> list[ThemeHours]:
    """Minutes a person was present, per theme (ateliers) or per kind (other activities)."""
    minutes: dict[tuple[str, str | None], int] = defaultdict(int)
    sessions: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    names: dict[str | None, str | None] = {None: None}
    with uow_factory() as uow:
        rows = _present_rows(uow.session, person_id)
    for kind, theme_id, theme_name, activity_id, slot_minutes in rows:
        names[theme_id] = theme_name
        minutes[(kind, theme_id)] += slot_minutes
        sessions[(kind, theme_id)].add(activity_id)
    result = [
        ThemeHours(kind, theme_id, names[theme_id], total, len(sessions[(kind, theme_id)]))
        for (kind, theme_id), total in minutes.items()
    ]
    return sorted(result, key=lambda t: (-t.minutes, t.theme_name or "", t.kind))


def person_activities(uow_factory: UnitOfWorkFactory, person_id: str) -> list[AttendedSession]:
    """Every activity a person registered to, most recent first, with minutes attended."""
    with uow_factory() as uow:
        session = uow.session
        rows = session.execute(
            select(
                Activity.id,
                Activity.kind,
                Activity.title,
                WorkshopTheme.name,
                Activity.held_on,
                Registration.status,
            )
            .join(Registration, Registration.activity_id == Activity.id)
            .outerjoin(WorkshopTheme, WorkshopTheme.id == Activity.theme_id)
            .where(
                Registration.person_id == person_id,
                Registration.deleted_at.is_(None),
                Registration.status != CANCELLED,
                Activity.deleted_at.is_(None),
            )
            .order_by(Activity.held_on.desc(), Activity.id)
        ).all()
        ids = [r[0] for r in rows]
        total: dict[str, int] = defaultdict(int)
        for activity_id, starts, ends in session.execute(
            select(ActivitySlot.activity_id, ActivitySlot.starts_at, ActivitySlot.ends_at).where(
                ActivitySlot.activity_id.in_(ids), ActivitySlot.deleted_at.is_(None)
            )
        ):
            total[activity_id] += _minutes(starts, ends)
        attended: dict[str, int] = defaultdict(int)
        for _kind, _theme, _name, activity_id, minutes in _present_rows(session, person_id):
            attended[activity_id] += minutes
    return [
        AttendedSession(r[0], r[1], r[2], r[3], r[4], r[5], attended[r[0]], total[r[0]])
        for r in rows
    ]


# Internals -------------------------------------------------------------------


def _minutes(starts: dt.datetime, ends: dt.datetime) -> int:
    # Computed here rather than in SQL: date arithmetic differs between SQLite
    # and PostgreSQL, and a person has at most a few hundred slots.
    return int((ends - starts).total_seconds() // 60)


def _present_rows(
    session: Session, person_id: str
) -> list[tuple[str, str | None, str | None, str, int]]:
    rows = session.execute(
        select(
            Activity.kind,
            Activity.theme_id,
            WorkshopTheme.name,
            Activity.id,
            ActivitySlot.starts_at,
            ActivitySlot.ends_at,
        )
        .select_from(Attendance)
        .join(ActivitySlot, ActivitySlot.id == Attendance.slot_id)
        .join(Activity, Activity.id == ActivitySlot.activity_id)
        .outerjoin(WorkshopTheme, WorkshopTheme.id == Activity.theme_id)
        .where(
            Attendance.person_id == person_id,
            Attendance.state == PRESENT,
            Attendance.deleted_at.is_(None),
            ActivitySlot.deleted_at.is_(None),
            Activity.deleted_at.is_(None),
        )
    )
    return [(r[0], r[1], r[2], r[3], _minutes(r[4], r[5])) for r in rows]


def _slots(session: Session, slot_ids: set[str]) -> dict[str, ActivitySlot]:
    if not slot_ids:
        return {}
    rows = session.scalars(
        select(ActivitySlot).where(ActivitySlot.id.in_(slot_ids), ActivitySlot.deleted_at.is_(None))
    )
    return {s.id: s for s in rows}


def _registered_people(session: Session, activity_ids: set[str]) -> list[tuple[str, str]]:
    if not activity_ids:
        return []
    rows = session.execute(
        select(Registration.activity_id, Registration.person_id).where(
            Registration.activity_id.in_(activity_ids),
            Registration.status == REGISTERED,
            Registration.deleted_at.is_(None),
        )
    )
    return [(r[0], r[1]) for r in rows]


def _states(session: Session, slot_ids: Iterable[str]) -> dict[tuple[str, str], str]:
    rows = session.execute(
        select(Attendance.slot_id, Attendance.person_id, Attendance.state).where(
            Attendance.slot_id.in_(list(slot_ids)), Attendance.deleted_at.is_(None)
        )
    )
    return {(r[0], r[1]): r[2] for r in rows}


def mark_in_session(session: Session, marks: list[Mark]) -> int:
    """Write marks inside a caller's transaction (the signature store's); same checks as
    :func:`mark_many` for frozen slots."""
    return _write(session, marks)


def countersigned_slots(session: Session, slot_ids: Iterable[str]) -> set[str]:
    """The slots among ``slot_ids`` the trainer has countersigned: frozen (issue 16)."""
    ids = list(slot_ids)
    if not ids:
        return set()
    return set(
        session.scalars(
            select(AttendanceSignature.slot_id).where(
                AttendanceSignature.slot_id.in_(ids),
                AttendanceSignature.role == "formateur",
                AttendanceSignature.deleted_at.is_(None),
            )
        )
    )


def _write(session: Session, marks: list[Mark]) -> int:
    if not marks:
        return 0
    if countersigned_slots(session, {m.slot_id for m in marks}):
        # A countersigned half-day is frozen: its marks are part of the signed record.
        raise ConflictError("slot_countersigned")
    wanted = {(m.slot_id, m.person_id): m for m in marks}
    # Looked up by the natural key, not only the id: a row re-pointed by a person
    # merge keeps its old id, and a second row would break (slot, person) uniqueness.
    existing = {
        (row.slot_id, row.person_id): row
        for row in session.scalars(
            select(Attendance).where(
                Attendance.slot_id.in_({m.slot_id for m in marks}),
                Attendance.person_id.in_({m.person_id for m in marks}),
            )
        )
    }
    changed = 0
    for key, mark in wanted.items():
        row = existing.get(key)
        if row is None:
            session.add(
                Attendance(
                    id=attendance_id(mark.slot_id, mark.person_id),
                    slot_id=mark.slot_id,
                    person_id=mark.person_id,
                    state=mark.state,
                )
            )
            changed += 1
        elif row.state != mark.state or row.deleted_at is not None:
            row.state = mark.state
            row.deleted_at = None
            changed += 1
    return changed
