"""Appointments and the agenda of the day: who is expected at the permanence, and whether
their interview is already started (so one click opens it) or still to start."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import today as clock_today
from app.clock import utcnow
from app.errors import Collector, NotFoundError
from app.models import (
    Accompagnateur,
    Appointment,
    FollowupInterview,
    IntakeInterview,
    Permanence,
    Person,
)
from app.people.persons import check_free_text, live_person
from app.uow import UnitOfWorkFactory

KINDS = ("accueil", "suivi")


@dataclass(frozen=True)
class AppointmentInput:
    person_id: str
    # Local wall-clock time of the meeting (10:00 at the permanence), unlike the UTC
    # audit stamps of the Synced columns.
    starts_at: dt.datetime
    kind: str = "suivi"
    permanence_id: str | None = None
    accompagnateur_id: str | None = None
    note: str = ""


@dataclass(frozen=True)
class AgendaEntry:
    appointment_id: str
    starts_at: dt.datetime
    kind: str
    person_id: str
    person_name: str
    permanence: str
    note: str
    # The interview of that person on that day, if any: open it rather than start another.
    interview_kind: str = ""  # accueil | suivi | ""
    interview_id: str | None = None
    interview_is_draft: bool = False


@dataclass(frozen=True)
class RecentInterview:
    kind: str  # accueil | suivi
    id: str
    held_on: dt.date
    person_id: str
    person_name: str
    is_draft: bool
    decision: str
    accompagnateur: str
    updated_by: str


def schedule_appointment(
    uow_factory: UnitOfWorkFactory, data: AppointmentInput, today: dt.date | None = None
) -> str:
    day = today or clock_today()
    with uow_factory() as uow:
        live_person(uow.session, data.person_id)
        errors = Collector()
        errors.check(data.kind in KINDS, "kind", "invalid_choice")
        errors.check(data.starts_at.date() >= day, "starts_at", "appointment_in_past")
        if data.permanence_id and uow.session.get(Permanence, data.permanence_id) is None:
            errors.add("permanence_id", "unknown_option")
        check_free_text(errors, "note", data.note)
        errors.raise_if_any()
        row = Appointment(**data.__dict__)
        uow.session.add(row)
        uow.commit()
        return row.id


def cancel_appointment(uow_factory: UnitOfWorkFactory, appointment_id: str) -> None:
    with uow_factory() as uow:
        row = uow.session.get(Appointment, appointment_id)
        if row is None or row.deleted_at is not None:
            raise NotFoundError("appointment_not_found", id=appointment_id)
        row.deleted_at = utcnow()
        uow.commit()


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time())
    return start, start + dt.timedelta(days=1)


def agenda_for_day(
    uow_factory: UnitOfWorkFactory, day: dt.date, permanence_id: str | None = None
) -> list[AgendaEntry]:
    """Appointments of the day, at one permanence (or everywhere when ``None``)."""
    start, end = _day_bounds(day)
    with uow_factory() as uow:
        session = uow.session
        query = (
            select(Appointment, Person.first_name, Person.last_name, Permanence.town)
            .join(Person, Person.id == Appointment.person_id)
            .outerjoin(Permanence, Permanence.id == Appointment.permanence_id)
            .where(
                Appointment.deleted_at.is_(None),
                Person.deleted_at.is_(None),
                Appointment.starts_at >= start,
                Appointment.starts_at < end,
            )
            .order_by(Appointment.starts_at)
        )
        if permanence_id:
            query = query.where(Appointment.permanence_id == permanence_id)
        rows = list(session.execute(query))
        started = _interviews_on(session, day, [r[0].person_id for r in rows])
        entries = []
        for appointment, first, last, town in rows:
            found = started.get((appointment.person_id, appointment.kind))
            entries.append(
                AgendaEntry(
                    appointment.id,
                    appointment.starts_at,
                    appointment.kind,
                    appointment.person_id,
                    f"{last.upper()} {first}",
                    town or "",
                    appointment.note,
                    interview_kind=found[0] if found else "",
                    interview_id=found[1] if found else None,
                    interview_is_draft=found[2] if found else False,
                )
            )
        return entries


def _interviews_on(
    session: Session, day: dt.date, person_ids: list[str]
) -> dict[tuple[str, str], tuple[str, str, bool]]:
    """(person, kind) -> (kind, id, is_draft) of the interviews held that day.
    An unfinished intake draft of the person also counts (it is resumed, whatever its date)."""
    found: dict[tuple[str, str], tuple[str, str, bool]] = {}
    if not person_ids:
        return found
    for pid, iid, draft in session.execute(
        select(IntakeInterview.person_id, IntakeInterview.id, IntakeInterview.is_draft).where(
            IntakeInterview.person_id.in_(person_ids),
            IntakeInterview.deleted_at.is_(None),
            (IntakeInterview.held_on == day) | IntakeInterview.is_draft.is_(True),
        )
    ):
        found[(pid, "accueil")] = ("accueil", iid, bool(draft))
    for pid, fid in session.execute(
        select(FollowupInterview.person_id, FollowupInterview.id).where(
            FollowupInterview.person_id.in_(person_ids),
            FollowupInterview.deleted_at.is_(None),
            FollowupInterview.held_on == day,
        )
    ):
        found[(pid, "suivi")] = ("suivi", fid, False)
    return found


def recent_interviews(
    uow_factory: UnitOfWorkFactory, limit: int = 50, accompagnateur_id: str | None = None
) -> list[RecentInterview]:
    """The latest intakes and follow-ups, drafts included, newest first."""
    with uow_factory() as uow:
        session = uow.session
        staff = {
            a.id: f"{a.first_name} {a.last_name}" for a in session.scalars(select(Accompagnateur))
        }
        intake_q = (
            select(IntakeInterview, Person.first_name, Person.last_name)
            .join(Person, Person.id == IntakeInterview.person_id)
            .where(IntakeInterview.deleted_at.is_(None), Person.deleted_at.is_(None))
            .order_by(IntakeInterview.held_on.desc(), IntakeInterview.updated_at.desc())
            .limit(limit)
        )
        follow_q = (
            select(FollowupInterview, Person.first_name, Person.last_name)
            .join(Person, Person.id == FollowupInterview.person_id)
            .where(FollowupInterview.deleted_at.is_(None), Person.deleted_at.is_(None))
            .order_by(FollowupInterview.held_on.desc(), FollowupInterview.updated_at.desc())
            .limit(limit)
        )
        if accompagnateur_id:
            intake_q = intake_q.where(IntakeInterview.accompagnateur_id == accompagnateur_id)
            follow_q = follow_q.where(FollowupInterview.accompagnateur_id == accompagnateur_id)
        rows = [
            RecentInterview(
                "accueil",
                i.id,
                i.held_on,
                i.person_id,
                f"{last.upper()} {first}",
                i.is_draft,
                i.decision,
                staff.get(i.accompagnateur_id or "", ""),
                i.updated_by or "",
            )
            for i, first, last in session.execute(intake_q)
        ] + [
            RecentInterview(
                "suivi",
                f.id,
                f.held_on,
                f.person_id,
                f"{last.upper()} {first}",
                False,
                "",
                staff.get(f.accompagnateur_id or "", ""),
                f.updated_by or "",
            )
            for f, first, last in session.execute(follow_q)
        ]
    rows.sort(key=lambda r: r.held_on, reverse=True)
    return rows[:limit]
