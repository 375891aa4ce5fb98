"""Collective actions held, their participants and hours of attendance."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.indicators.definitions import ACTIVITY_KIND_LABELS
from app.indicators.period import Filters
from app.indicators.sql import Breakdown, Query, dialect, minutes_between, ordered, person_live
from app.models import Activity, ActivitySlot, Attendance, Permanence, Person
from app.uow import UnitOfWorkFactory


@dataclass(frozen=True)
class WorkshopFigures:
    held: int
    by_kind: tuple[Breakdown, ...]
    participants: int
    present_marks: int
    absent_marks: int
    excused_marks: int
    attendance_minutes: int

    @property
    def attendance_rate_bp(self) -> int | None:
        """Present / (present + absent + excused), basis points; None if nobody was marked."""
        marked = self.present_marks + self.absent_marks + self.excused_marks
        if not marked:
            return None
        return (self.present_marks * 10000 + marked // 2) // marked


def _activities(filters: Filters) -> Query:
    query = select(Activity.id, Activity.kind).where(
        Activity.deleted_at.is_(None),
        Activity.held_on.between(filters.period.start, filters.period.end),
    )
    if filters.antenne_id:
        query = query.join(Permanence, Permanence.id == Activity.permanence_id).where(
            Permanence.antenne_id == filters.antenne_id
        )
    return query


def attendance_rows(filters: Filters, dialect_name: str) -> Query:
    """One row per attendance mark of the period: person_id, state, minutes of its slot."""
    activities = _activities(filters).subquery("activities")
    return (
        select(
            Attendance.person_id.label("person_id"),
            Attendance.state.label("state"),
            minutes_between(ActivitySlot.starts_at, ActivitySlot.ends_at, dialect_name).label(
                "minutes"
            ),
        )
        .join(ActivitySlot, ActivitySlot.id == Attendance.slot_id)
        .join(activities, activities.c.id == ActivitySlot.activity_id)
        .join(Person, Person.id == Attendance.person_id)
        .where(Attendance.deleted_at.is_(None), ActivitySlot.deleted_at.is_(None), person_live())
    )


def participant_members(filters: Filters, dialect_name: str) -> Query:
    marks = attendance_rows(filters, dialect_name).subquery("marks")
    return select(marks.c.person_id).where(marks.c.state == "present").distinct()


def workshops_in(session: Session, filters: Filters) -> WorkshopFigures:
    activities = _activities(filters).subquery("activities")
    by_kind = {
        k: int(n)
        for k, n in session.execute(
            select(activities.c.kind, func.count()).group_by(activities.c.kind)
        )
    }
    marks = attendance_rows(filters, dialect(session)).subquery("marks")
    states: dict[str, tuple[int, int, int]] = {
        state: (int(n), int(minutes or 0), int(people))
        for state, n, minutes, people in session.execute(
            select(
                marks.c.state,
                func.count(),
                func.sum(marks.c.minutes),
                func.count(func.distinct(marks.c.person_id)),
            ).group_by(marks.c.state)
        )
    }
    present = states.get("present", (0, 0, 0))
    return WorkshopFigures(
        held=sum(by_kind.values()),
        by_kind=ordered(by_kind, ACTIVITY_KIND_LABELS, keep=("atelier",)),
        participants=present[2],
        present_marks=present[0],
        absent_marks=states.get("absent", (0, 0, 0))[0],
        excused_marks=states.get("excuse", (0, 0, 0))[0],
        attendance_minutes=present[1],
    )


def workshops(uow_factory: UnitOfWorkFactory, filters: Filters) -> WorkshopFigures:
    """Definitions ``workshops_held``, ``workshop_participants`` and ``attendance_hours``."""
    with uow_factory() as uow:
        return workshops_in(uow.session, filters)
