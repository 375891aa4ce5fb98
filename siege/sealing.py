"""The siège seals each countersigned half-day's sheet (issue 16, item 2; docs/signing.md).

When a laptop's push brings a trainer's countersignature, the half-day is queued in
``siege_sheet_seal``; the sealing pass (after that push, or ``python -m siege
seal-sheets``) rebuilds the sheet from the synced signatures (app/workshops/
sheet_record.py, app/pdf/signed_sheet.py), embeds the record and signs the PDF:
PAdES (ETSI.CAdES.detached) with the CAE's certificate and an RFC 3161 timestamp from
the CAE's timestamping authority (TSA). The sealed PDF stays on the siège; the synced
``sheet_seal`` row tells laptops when and by whom it was sealed.

A failure (TSA unreachable, certificate unreadable, a row missing) is a fault: kept
with its error, retried later with a growing delay, never dropped.

The seal itself (configuration, key, TSA, PAdES signature): siege/sealer.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import threading
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app import clock
from app.ids import deterministic_id
from app.models.base import Base
from app.pdf.signed_sheet import render_signed_sheet
from app.uow import UnitOfWorkFactory
from app.workshops import workshop_documents, workshops
from app.workshops.sheet_record import slot_record
from siege.feed import touch_row
from siege.sealer import (
    Sealer,
    SealNotConfigured,
    load_config,
    timestamp_of,
)
from siege.tables import counter, sheet_seal_store

log = logging.getLogger(__name__)

AUTHOR = "Siège (scellement)"  # created_by of the published rows: a label for display
PENDING, SEALED = "pending", "sealed"
MAX_DELAY = dt.timedelta(hours=6)


# -- the queue -----------------------------------------------------------------------


def queue_closed(conn: Connection) -> int:
    """Queue every countersigned half-day not queued yet; returns how many."""
    signature = Base.metadata.tables["attendance_signature"]
    queued = select(sheet_seal_store.c.slot_id)
    closed = conn.execute(
        select(signature.c.slot_id)
        .where(
            signature.c.role == "formateur",
            signature.c.deleted_at.is_(None),
            signature.c.slot_id.not_in(queued),
        )
        .distinct()
    ).scalars()
    now = clock.utcnow()
    rows = [
        {"slot_id": s, "state": PENDING, "attempts": 0, "next_attempt_at": now, "created_at": now}
        for s in closed
    ]
    if rows:
        conn.execute(insert(sheet_seal_store), rows)
    return len(rows)


@dataclass
class SealReport:
    queued: int = 0
    sealed: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def cycle(engine: Engine, sealer: Sealer) -> SealReport:
    """One pass: queue the closed half-days, seal those due. Never raises for one sheet."""
    report = SealReport()
    try:
        with engine.begin() as conn:
            report.queued = queue_closed(conn)
    except IntegrityError:  # queued at the same moment by another process's pass
        log.info("closed half-days queued by another sealing pass")
    with engine.connect() as conn:
        due = list(
            conn.execute(
                select(sheet_seal_store.c.slot_id)
                .where(
                    sheet_seal_store.c.state == PENDING,
                    sheet_seal_store.c.next_attempt_at <= clock.utcnow(),
                )
                .order_by(sheet_seal_store.c.created_at, sheet_seal_store.c.slot_id)
            ).scalars()
        )
    for slot_id in due:
        try:
            seal_slot(engine, sealer, slot_id)
        except Exception as error:  # a fault, kept and retried (docs/signing.md)
            log.warning("sealing of slot %s failed: %s", slot_id, error)
            _failed(engine, slot_id, f"{type(error).__name__}: {error}")
            report.failed += 1
            report.errors.append(f"{slot_id}: {error}")
        else:
            report.sealed += 1
    return report


def seal_slot(engine: Engine, sealer: Sealer, slot_id: str) -> bytes:
    """Seal one half-day's sheet, store it and publish its ``sheet_seal`` row."""
    uow = UnitOfWorkFactory(sessionmaker(engine))
    slot_table = Base.metadata.tables["activity_slot"]
    with engine.connect() as conn:
        activity_id = conn.execute(
            select(slot_table.c.activity_id).where(slot_table.c.id == slot_id)
        ).scalar_one()
    detail = workshops.get_session(uow, activity_id)
    slot = next(s for s in detail.slots if s.id == slot_id)
    organisation = workshop_documents.organisation_of(uow)
    with Session(engine) as session:
        record = slot_record(session, detail, slot, organisation.name)
    layout = io.BytesIO()
    render_signed_sheet(layout, detail, slot, record, organisation)
    sealed = sealer.seal(layout.getvalue(), record, location=organisation.town)
    sealed_at = sealer.timestamper.last_time or timestamp_of(sealed)
    certificate = sealer.signer.signing_cert
    assert certificate is not None  # SimpleSigner.load always has one
    subject = certificate.subject.native
    name = str(subject.get("organization_name") or subject.get("common_name") or "")
    _store(engine, slot_id, sealed, record["sha256"], sealed_at, name, sealer.tsa_url)
    return sealed


def seal_id(slot_id: str) -> str:
    return deterministic_id("sheet-seal", slot_id)


def _store(
    engine: Engine,
    slot_id: str,
    pdf: bytes,
    record_sha256: str,
    sealed_at: dt.datetime,
    sealer: str,
    tsa: str,
) -> None:
    digest = hashlib.sha256(pdf).hexdigest()
    now = clock.utcnow()
    app_seal = Base.metadata.tables["sheet_seal"]
    with engine.begin() as conn:
        state = conn.execute(
            select(sheet_seal_store.c.state)
            .where(sheet_seal_store.c.slot_id == slot_id)
            .with_for_update()
        ).scalar()
        if state == SEALED:  # sealed meanwhile by another pass (the CLI's worker)
            return
        conn.execute(
            update(sheet_seal_store)
            .where(sheet_seal_store.c.slot_id == slot_id)
            .values(
                state=SEALED,
                pdf=pdf,
                pdf_sha256=digest,
                record_sha256=record_sha256,
                sealed_at=sealed_at,
                last_error="",
            )
        )
        row_id = seal_id(slot_id)
        if conn.execute(select(app_seal.c.id).where(app_seal.c.id == row_id)).first() is None:
            conn.execute(
                insert(app_seal).values(
                    id=row_id,
                    slot_id=slot_id,
                    sealed_at=sealed_at,
                    sealer=sealer[:200],
                    tsa=tsa[:200],
                    record_sha256=record_sha256,
                    pdf_sha256=digest,
                    created_at=now,
                    updated_at=now,
                    created_by=AUTHOR,
                    updated_by=AUTHOR,
                )
            )
        # The row enters the change feed like a pushed one (siege/einvoicing/publish.py).
        seq = int(
            conn.execute(
                select(counter.c.value).where(counter.c.id == 1).with_for_update()
            ).scalar_one()
        )
        touch_row(conn, "sheet_seal", row_id, seq + 1)
        conn.execute(update(counter).where(counter.c.id == 1).values(value=seq + 1))


def _failed(engine: Engine, slot_id: str, error: str) -> None:
    with engine.begin() as conn:
        attempts = int(
            conn.execute(
                select(sheet_seal_store.c.attempts).where(sheet_seal_store.c.slot_id == slot_id)
            ).scalar_one()
        )
        delay = min(dt.timedelta(minutes=2**attempts), MAX_DELAY)
        conn.execute(
            update(sheet_seal_store)
            .where(sheet_seal_store.c.slot_id == slot_id)
            .values(
                attempts=attempts + 1,
                last_error=error[:4000],
                next_attempt_at=clock.utcnow() + delay,
            )
        )


def sealed_pdf(engine: Engine, slot_id: str) -> bytes | None:
    with engine.connect() as conn:
        found = conn.execute(
            select(sheet_seal_store.c.pdf).where(
                sheet_seal_store.c.slot_id == slot_id, sheet_seal_store.c.state == SEALED
            )
        ).scalar()
    return bytes(found) if found is not None else None


# One sealing pass at a time in this process: two pushes answered together must not
# seal (and publish) the same half-day twice. A pass waits for the running one, then
# runs: a half-day closed meanwhile is sealed by it.
_PASS = threading.Lock()


def after_push(engine: Engine) -> None:
    """Run after a push that brought signatures: seal what is closed, if configured."""
    try:
        sealer = Sealer.from_config(load_config())
    except SealNotConfigured as missing:
        log.info("sheets not sealed: no seal configured (%s)", missing)
        return
    with _PASS:
        report = cycle(engine, sealer)
    if report.sealed or report.failed:
        log.info("sheets sealed: %d, failed (retried later): %d", report.sealed, report.failed)
