"""Collective actions held, their participants and hours of attendance."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from app.indicators.definitions import ACTIVITY_KIND_LABELS, NO_THEME_LABEL
from app.indicators.period import NO_ANTENNE, Filters, Period
from app.indicators.sql import Breakdown, Query, dialect, minutes_between, ordered, person_live
from app.models import Activity, ActivitySlot, Attendance, Permanence, Person, WorkshopTheme
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
    # Minutes of presence per workshop theme (definition ``hours_by_theme``), largest
    # first; key "" is the actions without a theme.
    minutes_by_theme: tuple[Breakdown, ...] = ()


def _place_filter(query: Query, filters: Filters) -> Query:
    """Actions of the chosen antenne: the antenne of the permanence where they are held
    (:data:`NO_ANTENNE`: actions with no permanence)."""
    if filters.antenne_id == NO_ANTENNE:
        return query.where(Activity.permanence_id.is_(None))
    if filters.antenne_id:
        return query.join(Permanence, Permanence.id == Activity.permanence_id).where(
            Permanence.antenne_id == filters.antenne_id
        )
    return query


def _activities(filters: Filters) -> Query:
    """Actions dated (``held_on``, their first day) in the period."""
    query = select(Activity.id, Activity.kind).where(
        Activity.deleted_at.is_(None),
        Activity.held_on.between(filters.period.start, filters.period.end),
    )
    return _place_filter(query, filters)


def slot_in_period(period: Period) -> ColumnElement[bool]:
    """A slot (half-day) belongs to the period of its own day, not to its action's first
    day: an action from 30/12 to 02/01 splits its hours between the two years."""
    after_end = period.end + dt.timedelta(days=1)
    return and_(
        ActivitySlot.starts_at >= dt.datetime.combine(period.start, dt.time()),
        ActivitySlot.starts_at < dt.datetime.combine(after_end, dt.time()),
    )


def attendance_rows(filters: Filters, dialect_name: str) -> Query:
    """One row per attendance mark on a slot of the period: person_id, state, minutes of
    its slot. The antenne filter is the action's place (funder exports pass no antenne
    and filter on the person instead)."""
    places = _place_filter(
        select(Activity.id, Activity.theme_id).where(Activity.deleted_at.is_(None)), filters
    ).subquery("places")
    return (
        select(
            Attendance.person_id.label("person_id"),
            Attendance.state.label("state"),
            places.c.theme_id.label("theme_id"),
            minutes_between(ActivitySlot.starts_at, ActivitySlot.ends_at, dialect_name).label(
                "minutes"
            ),
        )
        .join(ActivitySlot, ActivitySlot.id == Attendance.slot_id)
        .join(places, places.c.id == ActivitySlot.activity_id)
        .join(Person, Person.id == Attendance.person_id)
        .where(
            Attendance.deleted_at.is_(None),
            ActivitySlot.deleted_at.is_(None),
            slot_in_period(filters.period),
            person_live(),
        )
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
    # One pass over the attendance marks (the join of marks, slots, actions and persons is
    # the costly part, ~40 ms a run on ten years of decade data): grouped per person,
    # state and theme, then summed here, instead of one query per figure.
    marks = attendance_rows(filters, dialect(session)).subquery("marks")
    grouped = session.execute(
        select(
            marks.c.person_id,
            marks.c.state,
            marks.c.theme_id,
            func.count(),
            func.sum(marks.c.minutes),
        ).group_by(marks.c.person_id, marks.c.state, marks.c.theme_id)
    )
    counts: dict[str, int] = defaultdict(int)
    minutes_of: dict[str, int] = defaultdict(int)
    people: dict[str, set[str]] = defaultdict(set)
    themes: dict[str, int] = defaultdict(int)
    for person_id, state, theme, n, minutes in grouped:
        counts[state] += int(n)
        minutes_of[state] += int(minutes or 0)
        people[state].add(person_id)
        if state == "present":
            themes[theme or ""] += int(minutes or 0)
    return WorkshopFigures(
        held=sum(by_kind.values()),
        by_kind=ordered(by_kind, ACTIVITY_KIND_LABELS, keep=("atelier",)),
        participants=len(people["present"]),
        present_marks=counts["present"],
        absent_marks=counts["absent"],
        excused_marks=counts["excuse"],
        attendance_minutes=minutes_of["present"],
        minutes_by_theme=_by_theme(session, dict(themes)),
    )


def _by_theme(session: Session, minutes: dict[str, int]) -> tuple[Breakdown, ...]:
    rows = session.execute(
        select(WorkshopTheme.id, WorkshopTheme.name).where(
            WorkshopTheme.id.in_([k for k in minutes if k])
        )
    )
    names = {theme_id: name for theme_id, name in rows}
    label = {k: names.get(k, NO_THEME_LABEL) if k else NO_THEME_LABEL for k in minutes}
    keys = sorted(minutes, key=lambda k: (-minutes[k], label[k]))
    return tuple(Breakdown(k, label[k], minutes[k]) for k in keys)


def workshops(uow_factory: UnitOfWorkFactory, filters: Filters) -> WorkshopFigures:
    """Definitions ``workshops_held``, ``workshop_participants``, ``attendance_hours`` and
    ``hours_by_theme``."""
    with uow_factory() as uow:
        return workshops_in(uow.session, filters)
