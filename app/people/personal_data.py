"""RGPD rights on one person: the right-of-access export (the person's own data in words
a person understands, with the controller, purposes, recipients, retention and the CNIL:
docs/personal-data.md) and the retention list of applicants not admitted without
contact for 2 years (a person confirms each one). Anonymisation: app/people/anonymise.py.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from app.clock import now
from app.clock import today as clock_today
from app.invoicing.cae_identity import read_identity
from app.models import Base, FollowupInterview, IntakeInterview, ParcoursStage, Person
from app.people.access_readable import readable_sections
from app.people.anonymise import anonymise_person
from app.people.parcours_rules import add_months
from app.people.personal_data_notice import RETENTION_MONTHS_NOT_ADMITTED, notice
from app.people.persons import live_person
from app.states import ACCOMPANIED_STAGES, ClientKind, IntakeDecision
from app.uow import UnitOfWorkFactory
from app.workshops.retention import cofinanced_attendees

__all__ = ["anonymise_person", "export_person", "retention_candidates", "write_export"]

ADMITTED_KINDS = ACCOMPANIED_STAGES
EXPORT_FORMAT = "permanence-export-personne/2"
# Rows that are not the person's own data are not crawled through: a client's other
# links (the e-invoicing directory cache) say nothing about the entrepreneur; reference
# rows (antenne, permanence) are named, not exported.
NOT_CRAWLED = frozenset({"antenne", "permanence", "client"})
# Columns left out of the export (DESIGN §7, docs/personal-data.md): copies of other
# people's data (an issued invoice's buyer snapshot holds a private client's name and
# address; a payment reference may name the payer), file locations, search keys, and a
# signature's raw strokes and chain hashes (the export says when and for what it was
# given).
DROPPED_COLUMNS: dict[str, frozenset[str]] = {
    "person": frozenset({"search_key", "merged_into_id"}),
    "invoice": frozenset(
        {"seller_snapshot", "buyer_snapshot", "pdf_path", "pdf_sha256", "search_key"}
    ),
    "payment": frozenset({"reference"}),
    "attendance_signature": frozenset(
        {
            "strokes",
            "strokes_sha256",
            "flags",
            "marks",
            "previous_sha256",
            "link_sha256",
            "sync_stamp",
            "device",
            "signer_name",
        }
    ),
}
# A client of an entrepreneur is shown as a business (name and numbers); a private
# individual's identity is that person's data, not the entrepreneur's.
BUSINESS_CLIENT_COLUMNS = ("id", "kind", "name", "siren", "vat_number", "country_code")
PRIVATE_CLIENT_COLUMNS = ("id", "kind", "country_code")


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


def _minimised(table: str, row: dict[str, Any]) -> dict[str, Any]:
    if table == "client":
        business = row.get("kind") != ClientKind.PRIVATE
        keep = BUSINESS_CLIENT_COLUMNS if business else PRIVATE_CLIENT_COLUMNS
        return {key: row[key] for key in keep if key in row}
    dropped = DROPPED_COLUMNS.get(table, frozenset())
    return {key: value for key, value in row.items() if key not in dropped}


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


def _collect(session: Session, person_id: str) -> dict[str, list[dict[str, Any]]]:
    """The rows about the person, whatever area wrote them: the tables that reference
    the person, then the tables that reference those (invoice lines, payments...)."""
    data: dict[str, list[dict[str, Any]]] = {}
    collected: dict[str, list[str]] = {"person": [person_id]}
    for _depth in range(2):
        # Tables found at this depth join ``collected`` only after the pass, so a table
        # reached by two paths is read once.
        found: dict[str, list[str]] = {}
        for table in Base.metadata.sorted_tables:
            if table.name in collected or "id" not in table.c:
                continue
            for fk in table.foreign_keys:
                parent = fk.column.table.name
                if parent in collected and parent not in NOT_CRAWLED:
                    rows = _rows(session, table, fk.parent.name, collected[parent])
                    known = set(found.get(table.name, []))
                    fresh = [r for r in rows if r["id"] not in known]
                    if fresh:
                        data.setdefault(table.name, []).extend(fresh)
                        found.setdefault(table.name, []).extend(r["id"] for r in fresh)
        collected.update(found)
    return {table: [_minimised(table, row) for row in rows] for table, rows in data.items()}


def exported_tables() -> list[str]:
    """The tables an export can hold rows of (the crawl of :func:`_collect`, read from
    the schema): each of their shown columns needs French words (app/pdf/
    person_export_labels.py)."""
    collected = {"person"}
    for _depth in range(2):
        found = {
            table.name
            for table in Base.metadata.sorted_tables
            if table.name not in collected and "id" in table.c
            for fk in table.foreign_keys
            if fk.column.table.name in collected and fk.column.table.name not in NOT_CRAWLED
        }
        collected |= found
    return sorted(collected)


def shown_columns(table: str) -> list[str]:
    """The columns of ``table`` the export keeps (after minimisation)."""
    names = [c.name for c in Base.metadata.tables[table].columns]
    if table == "client":
        return [n for n in names if n in BUSINESS_CLIENT_COLUMNS]
    return [n for n in names if n not in DROPPED_COLUMNS.get(table, frozenset())]


def export_person(uow_factory: UnitOfWorkFactory, person_id: str) -> dict[str, Any]:
    """The person's own data (minimised, DESIGN §7) and what the law says they must be
    told (controller, purposes, recipients, retention, the CNIL): the JSON copy of the
    right-of-access export. ``sections`` is the same data in words (labels, formatted
    dates and amounts), as the PDF prints it."""
    with uow_factory() as uow:
        session = uow.session
        person = live_person(session, person_id)
        person_row = session.execute(
            select(Person.__table__).where(Person.__table__.c.id == person.id)
        ).one()
        raw = {k: _plain(v) for k, v in person_row._mapping.items()}
        tables = _collect(session, person.id)
        person_data = _minimised("person", raw)
        data: dict[str, Any] = {
            "format": EXPORT_FORMAT,
            "exported_at": now().isoformat(timespec="seconds"),
            "information": notice(read_identity(session)).as_json(),
            "person": person_data,
            **tables,
        }
        data["sections"] = [
            section.as_json() for section in readable_sections(session, person_data, tables)
        ]
        return data


def export_stem(person_id: str) -> str:
    """Export files are named by the person's id, not their name: a file name is a copy
    that anonymisation could not reach otherwise (app/people/anonymise.py)."""
    return f"donnees-personnelles-{person_id}"


def write_export(uow_factory: UnitOfWorkFactory, person_id: str, folder: Path) -> tuple[Path, Path]:
    """JSON (machine-readable) and PDF (readable) side by side; returns both paths."""
    from app.pdf.person_export import build_person_export

    data = export_person(uow_factory, person_id)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{export_stem(data['person']['id'])}-{clock_today()}"
    json_path = folder / f"{stem}.json"
    json_path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    pdf_path = folder / f"{stem}.pdf"
    build_person_export(pdf_path, data)
    return json_path, pdf_path


def retention_candidates(
    uow_factory: UnitOfWorkFactory, today: dt.date | None = None
) -> list[RetentionCandidate]:
    """Applicants never admitted whose last contact is more than 2 years old, except who
    attended an EU co-financed workshop in the last 10 years (app/workshops/retention.py)."""
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
                # Their co-financed workshops' evidence is kept 10 years (issue 16).
                Person.id.not_in(cofinanced_attendees(day)),
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
