"""RGPD rights on one person: export everything held, anonymise; and the retention list of
applicants not admitted without contact for 2 years (a person confirms each one)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from app.clock import now, utcnow
from app.clock import today as clock_today
from app.errors import ConflictError
from app.models import (
    Appointment,
    Base,
    FollowupInterview,
    IntakeInterview,
    Invoice,
    ParcoursStage,
    Person,
)
from app.people.parcours_rules import add_months
from app.people.persons import live_person
from app.states import ACCOMPANIED_STAGES, IntakeDecision
from app.uow import UnitOfWorkFactory

RETENTION_MONTHS_NOT_ADMITTED = 24
INVOICE_RETENTION_YEARS = 10
ANONYMOUS_NAME = "Anonyme"
ADMITTED_KINDS = ACCOMPANIED_STAGES
# Free text that may identify the person: cleared on anonymisation. Dates, codes and
# decisions stay so the network's statistics still count the accompaniment.
CLEARED_TEXT = {
    IntakeInterview: (
        "project_what",
        "project_how",
        "project_to_whom",
        "project_territory",
        "experience",
        "motivation",
        "needs",
        "decision_reason",
        "next_step",
    ),
    FollowupInterview: ("points_discussed", "action_plan"),
    ParcoursStage: ("notes",),
    Appointment: ("note",),
}


@dataclass(frozen=True)
class RetentionCandidate:
    person_id: str
    name: str
    last_contact_on: dt.date | None
    decision: str


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _rows(session: Session, table: Table, column: str, ids: list[str]) -> list[dict[str, Any]]:
    if not ids:
        return []
    query = select(table).where(table.c[column].in_(ids))
    if "deleted_at" in table.c:
        query = query.where(table.c.deleted_at.is_(None))
    return [
        {key: _plain(value) for key, value in row._mapping.items()}
        for row in session.execute(query)
    ]


def export_person(uow_factory: UnitOfWorkFactory, person_id: str) -> dict[str, Any]:
    """Every row about the person, whatever area wrote it: the tables that reference the
    person, then the tables that reference those (invoice lines, payments...)."""
    with uow_factory() as uow:
        session = uow.session
        person = live_person(session, person_id)
        person_row = session.execute(
            select(Person.__table__).where(Person.__table__.c.id == person.id)
        ).one()
        data: dict[str, Any] = {
            "format": "permanence-export-personne/1",
            "exported_at": now().isoformat(timespec="seconds"),
            "person": {k: _plain(v) for k, v in person_row._mapping.items()},
        }
        collected: dict[str, list[str]] = {"person": [person.id]}
        for _depth in range(2):
            # Tables found at this depth join ``collected`` only after the pass, so a table
            # reached by two paths (invoice: by entrepreneur and by client) is read in one.
            found: dict[str, list[str]] = {}
            for table in Base.metadata.sorted_tables:
                if table.name in collected or "id" not in table.c:
                    continue
                for fk in table.foreign_keys:
                    parent = fk.column.table.name
                    if parent in collected and parent not in ("antenne", "permanence"):
                        rows = _rows(session, table, fk.parent.name, collected[parent])
                        known = set(found.get(table.name, []))
                        fresh = [r for r in rows if r["id"] not in known]
                        if fresh:
                            data.setdefault(table.name, []).extend(fresh)
                            found.setdefault(table.name, []).extend(r["id"] for r in fresh)
            collected.update(found)
        return data


def write_export(uow_factory: UnitOfWorkFactory, person_id: str, folder: Path) -> tuple[Path, Path]:
    """JSON (machine-readable) and PDF (readable) side by side; returns both paths."""
    from app.pdf.person_export import build_person_export

    data = export_person(uow_factory, person_id)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"donnees-{data['person']['last_name']}-{data['person']['first_name']}-{clock_today()}"
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in stem)
    json_path = folder / f"{stem}.json"
    json_path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    pdf_path = folder / f"{stem}.pdf"
    build_person_export(pdf_path, data)
    return json_path, pdf_path


def anonymise_person(
    uow_factory: UnitOfWorkFactory, person_id: str, today: dt.date | None = None
) -> None:
    """Erase what identifies the person; keep dated facts for statistics.

    Refused while invoices issued for the person's activity are within their 10-year
    retention (the invoice must keep showing whose activity it was)."""
    day = today or clock_today()
    with uow_factory() as uow:
        session = uow.session
        person = live_person(session, person_id)
        if person.anonymised_at is not None:
            raise ConflictError("already_anonymised")
        limit = add_months(day, -12 * INVOICE_RETENTION_YEARS)
        issued = session.scalar(
            select(func.count(Invoice.id)).where(
                Invoice.entrepreneur_id == person.id,
                Invoice.issue_date.is_not(None),
                Invoice.issue_date >= limit,
            )
        )
        if issued:
            raise ConflictError("invoices_retention", count=int(issued))
        person.civility = ""
        person.first_name = ""
        person.last_name = ANONYMOUS_NAME
        person.birth_date = None
        for name in ("email", "phone", "address", "postcode", "city", "notes", "activity_name"):
            setattr(person, name, "")
        person.anonymised_at = utcnow()
        for model, columns in CLEARED_TEXT.items():
            for row in session.scalars(
                select(model).where(model.person_id == person.id)  # type: ignore[attr-defined]
            ):
                for column in columns:
                    if getattr(row, column):
                        setattr(row, column, "")
        uow.commit()


def retention_candidates(
    uow_factory: UnitOfWorkFactory, today: dt.date | None = None
) -> list[RetentionCandidate]:
    """Applicants never admitted whose last contact is more than 2 years old."""
    day = today or clock_today()
    cutoff = add_months(day, -RETENTION_MONTHS_NOT_ADMITTED)
    with uow_factory() as uow:
        session = uow.session
        admitted = select(ParcoursStage.person_id).where(
            ParcoursStage.kind.in_(ADMITTED_KINDS), ParcoursStage.deleted_at.is_(None)
        )
        last_followup = (
            select(FollowupInterview.person_id, func.max(FollowupInterview.held_on).label("d"))
            .where(FollowupInterview.deleted_at.is_(None))
            .group_by(FollowupInterview.person_id)
            .subquery()
        )
        intakes = (
            select(
                IntakeInterview.person_id,
                IntakeInterview.held_on,
                IntakeInterview.decision,
                func.row_number()
                .over(
                    partition_by=IntakeInterview.person_id,
                    order_by=(IntakeInterview.held_on.desc(), IntakeInterview.created_at.desc()),
                )
                .label("rank"),
            )
            .where(IntakeInterview.deleted_at.is_(None))
            .subquery()
        )
        latest_intake = select(intakes).where(intakes.c.rank == 1).subquery()
        query = (
            select(
                Person.id,
                Person.first_name,
                Person.last_name,
                Person.last_contact_on,
                Person.created_at,
                last_followup.c.d,
                latest_intake.c.held_on,
                latest_intake.c.decision,
            )
            .outerjoin(last_followup, last_followup.c.person_id == Person.id)
            .outerjoin(latest_intake, latest_intake.c.person_id == Person.id)
            .where(
                Person.deleted_at.is_(None),
                Person.merged_into_id.is_(None),
                Person.anonymised_at.is_(None),
                Person.id.not_in(admitted),
            )
        )
        found = []
        for (
            pid,
            first,
            last_name,
            contact,
            created,
            followup_on,
            intake_on,
            decision,
        ) in session.execute(query):
            dates = [d for d in (contact, followup_on, intake_on) if d]
            last = max(dates) if dates else created.date()
            if last < cutoff and decision != IntakeDecision.ADMITTED:
                found.append(
                    RetentionCandidate(pid, f"{last_name.upper()} {first}", last, decision or "")
                )
    return sorted(found, key=lambda c: (c.last_contact_on or day, c.name))
