"""Anonymise a person, and reach every copy of what identified them (docs/personal-data.md).

On the laptop that anonymises, in one transaction: the person's identity and the free
text of their interviews, stages and appointments are erased (dated facts stay for the
statistics), and the same values replace the former ones in the outbox entries still
waiting for the siège and in the sync conflicts kept for review. Then the documents
generated about the person are deleted, the database file is rewritten (VACUUM) so the
former values do not survive in free pages or the WAL, and the profile's backups get
the same erasure (app/people/erase_copies.py).

Every other laptop does the same when the anonymisation reaches it by sync: its own
unsent rows in the pull's transaction (app/people/anonymise_pulled.py, called by
app/sync/apply.py), the rest after the pull (:func:`erase_pulled_anonymisations`); the
siège scrubs its stored conflicts and keeps the erased values final (siege/erasure.py).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, exists, func, literal, select
from sqlalchemy.orm import Session

from app.clock import today as clock_today
from app.clock import utcnow
from app.errors import ConflictError
from app.models import Client, Invoice, Person, SyncState
from app.people import erase_copies as copies
from app.people.erase_copies import ANONYMOUS_NAME, CLEARED_TEXT, ERASED_PERSON
from app.people.parcours_rules import add_months
from app.people.personal_data_notice import INVOICE_RETENTION_YEARS
from app.people.persons import live_person
from app.states import InvoiceStatus
from app.sync import erasure
from app.uow import UnitOfWorkFactory
from app.workshops.retention import COFINANCED_YEARS, cofinanced_attendees

__all__ = [
    "ANONYMOUS_NAME",
    "CLEARED_TEXT",
    "ERASED_PERSON",
    "anonymisable",
    "anonymise_person",
    "erase_pulled_anonymisations",
    "merged_records",
    "retention_refusals",
]

log = logging.getLogger(__name__)


def anonymise_person(
    uow_factory: UnitOfWorkFactory,
    person_id: str,
    today: dt.date | None = None,
    documents_dir: Path | None = None,
) -> None:
    """Erase what identifies the person; keep dated facts for statistics.

    Refused while invoices issued for the person's activity are within their 10-year
    retention (the invoice must keep showing whose activity it was: C. com. L123-22),
    and while the person attended an EU co-financed action within its 10-year retention
    (the signed attendance sheets are the funder's evidence).
    ``documents_dir`` defaults to the profile's documents folder."""
    day = today or clock_today()
    with uow_factory() as uow:
        session = uow.session
        person = anonymisable(session, person_id, day)
        # The records merged into this one (app/people/merge.py) are tombstones that
        # still hold the same person's identity: erased with it.
        erased = [person, *merged_records(session, person.id)]
        stamp = utcnow()
        for record in erased:
            _erase_record(session, record, stamp)
        session.flush()  # the anonymising change is in the outbox before it is scrubbed
        conn = session.connection()
        documents = []
        for record in erased:
            copies.scrub_sync_copies(conn, record.id)
            documents.append(copies.documents_of(conn, record.id))
        uow.commit()
        engine = session.get_bind()
    assert isinstance(engine, Engine)
    _erase_outside(engine, documents_dir, documents)


def anonymisable(session: Session, person_id: str, day: dt.date) -> Person:
    """The record to anonymise (a merged tombstone leads to the record it went into), or
    the reason why not: ``person_not_found``, ``already_anonymised``, or the first legal
    hold of :func:`retention_refusals`. The siège asks the same (siege/anonymise.py)."""
    person = live_person(session, person_id)
    if person.anonymised_at is not None:
        raise ConflictError("already_anonymised")
    refusals = retention_refusals(session, person.id, day)
    if refusals:
        raise refusals[0]
    return person


def retention_refusals(session: Session, person_id: str, day: dt.date) -> list[ConflictError]:
    """The legal holds that forbid erasing the person on ``day``, empty when none: the
    invoices issued for their activity within their 10-year retention (the invoice must
    keep showing whose activity it was: C. com. L123-22), and attendance at an EU
    co-financed action within its 10-year retention (the signed sheets are the funder's
    evidence). Reads only, so any session bound to the app's tables can ask (the laptop's
    unit of work, the siège's connection)."""
    refusals: list[ConflictError] = []
    limit = add_months(day, -12 * INVOICE_RETENTION_YEARS)
    issued = session.scalar(
        select(func.count(Invoice.id)).where(
            Invoice.entrepreneur_id == person_id,
            Invoice.issue_date.is_not(None),
            Invoice.issue_date >= limit,
        )
    )
    if issued:
        refusals.append(ConflictError("invoices_retention", count=int(issued)))
    # Attendance at an EU co-financed (FSE+) action is evidence the funder may audit
    # for 10 years (docs/signing.md, docs/personal-data.md): the signed sheets must
    # keep their signer, so erasure waits, as for invoices (RGPD art. 17(3)(b)).
    if session.scalar(
        select(literal(True)).where(
            literal(person_id).in_(cofinanced_attendees(day).scalar_subquery())
        )
    ):
        refusals.append(ConflictError("cofinanced_retention", years=COFINANCED_YEARS))
    return refusals


def _erase_record(session: Session, person: Person, stamp: dt.datetime) -> None:
    for name, value in ERASED_PERSON.items():
        if getattr(person, name) != value:
            setattr(person, name, value)
    person.anonymised_at = stamp
    for table, model in _models().items():
        columns = CLEARED_TEXT[table]
        for row in session.scalars(select(model).where(model.person_id == person.id)):
            for column in columns:
                if getattr(row, column):
                    setattr(row, column, "")
    _refresh_draft_search_keys(session, person)


def merged_records(session: Session, person_id: str) -> list[Person]:
    """The tombstones merged into the person, directly or through another, not yet erased."""
    found: list[Person] = []
    frontier = [person_id]
    while frontier:
        rows = session.scalars(
            select(Person).where(
                Person.merged_into_id.in_(frontier), Person.anonymised_at.is_(None)
            )
        ).all()
        fresh = [r for r in rows if r not in found]
        found += fresh
        frontier = [r.id for r in fresh]
    return found


def _models() -> dict[str, Any]:
    from app.models import Appointment, FollowupInterview, IntakeInterview, ParcoursStage

    models = (IntakeInterview, FollowupInterview, ParcoursStage, Appointment)
    return {model.__tablename__: model for model in models}


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


def _erase_outside(
    engine: Engine, documents_dir: Path | None, documents: list[copies.PersonDocuments]
) -> None:
    """What lies outside the live rows: documents, free pages and the WAL, backups. Then
    the persons are marked erased on this database. A failure here (a file or the
    database busy) never undoes the anonymisation nor fails a sync: it is logged, the
    mark is not set, and the next pull with rows does it again (every step is
    idempotent)."""
    paths = copies.profile_paths(engine)
    folder = documents_dir or (paths.documents if paths else None)
    try:
        if folder is not None:
            for found in documents:
                copies.delete_documents(folder, found)
        copies.compact(engine)
        copies.erase_in_backups(engine, [d.person_id for d in documents])
    except Exception:  # whatever the driver (sqlite3, sqlcipher3) or the OS raises
        log.warning("erasing the copies of an anonymised person is left for later", exc_info=True)
        return
    with engine.begin() as conn:
        for found in documents:
            copies.mark_erased(conn, found.person_id)


def erase_pulled_anonymisations(engine: Engine, documents_dir: Path | None) -> int:
    """After a pull: for each person anonymised elsewhere and not yet erased here, scrub
    this laptop's outbox and conflicts, delete the documents generated about them,
    compact the database and rewrite the backups. Conflicts that arrive later about an
    erased person are closed too. Returns how many persons were newly erased."""
    with Session(engine) as session, session.begin():
        conn = session.connection()
        done = exists().where(SyncState.key == literal(copies.ERASED_STATE_PREFIX) + Person.id)
        fresh = session.scalars(
            select(Person.id).where(Person.anonymised_at.is_not(None), ~done)
        ).all()
        documents = []
        for pid in fresh:
            copies.scrub_sync_copies(conn, pid)
            documents.append(copies.documents_of(conn, pid))
        erasure.scrub_conflicts_of_anonymised(conn)
    if fresh:
        log.info("erased the local copies of %d anonymised person(s)", len(fresh))
        _erase_outside(engine, documents_dir, documents)
    return len(fresh)
