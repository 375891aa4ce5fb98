"""Everything the person page shows, loaded in one unit of work: the record, the stages and
derived status, the interviews, upcoming appointments, alerts and a dated timeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from app.clock import today as clock_today
from app.models import Accompagnateur, Appointment, FollowupInterview, IntakeInterview
from app.people.parcours import latest_intake_decision, stages_of
from app.people.parcours_rules import Alert, StageInfo, Status, alerts_for, derive_status
from app.people.persons import PersonDetail, live_person, option_label, person_detail
from app.uow import UnitOfWorkFactory


@dataclass(frozen=True)
class InterviewRow:
    kind: str  # accueil | suivi
    id: str
    held_on: dt.date
    is_draft: bool
    summary: str
    accompagnateur: str
    decision: str = ""
    mode: str = ""
    duration_minutes: int = 0
    created_by: str = ""
    updated_by: str = ""
    updated_at: dt.datetime | None = None


@dataclass(frozen=True)
class TimelineEvent:
    """``kind``: stage_<kind>, stage_end_<kind>, intake, followup, appointment."""

    on: dt.date
    kind: str
    text: str
    ref_kind: str  # stage | accueil | suivi | appointment
    ref_id: str
    stage: StageInfo | None = None


@dataclass(frozen=True)
class PersonFile:
    person: PersonDetail
    status: Status
    stages: list[StageInfo]
    interviews: list[InterviewRow]
    appointments: list[tuple[str, dt.datetime, str, str]]  # id, starts_at, kind, note
    alerts: list[Alert]
    timeline: list[TimelineEvent]
    exit_reasons: dict[str, str]  # code -> label, for the stages shown


def _first_line(text: str, width: int = 90) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= width else line[: width - 1] + "…"


def load_person_file(
    uow_factory: UnitOfWorkFactory, person_id: str, today: dt.date | None = None
) -> PersonFile:
    day = today or clock_today()
    with uow_factory() as uow:
        session = uow.session
        person = live_person(session, person_id)
        pid = person.id
        detail = person_detail(session, person)
        staff = {
            a.id: f"{a.first_name} {a.last_name}" for a in session.scalars(select(Accompagnateur))
        }
        stages = stages_of(session, pid)
        exit_reasons = {
            s.exit_reason_code: option_label(session, "exit_reason", s.exit_reason_code)
            for s in stages
            if s.exit_reason_code
        }
        decision = latest_intake_decision(session, pid)
        interviews = [
            InterviewRow(
                "accueil",
                i.id,
                i.held_on,
                i.is_draft,
                _first_line(i.project_what),
                staff.get(i.accompagnateur_id or "", ""),
                decision=i.decision,
                created_by=i.created_by or "",
                updated_by=i.updated_by or "",
                updated_at=i.updated_at,
            )
            for i in session.scalars(
                select(IntakeInterview).where(
                    IntakeInterview.person_id == pid, IntakeInterview.deleted_at.is_(None)
                )
            )
        ] + [
            InterviewRow(
                "suivi",
                f.id,
                f.held_on,
                False,
                _first_line(f.points_discussed),
                staff.get(f.accompagnateur_id or "", ""),
                mode=f.mode,
                duration_minutes=f.duration_minutes,
                created_by=f.created_by or "",
                updated_by=f.updated_by or "",
                updated_at=f.updated_at,
            )
            for f in session.scalars(
                select(FollowupInterview).where(
                    FollowupInterview.person_id == pid, FollowupInterview.deleted_at.is_(None)
                )
            )
        ]
        interviews.sort(key=lambda r: (r.held_on, r.updated_at or dt.datetime.min), reverse=True)
        appointments = [
            (a.id, a.starts_at, a.kind, a.note)
            for a in session.scalars(
                select(Appointment)
                .where(
                    Appointment.person_id == pid,
                    Appointment.deleted_at.is_(None),
                    Appointment.starts_at >= dt.datetime.combine(day, dt.time()),
                )
                .order_by(Appointment.starts_at)
            )
        ]
    status = derive_status(stages, day, decision)
    followup_dates = [r.held_on for r in interviews if r.kind == "suivi"]
    alerts = alerts_for(pid, detail.full_name, stages, followup_dates, day, decision)
    return PersonFile(
        detail,
        status,
        stages,
        interviews,
        appointments,
        alerts,
        timeline(stages, interviews, appointments),
        exit_reasons,
    )


def timeline(
    stages: list[StageInfo],
    interviews: list[InterviewRow],
    appointments: list[tuple[str, dt.datetime, str, str]],
) -> list[TimelineEvent]:
    """Newest first; an ended stage shows twice (its start and its end)."""
    events: list[TimelineEvent] = []
    for stage in stages:
        events.append(
            TimelineEvent(
                stage.start_date, f"stage_{stage.kind}", stage.notes, "stage", stage.id, stage
            )
        )
        if stage.end_date is not None:
            events.append(
                TimelineEvent(
                    stage.end_date, f"stage_end_{stage.kind}", "", "stage", stage.id, stage
                )
            )
    for row in interviews:
        kind = "intake" if row.kind == "accueil" else "followup"
        events.append(TimelineEvent(row.held_on, kind, row.summary, row.kind, row.id))
    for appointment_id, starts_at, _kind, note in appointments:
        events.append(
            TimelineEvent(starts_at.date(), "appointment", note, "appointment", appointment_id)
        )
    events.sort(key=lambda e: e.on, reverse=True)
    return events
