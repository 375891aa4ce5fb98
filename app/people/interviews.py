"""Entretiens: the intake interview (autosaved as a draft, then finalised with a decision)
and the follow-up interviews with their written report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import today as clock_today
from app.clock import utcnow
from app.errors import Collector, ConflictError, FieldError, NotFoundError, ValidationError
from app.models import (
    Accompagnateur,
    Appointment,
    FollowupInterview,
    IntakeInterview,
    ParcoursStage,
    Permanence,
)
from app.people.parcours import StageInput, validate_stage
from app.people.parcours_rules import INTAKE_DECISIONS, cape_max_end
from app.people.persons import check_free_text, live_person, touch_contact
from app.states import IntakeDecision, StageKind
from app.uow import UnitOfWorkFactory

MODES = ("presentiel", "telephone", "visio")
EARLIEST_INTERVIEW = dt.date(1990, 1, 1)
MIN_DURATION, MAX_DURATION = 5, 600
INTAKE_TEXTS = (
    "project_what",
    "project_how",
    "project_to_whom",
    "project_territory",
    "experience",
    "motivation",
    "needs",
    "decision_reason",
    "next_step",
)
DECISIONS_NEEDING_REASON = (IntakeDecision.REDIRECTED, IntakeDecision.NOT_RETAINED)


@dataclass(frozen=True)
class IntakeInput:
    person_id: str
    held_on: dt.date
    permanence_id: str | None = None
    accompagnateur_id: str | None = None
    project_what: str = ""
    project_how: str = ""
    project_to_whom: str = ""
    project_territory: str = ""
    experience: str = ""
    motivation: str = ""
    needs: str = ""
    decision: str = ""
    decision_reason: str = ""
    next_step: str = ""
    # When admitted: the CAPE is opened from this day (12 months).
    convention_start: dt.date | None = None


@dataclass(frozen=True)
class IntakeInfo(IntakeInput):
    id: str = ""
    is_draft: bool = True
    created_by: str = ""
    updated_by: str = ""
    updated_at: dt.datetime | None = None


@dataclass(frozen=True)
class FollowupInput:
    person_id: str
    held_on: dt.date
    duration_minutes: int = 60
    mode: str = "presentiel"
    permanence_id: str | None = None
    accompagnateur_id: str | None = None
    points_discussed: str = ""
    action_plan: str = ""
    next_appointment: dt.datetime | None = None


@dataclass(frozen=True)
class FollowupInfo(FollowupInput):
    id: str = ""
    created_by: str = ""
    updated_by: str = ""
    updated_at: dt.datetime | None = None


_INTAKE_COLUMNS = [f.name for f in fields(IntakeInput) if f.name != "convention_start"]
_FOLLOWUP_COLUMNS = [f.name for f in fields(FollowupInput)]


def _intake_info(row: IntakeInterview) -> IntakeInfo:
    return IntakeInfo(
        **{name: getattr(row, name) for name in _INTAKE_COLUMNS},
        id=row.id,
        is_draft=row.is_draft,
        created_by=row.created_by or "",
        updated_by=row.updated_by or "",
        updated_at=row.updated_at,
    )


def _followup_info(row: FollowupInterview) -> FollowupInfo:
    return FollowupInfo(
        **{name: getattr(row, name) for name in _FOLLOWUP_COLUMNS},
        id=row.id,
        created_by=row.created_by or "",
        updated_by=row.updated_by or "",
        updated_at=row.updated_at,
    )


def _check_held_on(
    errors: Collector, session: Session, person_id: str, held_on: dt.date, today: dt.date
) -> None:
    """A past or present date; a future one only for someone already on that day's agenda."""
    if held_on < EARLIEST_INTERVIEW:
        errors.add("held_on", "invalid_date")
    elif held_on > today and not _has_appointment_on(session, person_id, held_on):
        errors.add("held_on", "interview_in_future")


def _has_appointment_on(session: Session, person_id: str, day: dt.date) -> bool:
    start = dt.datetime.combine(day, dt.time())
    query = select(Appointment.id).where(
        Appointment.person_id == person_id,
        Appointment.deleted_at.is_(None),
        Appointment.starts_at >= start,
        Appointment.starts_at < start + dt.timedelta(days=1),
    )
    return session.scalar(query.limit(1)) is not None


def _check_references(
    errors: Collector, session: Session, permanence_id: str | None, accompagnateur_id: str | None
) -> None:
    if permanence_id and session.get(Permanence, permanence_id) is None:
        errors.add("permanence_id", "unknown_option")
    if accompagnateur_id and session.get(Accompagnateur, accompagnateur_id) is None:
        errors.add("accompagnateur_id", "unknown_option")


def _intake_row(session: Session, intake_id: str) -> IntakeInterview:
    row = session.get(IntakeInterview, intake_id)
    if row is None or row.deleted_at is not None:
        raise NotFoundError("interview_not_found", id=intake_id)
    return row


def _store_intake(session: Session, data: IntakeInput, intake_id: str | None) -> IntakeInterview:
    if intake_id is None:
        row = IntakeInterview(**{name: getattr(data, name) for name in _INTAKE_COLUMNS})
        session.add(row)
        return row
    row = _intake_row(session, intake_id)
    for name in _INTAKE_COLUMNS:
        value = getattr(data, name)
        if getattr(row, name) != value:
            setattr(row, name, value)
    return row


def save_intake_draft(
    uow_factory: UnitOfWorkFactory, data: IntakeInput, intake_id: str | None = None
) -> IntakeInfo:
    """Keep what is typed so far (autosave). Only a social security number is refused."""
    with uow_factory() as uow:
        live_person(uow.session, data.person_id)
        if intake_id is not None and not _intake_row(uow.session, intake_id).is_draft:
            raise ConflictError("intake_already_final")
        errors = Collector()
        for name in INTAKE_TEXTS:
            check_free_text(errors, name, getattr(data, name))
        errors.raise_if_any()
        row = _store_intake(uow.session, data, intake_id)
        row.is_draft = True
        uow.commit()
        return _intake_info(row)


def finalize_intake(
    uow_factory: UnitOfWorkFactory,
    data: IntakeInput,
    intake_id: str | None = None,
    today: dt.date | None = None,
) -> IntakeInfo:
    """Record the intake with its decision: opens the accueil stage, and the CAPE when the
    person is admitted with a convention start date. All or nothing."""
    day = today or clock_today()
    with uow_factory() as uow:
        session = uow.session
        person = live_person(session, data.person_id)
        errors = Collector()
        _check_held_on(errors, session, data.person_id, data.held_on, day)
        _check_references(errors, session, data.permanence_id, data.accompagnateur_id)
        errors.check(bool(data.accompagnateur_id), "accompagnateur_id", "required")
        errors.check(bool(data.project_what.strip()), "project_what", "required")
        if data.decision not in INTAKE_DECISIONS:
            errors.add("decision", "required")
        if data.decision in DECISIONS_NEEDING_REASON and not data.decision_reason.strip():
            errors.add("decision_reason", "reason_required")
        for name in INTAKE_TEXTS:
            check_free_text(errors, name, getattr(data, name))
        cape = _planned_cape(errors, session, data, day)
        errors.raise_if_any()
        row = _store_intake(session, data, intake_id)
        row.is_draft = False
        _ensure_accueil_stage(session, data.person_id, data.held_on)
        if cape is not None:
            session.add(ParcoursStage(**cape.__dict__))
        touch_contact(session, person, min(data.held_on, day))
        uow.commit()
        return replace(_intake_info(row), convention_start=data.convention_start)


def _planned_cape(
    errors: Collector, session: Session, data: IntakeInput, day: dt.date
) -> StageInput | None:
    if data.decision != IntakeDecision.ADMITTED or data.convention_start is None:
        return None
    if data.convention_start < data.held_on:
        errors.add("convention_start", "convention_before_intake")
        return None
    stage = StageInput(
        person_id=data.person_id,
        kind=StageKind.CAPE,
        start_date=data.convention_start,
        end_date=cape_max_end(data.convention_start, 0),
    )
    try:
        return validate_stage(session, stage, None, day)
    except ValidationError as exc:
        for item in exc.errors:
            errors.errors.append(FieldError("convention_start", item.code, item.params))
        return None


def _ensure_accueil_stage(session: Session, person_id: str, held_on: dt.date) -> None:
    existing = session.scalar(
        select(ParcoursStage).where(
            ParcoursStage.person_id == person_id,
            ParcoursStage.kind == "accueil",
            ParcoursStage.deleted_at.is_(None),
        )
    )
    if existing is None:
        session.add(ParcoursStage(person_id=person_id, kind="accueil", start_date=held_on))
    elif held_on < existing.start_date:
        existing.start_date = held_on


def get_intake(uow_factory: UnitOfWorkFactory, intake_id: str) -> IntakeInfo:
    with uow_factory() as uow:
        return _intake_info(_intake_row(uow.session, intake_id))


def draft_intake_for(uow_factory: UnitOfWorkFactory, person_id: str) -> IntakeInfo | None:
    """The person's unfinished intake, to resume it rather than start another."""
    with uow_factory() as uow:
        row = uow.session.scalar(
            select(IntakeInterview)
            .where(
                IntakeInterview.person_id == person_id,
                IntakeInterview.is_draft.is_(True),
                IntakeInterview.deleted_at.is_(None),
            )
            .order_by(IntakeInterview.updated_at.desc())
            .limit(1)
        )
        return _intake_info(row) if row is not None else None


def discard_intake_draft(uow_factory: UnitOfWorkFactory, intake_id: str) -> None:
    with uow_factory() as uow:
        row = _intake_row(uow.session, intake_id)
        if not row.is_draft:
            raise ConflictError("intake_already_final")
        row.deleted_at = utcnow()
        uow.commit()


def _followup_row(session: Session, followup_id: str) -> FollowupInterview:
    row = session.get(FollowupInterview, followup_id)
    if row is None or row.deleted_at is not None:
        raise NotFoundError("interview_not_found", id=followup_id)
    return row


def save_followup(
    uow_factory: UnitOfWorkFactory,
    data: FollowupInput,
    followup_id: str | None = None,
    today: dt.date | None = None,
) -> FollowupInfo:
    """Record a follow-up; its next appointment goes to the agenda."""
    day = today or clock_today()
    with uow_factory() as uow:
        session = uow.session
        person = live_person(session, data.person_id)
        errors = Collector()
        _check_held_on(errors, session, data.person_id, data.held_on, day)
        _check_references(errors, session, data.permanence_id, data.accompagnateur_id)
        errors.check(data.mode in MODES, "mode", "invalid_choice")
        if not MIN_DURATION <= data.duration_minutes <= MAX_DURATION:
            errors.add("duration_minutes", "invalid_duration", min=MIN_DURATION, max=MAX_DURATION)
        errors.check(bool(data.points_discussed.strip()), "points_discussed", "required")
        if data.next_appointment is not None and data.next_appointment.date() <= data.held_on:
            errors.add("next_appointment", "next_before_interview")
        for name in ("points_discussed", "action_plan"):
            check_free_text(errors, name, getattr(data, name))
        errors.raise_if_any()
        previous_next: dt.datetime | None = None
        if followup_id is None:
            row = FollowupInterview(**{n: getattr(data, n) for n in _FOLLOWUP_COLUMNS})
            session.add(row)
        else:
            row = _followup_row(session, followup_id)
            previous_next = row.next_appointment
            for name in _FOLLOWUP_COLUMNS:
                if getattr(row, name) != getattr(data, name):
                    setattr(row, name, getattr(data, name))
        _sync_next_appointment(session, data, previous_next)
        touch_contact(session, person, min(data.held_on, day))
        uow.commit()
        return _followup_info(row)


def _sync_next_appointment(
    session: Session, data: FollowupInput, previous: dt.datetime | None
) -> None:
    if data.next_appointment == previous:
        return
    moved = None
    if previous is not None:
        moved = session.scalar(
            select(Appointment).where(
                Appointment.person_id == data.person_id,
                Appointment.starts_at == previous,
                Appointment.deleted_at.is_(None),
            )
        )
    if data.next_appointment is None:
        if moved is not None:
            moved.deleted_at = utcnow()
        return
    if moved is not None:
        moved.starts_at = data.next_appointment
        return
    session.add(
        Appointment(
            person_id=data.person_id,
            permanence_id=data.permanence_id,
            accompagnateur_id=data.accompagnateur_id,
            starts_at=data.next_appointment,
            kind="suivi",
        )
    )


def get_followup(uow_factory: UnitOfWorkFactory, followup_id: str) -> FollowupInfo:
    with uow_factory() as uow:
        return _followup_info(_followup_row(uow.session, followup_id))
