"""Parcours stages of a person: add, change, renew a CAPE, tombstone; alerts for everyone.

The status is never stored: :func:`app.people.parcours_rules.derive_status`
computes it from the stages each time.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app import formatting
from app.clock import today as clock_today
from app.clock import utcnow
from app.errors import Collector, ConflictError, NotFoundError
from app.models import FollowupInterview, IntakeInterview, OptionItem, ParcoursStage, Person
from app.people.parcours_rules import (
    CAPE_MAX_RENEWALS,
    CONTRACT_TYPES,
    KINDS,
    OUTCOMES,
    Alert,
    StageInfo,
    Status,
    add_months,
    alerts_for,
    cape_max_end,
    derive_status,
)
from app.people.persons import check_free_text, live_person
from app.states import StageKind
from app.uow import UnitOfWorkFactory

EARLIEST_STAGE = dt.date(1990, 1, 1)
PLANNING_HORIZON = dt.timedelta(days=366)  # a convention may be signed ahead, not years ahead


@dataclass(frozen=True)
class StageInput:
    person_id: str
    kind: str
    start_date: dt.date
    end_date: dt.date | None = None
    renewals: int = 0
    contract_type: str = ""
    outcome: str = ""
    exit_reason_code: str = ""
    notes: str = ""


_STAGE_COLUMNS = (
    "id", "person_id", "kind", "start_date", "end_date", "renewals", "contract_type",
    "outcome", "exit_reason_code", "notes", "created_by", "updated_by", "updated_at",
)  # fmt: skip


def stage_info(row: ParcoursStage) -> StageInfo:
    return StageInfo(
        id=row.id,
        person_id=row.person_id,
        kind=row.kind,
        start_date=row.start_date,
        end_date=row.end_date,
        renewals=row.renewals,
        contract_type=row.contract_type,
        outcome=row.outcome,
        exit_reason_code=row.exit_reason_code,
        notes=row.notes,
        created_by=row.created_by or "",
        updated_by=row.updated_by or "",
        updated_at=row.updated_at,
    )


def stages_of(session: Session, person_id: str) -> list[StageInfo]:
    rows = session.scalars(
        select(ParcoursStage)
        .where(ParcoursStage.person_id == person_id, ParcoursStage.deleted_at.is_(None))
        .order_by(ParcoursStage.start_date, ParcoursStage.created_at)
    )
    return [stage_info(r) for r in rows]


def latest_intake_decision(session: Session, person_id: str) -> str:
    query = (
        select(IntakeInterview.decision)
        .where(
            IntakeInterview.person_id == person_id,
            IntakeInterview.deleted_at.is_(None),
            IntakeInterview.is_draft.is_(False),
        )
        .order_by(IntakeInterview.held_on.desc(), IntakeInterview.created_at.desc())
        .limit(1)
    )
    return session.scalar(query) or ""


def validate_stage(
    session: Session, data: StageInput, stage_id: str | None, today: dt.date
) -> StageInput:
    """Every reason at once; the returned input drops fields that do not apply to the kind."""
    errors = Collector()
    if data.kind not in KINDS:
        errors.add("kind", "invalid_choice")
    if data.start_date < EARLIEST_STAGE:
        errors.add("start_date", "invalid_date")
    elif data.start_date > today + PLANNING_HORIZON:
        errors.add("start_date", "date_too_far")
    if data.end_date is not None and data.end_date < data.start_date:
        errors.add("end_date", "end_before_start")
    others = [s for s in stages_of(session, data.person_id) if s.id != stage_id]
    clean = replace(data, notes=data.notes.strip())
    if data.kind == StageKind.CAPE:
        _check_cape(errors, data, others)
    else:
        clean = replace(clean, renewals=0)
    if data.kind == StageKind.SALARIE:
        errors.check(data.contract_type in CONTRACT_TYPES, "contract_type", "required")
    else:
        clean = replace(clean, contract_type="")
    if data.kind == StageKind.ASSOCIE and not any(
        s.kind == StageKind.SALARIE and s.start_date <= data.start_date for s in others
    ):
        errors.add("start_date", "associe_needs_salarie")
    if data.kind == StageKind.SORTIE:
        _check_exit(errors, session, data, others)
        clean = replace(clean, end_date=None)
    else:
        clean = replace(clean, outcome="", exit_reason_code="")
    check_free_text(errors, "notes", data.notes)
    errors.raise_if_any()
    return clean


def _check_cape(errors: Collector, data: StageInput, others: list[StageInfo]) -> None:
    if not 0 <= data.renewals <= CAPE_MAX_RENEWALS:
        errors.add("renewals", "too_many_renewals", max=CAPE_MAX_RENEWALS)
    if data.end_date is None:
        errors.add("end_date", "required")
    elif data.end_date >= data.start_date:
        latest = cape_max_end(data.start_date, min(max(data.renewals, 0), CAPE_MAX_RENEWALS))
        if data.end_date > latest:
            errors.add("end_date", "cape_too_long", max=formatting.date(latest))
    end = data.end_date or data.start_date
    for other in others:
        if (
            other.kind == StageKind.CAPE
            and other.start_date <= end
            and data.start_date <= (other.end_date or other.start_date)
        ):
            errors.add("start_date", "cape_overlap", start=formatting.date(other.start_date))
            break


def _check_exit(
    errors: Collector, session: Session, data: StageInput, others: list[StageInfo]
) -> None:
    if data.outcome and data.outcome not in OUTCOMES:
        errors.add("outcome", "invalid_choice")
    if data.exit_reason_code:
        known = session.scalar(
            select(OptionItem.id).where(
                OptionItem.kind == "exit_reason",
                OptionItem.code == data.exit_reason_code,
                OptionItem.deleted_at.is_(None),
            )
        )
        errors.check(known is not None, "exit_reason_code", "unknown_option")
    if not data.outcome and not data.exit_reason_code:
        errors.add("outcome", "exit_reason_required")
    latest = max((s.start_date for s in others if s.kind != StageKind.SORTIE), default=None)
    if latest is not None and data.start_date < latest:
        errors.add("start_date", "exit_before_stage", last=formatting.date(latest))


def add_stage(
    uow_factory: UnitOfWorkFactory, data: StageInput, today: dt.date | None = None
) -> StageInfo:
    with uow_factory() as uow:
        live_person(uow.session, data.person_id)
        clean = validate_stage(uow.session, data, None, today or clock_today())
        row = ParcoursStage(**clean.__dict__)
        uow.session.add(row)
        uow.commit()
        return stage_info(row)


def update_stage(
    uow_factory: UnitOfWorkFactory, stage_id: str, data: StageInput, today: dt.date | None = None
) -> StageInfo:
    with uow_factory() as uow:
        row = _live_stage(uow.session, stage_id)
        clean = validate_stage(
            uow.session, replace(data, person_id=row.person_id), stage_id, today or clock_today()
        )
        for key, value in clean.__dict__.items():
            if getattr(row, key) != value:
                setattr(row, key, value)
        uow.commit()
        return stage_info(row)


def delete_stage(uow_factory: UnitOfWorkFactory, stage_id: str) -> None:
    with uow_factory() as uow:
        _live_stage(uow.session, stage_id).deleted_at = utcnow()
        uow.commit()


def renew_cape(uow_factory: UnitOfWorkFactory, stage_id: str) -> StageInfo:
    """Renew a CAPE for 12 more months; a third renewal is refused."""
    with uow_factory() as uow:
        row = _live_stage(uow.session, stage_id)
        if row.kind != StageKind.CAPE:
            raise ConflictError("not_a_cape")
        if row.renewals >= CAPE_MAX_RENEWALS:
            raise ConflictError("cape_max_renewals", max=CAPE_MAX_RENEWALS)
        row.renewals += 1
        base_end = row.end_date or cape_max_end(row.start_date, row.renewals - 1)
        row.end_date = min(add_months(base_end, 12), cape_max_end(row.start_date, row.renewals))
        uow.commit()
        return stage_info(row)


def ensure_salaried(
    session: Session, person_id: str, on: dt.date, contract_type: str = "CESA"
) -> StageInfo | None:
    """Open the "entrepreneur salarié" stage when the first invoice is issued.

    For the invoicing area, inside its own transaction; does nothing (returns None)
    when the person already has such a stage."""
    existing = session.scalar(
        select(ParcoursStage.id).where(
            ParcoursStage.person_id == person_id,
            ParcoursStage.kind == StageKind.SALARIE,
            ParcoursStage.deleted_at.is_(None),
        )
    )
    if existing is not None:
        return None
    row = ParcoursStage(
        person_id=person_id, kind=StageKind.SALARIE, start_date=on, contract_type=contract_type
    )
    session.add(row)
    session.flush()
    return stage_info(row)


def list_stages(uow_factory: UnitOfWorkFactory, person_id: str) -> list[StageInfo]:
    with uow_factory() as uow:
        return stages_of(uow.session, person_id)


def person_status(
    uow_factory: UnitOfWorkFactory, person_id: str, today: dt.date | None = None
) -> Status:
    with uow_factory() as uow:
        return derive_status(
            stages_of(uow.session, person_id),
            today or clock_today(),
            latest_intake_decision(uow.session, person_id),
        )


def _live_stage(session: Session, stage_id: str) -> ParcoursStage:
    row = session.get(ParcoursStage, stage_id)
    if row is None or row.deleted_at is not None:
        raise NotFoundError("stage_not_found", id=stage_id)
    return row


def list_alerts(
    uow_factory: UnitOfWorkFactory,
    today: dt.date | None = None,
    antenne_id: str | None = None,
    referent_id: str | None = None,
) -> list[Alert]:
    """Alerts for everyone still accompanied, most urgent first (undated last)."""
    day = today or clock_today()
    with uow_factory() as uow:
        session = uow.session
        people = select(Person.id, Person.first_name, Person.last_name).where(
            Person.deleted_at.is_(None),
            Person.merged_into_id.is_(None),
            Person.anonymised_at.is_(None),
        )
        if antenne_id:
            people = people.where(Person.antenne_id == antenne_id)
        if referent_id:
            people = people.where(Person.referent_id == referent_id)
        # Only people with a CAPE or a contract, and not exited, can raise an alert.
        stage = ParcoursStage.__table__.c
        later = ParcoursStage.__table__.alias("later")
        exited = select(stage.person_id).where(
            stage.kind == StageKind.SORTIE,
            stage.deleted_at.is_(None),
            stage.start_date <= day,
            ~exists().where(
                later.c.person_id == stage.person_id,
                later.c.deleted_at.is_(None),
                later.c.kind != StageKind.SORTIE,
                later.c.start_date > stage.start_date,
                later.c.start_date <= day,
            ),
        )
        concerned = (
            select(stage.person_id)
            .where(
                stage.kind.in_((StageKind.CAPE, StageKind.SALARIE)),
                stage.deleted_at.is_(None),
                stage.person_id.not_in(exited),
            )
            .distinct()
        )
        names = {
            pid: f"{last.upper()} {first}"
            for pid, first, last in session.execute(people.where(Person.id.in_(concerned)))
        }
        stages: dict[str, list[StageInfo]] = defaultdict(list)
        # Plain column tuples: building ORM objects for thousands of stages costs 5x more.
        columns = [getattr(stage, name) for name in _STAGE_COLUMNS]
        for values in session.execute(
            select(*columns)
            .where(stage.person_id.in_(concerned), stage.deleted_at.is_(None))
            .order_by(stage.start_date)
        ):
            if values.person_id in names:
                fields = dict(values._mapping)
                fields["created_by"] = fields["created_by"] or ""
                fields["updated_by"] = fields["updated_by"] or ""
                stages[values.person_id].append(StageInfo(**fields))
        followups: dict[str, list[dt.date]] = defaultdict(list)
        for pid, held_on in session.execute(
            select(FollowupInterview.person_id, FollowupInterview.held_on).where(
                FollowupInterview.deleted_at.is_(None),
                FollowupInterview.held_on > add_months(day, -12),
                FollowupInterview.person_id.in_(concerned),
            )
        ):
            followups[pid].append(held_on)
    alerts = [
        alert
        for pid, name in names.items()
        for alert in alerts_for(pid, name, stages[pid], followups[pid], day)
    ]
    return sorted(alerts, key=lambda a: (a.due_on is None, a.due_on or day, a.person_name))
