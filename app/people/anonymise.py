"""Anonymise a person, and reach every copy of what identified them (docs/personal-data.md).

On the laptop that anonymises, in one transaction: the person's identity and the free
text of their interviews, stages and appointments are erased (dated facts stay for the
statistics), and the same values replace the former ones in the outbox entries still
waiting for the siège and in the sync conflicts kept for review (app/sync/erasure.py).
Then the documents generated about the person are deleted, and the database file is
rewritten (VACUUM) so the former values do not survive in free pages or the WAL.

Every other laptop does the same when the anonymisation reaches it by sync
(:func:`erase_pulled_anonymisations`, called after a pull); the siège scrubs its stored
conflicts and keeps the erased values final (siege/erasure.py).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, exists, func, literal, select
from sqlalchemy.orm import Session

from app.clock import today as clock_today
from app.clock import utcnow
from app.config import DATABASE_FILE, ProfilePaths
from app.errors import ConflictError
from app.models import (
    Appointment,
    Client,
    FollowupInterview,
    IntakeInterview,
    Invoice,
    ParcoursStage,
    Person,
    Registration,
    SyncState,
)
from app.people.parcours_rules import add_months
from app.people.personal_data_notice import INVOICE_RETENTION_YEARS
from app.people.persons import live_person
from app.states import InvoiceStatus
from app.sync import erasure
from app.sync.apply import set_state
from app.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

ANONYMOUS_NAME = "Anonyme"
# What an anonymised person's record holds instead of their identity.
ERASED_PERSON: dict[str, Any] = {
    "civility": "",
    "first_name": "",
    "last_name": ANONYMOUS_NAME,
    "birth_date": None,
    "email": "",
    "phone": "",
    "address": "",
    "postcode": "",
    "city": "",
    "notes": "",
    "activity_name": "",
}
# Free text that may identify the person: cleared on anonymisation. Dates, codes and
# decisions stay so the network's statistics still count the accompaniment.
CLEARED_TEXT: dict[str, tuple[str, ...]] = {
    "intake_interview": (
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
    "followup_interview": ("points_discussed", "action_plan"),
    "parcours_stage": ("notes",),
    "appointment": ("note",),
}
_MODELS: dict[str, Any] = {
    "intake_interview": IntakeInterview,
    "followup_interview": FollowupInterview,
    "parcours_stage": ParcoursStage,
    "appointment": Appointment,
}
# Documents under the profile's documents folder that concern one person and can be
# made again from the database (which now says « Anonyme »): deleted. Issued invoices
# (factures/) and sealed attendance sheets (emargement-signe-*.pdf) are legal archives
# and are never touched here (docs/personal-data.md, "What is kept").
ERASED_STATE_PREFIX = "erased:"


def erased_rows(session: Session, person_id: str) -> dict[str, list[str]]:
    """The rows whose values anonymisation replaces: the person and their texts."""
    rows: dict[str, list[str]] = {"person": [person_id]}
    for table, model in _MODELS.items():
        ids = session.scalars(select(model.id).where(model.person_id == person_id)).all()
        if ids:
            rows[table] = list(ids)
    return rows


def anonymise_person(
    uow_factory: UnitOfWorkFactory,
    person_id: str,
    today: dt.date | None = None,
    documents_dir: Path | None = None,
) -> None:
    """Erase what identifies the person; keep dated facts for statistics.

    Refused while invoices issued for the person's activity are within their 10-year
    retention (the invoice must keep showing whose activity it was: C. com. L123-22)."""
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
        for name, value in ERASED_PERSON.items():
            setattr(person, name, value)
        person.anonymised_at = utcnow()
        for table, columns in CLEARED_TEXT.items():
            model = _MODELS[table]
            for row in session.scalars(select(model).where(model.person_id == person.id)):
                for column in columns:
                    if getattr(row, column):
                        setattr(row, column, "")
        _refresh_draft_search_keys(session, person)
        session.flush()  # the anonymising change is in the outbox before it is scrubbed
        _scrub_sync_copies(session, person.id)
        set_state(session.connection(), ERASED_STATE_PREFIX + person.id, utcnow().isoformat())
        documents = _documents_of(session, person.id)
        uow.commit()
        engine = session.get_bind()
    assert isinstance(engine, Engine)
    folder = documents_dir or profile_documents(engine)
    if folder is not None:
        delete_documents(folder, documents)
    compact(engine)


def profile_documents(engine: Engine) -> Path | None:
    """The documents folder of the profile whose database ``engine`` opens, if any."""
    database = engine.url.database
    if not database or Path(database).name != DATABASE_FILE:
        return None
    return ProfilePaths(Path(database).parent).documents


def _refresh_draft_search_keys(session: Session, person: Person) -> None:
    """A draft invoice's search key holds its entrepreneur's name (app/invoicing/drafts.py).
    Issued invoices are immutable: they are never reached here, as anonymisation waits
    for the end of their retention."""
    from app.invoicing.drafts import search_key

    drafts = session.scalars(
        select(Invoice).where(
            Invoice.entrepreneur_id == person.id, Invoice.status == InvoiceStatus.DRAFT
        )
    )
    for invoice in drafts:
        client = session.get(Client, invoice.client_id)
        fresh = search_key(invoice.number or "", client.name if client else "", person)
        if invoice.search_key != fresh:
            invoice.search_key = fresh


def _scrub_sync_copies(session: Session, person_id: str) -> None:
    """The outbox and the conflicts of this laptop get the erased values."""
    conn = session.connection()
    rows = erased_rows(session, person_id)
    erasure.scrub_outbox(conn, "person", rows["person"], ERASED_PERSON)
    for table, columns in CLEARED_TEXT.items():
        if rows.get(table):
            erasure.scrub_outbox(conn, table, rows[table], dict.fromkeys(columns, ""))
    drafts = session.execute(
        select(Invoice.id, Invoice.search_key).where(
            Invoice.entrepreneur_id == person_id, Invoice.status == InvoiceStatus.DRAFT
        )
    ).all()
    for invoice_id, key in drafts:
        erasure.scrub_outbox(conn, "invoice", [invoice_id], {"search_key": key})
    erasure.scrub_conflicts(conn, rows)


class PersonDocuments:
    """Where the documents generated about one person are (file names carry ids, never
    names, except older attestations whose name ends with the person's id)."""

    def __init__(
        self,
        person_id: str,
        interview_ids: list[str],
        invoice_ids: list[str],
        activities: list[str],
    ) -> None:
        self.person_id = person_id
        self.interview_ids = interview_ids
        self.invoice_ids = invoice_ids
        self.activity_ids = activities

    def paths(self, documents: Path) -> Iterator[Path]:
        pid = self.person_id
        yield documents / "parcours" / f"synthese-parcours-{pid}.pdf"
        for kind in ("accueil", "suivi"):
            for interview_id in self.interview_ids:
                yield documents / "entretiens" / f"compte-rendu-{kind}-{interview_id}.pdf"
        yield from (documents / "donnees-personnelles").glob(f"donnees-personnelles-{pid}-*")
        for invoice_id in self.invoice_ids:
            yield documents / "apercus" / f"apercu-{invoice_id}.pdf"
        ateliers = documents / "ateliers"
        yield from ateliers.glob(f"*/attestations/attestation-*-{pid[-8:]}.pdf")
        for activity_id in self.activity_ids:
            # The session's sheets list its participants: printed again on demand.
            for folder in ateliers.glob(f"*_{activity_id[-8:]}"):
                yield folder / "emargement-vierge.pdf"
                yield folder / "emargement-rempli.pdf"


def _documents_of(session: Session, person_id: str) -> PersonDocuments:
    interviews = [
        *session.scalars(select(IntakeInterview.id).where(IntakeInterview.person_id == person_id)),
        *session.scalars(
            select(FollowupInterview.id).where(FollowupInterview.person_id == person_id)
        ),
    ]
    invoices = list(session.scalars(select(Invoice.id).where(Invoice.entrepreneur_id == person_id)))
    activities = list(
        session.scalars(
            select(Registration.activity_id).where(Registration.person_id == person_id).distinct()
        )
    )
    return PersonDocuments(person_id, interviews, invoices, activities)


def delete_documents(documents_dir: Path, documents: PersonDocuments) -> int:
    """Delete the person's regenerable documents; returns how many files went."""
    removed = 0
    for path in documents.paths(documents_dir):
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            continue
    return removed


def compact(engine: Engine) -> None:
    """Rewrite the database file so erased values leave no trace in free pages, and
    empty the WAL, which holds former versions of the pages (SQLite keeps deleted
    content in place until the page is reused)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        # The connection is in autocommit (app/db.py): VACUUM runs outside a transaction.
        cursor.execute("VACUUM")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        raw.close()


def erase_pulled_anonymisations(engine: Engine, documents_dir: Path | None) -> int:
    """After a pull: for each person anonymised elsewhere and not yet erased here, scrub
    this laptop's outbox and conflicts, delete the documents generated about them and
    compact the database. Conflicts that arrive later about an erased person are
    scrubbed too. Returns how many persons were newly erased."""
    with Session(engine) as session, session.begin():
        conn = session.connection()
        done = exists().where(SyncState.key == literal(ERASED_STATE_PREFIX) + Person.id)
        fresh = session.scalars(
            select(Person.id).where(Person.anonymised_at.is_not(None), ~done)
        ).all()
        documents = []
        for pid in fresh:
            _scrub_sync_copies(session, pid)
            set_state(conn, ERASED_STATE_PREFIX + pid, utcnow().isoformat())
            documents.append(_documents_of(session, pid))
        erasure.scrub_conflicts_of_anonymised(conn)
    if documents_dir is not None:
        for found in documents:
            delete_documents(documents_dir, found)
    if fresh:
        log.info("erased the local copies of %d anonymised person(s)", len(fresh))
        compact(engine)
    return len(fresh)
