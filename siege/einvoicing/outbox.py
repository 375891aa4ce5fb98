"""The siège's outbox of flows to the PA (``siege_pa_flow``, docs/einvoicing.md).

An issued invoice enters once: its Factur-X is rendered here from the frozen rows with the
app's own code (``app/invoicing/printable.py``, ``app/pdf/invoice.py``,
``app/invoicing/facturx.py``) and the bytes are stored with the row, so every retry sends
the very same bytes and sha256. ``tracking_id`` (the invoice id) and ``sha256`` are
unique: a second enqueue of the same invoice is a no-op, even from two processes.

The official rule files check the bytes as they enter (official_rules.py): a failed rule
enters the entry ``held`` with its « Bloquée avant envoi » status in one transaction; a
pass is remembered by the rules' instance under the file's sha256, so the sender
(worker.send_due) checks again only bytes it has not seen pass."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import clock
from app.invoicing import facturx
from app.invoicing.cae_identity import read_identity
from app.invoicing.pa_status import HELD_BEFORE_SENDING
from app.invoicing.pa_status import label as status_label
from app.invoicing.printable import build_document
from app.models import Client, Invoice, Payment
from app.pdf.invoice import render_pdf
from app.states import ClientKind, InvoiceKind, InvoiceStatus
from siege.einvoicing import cdar, directory, official_rules
from siege.einvoicing.adapter import OutgoingFlow
from siege.einvoicing.official_rules import FailedRule
from siege.einvoicing.publish import publish_statuses
from siege.einvoicing.routing import PROCESSING_RULE, Route, route_of
from siege.einvoicing.tables import pa_directory
from siege.tables import pa_flow, pa_status

log = logging.getLogger(__name__)
INVOICE = "invoice"
CDAR = "cdar"
QUEUED, SENT, FAILED = "queued", "sent", "failed"
# Refused by the official rule files before sending (siege/einvoicing/official_rules.py):
# never sent, never retried; corrected by a credit note and a new invoice.
HELD = "held"


@dataclass(frozen=True)
class EnqueueReport:
    queued: int  # entries that entered the outbox, held ones included
    other_routes: dict[str, int]
    held: int = 0  # entered held: the official rules refused them


def enqueue_issued(engine: Engine) -> EnqueueReport:
    """Queue every issued invoice or credit note not queued yet whose route is e-invoice
    (a French business buyer the directory lists; docs/einvoicing.md, "Routing")."""
    queued = held = 0
    others: dict[str, int] = {}
    with Session(engine) as session:
        ids = session.scalars(
            select(Invoice.id)
            .join(Client, Client.id == Invoice.client_id)
            .join(pa_directory, pa_directory.c.siren == Client.siren)
            .where(
                Invoice.status == InvoiceStatus.ISSUED,
                Invoice.deleted_at.is_(None),
                # Cheap pre-filter on the live client and the directory cache (the frozen
                # buyer decides below): B2C, foreign, public buyers and clients the
                # directory has not answered for are not rendered again on every pass.
                Client.kind == ClientKind.BUSINESS,
                Client.country_code == "FR",
                Client.siren != "",
                Client.public_entity.is_(False),
                pa_directory.c.addressing_identifier != "",
                pa_directory.c.public_entity.is_(False),
                ~select(pa_flow.c.id).where(pa_flow.c.tracking_id == Invoice.id).exists(),
            )
            .order_by(Invoice.issued_at, Invoice.number)
        ).all()
    for invoice_id in ids:
        with Session(engine) as session:
            invoice = session.get_one(Invoice, invoice_id)
            doc = build_document(session, invoice)
            route = route_of(doc.buyer, directory.cached(session.connection(), doc.buyer.siren))
            if route != Route.E_INVOICE:
                others[route] = others.get(route, 0) + 1
                continue
            try:
                payload = facturx.embed(render_pdf(doc), doc)
            except Exception:  # one damaged invoice must not stop the others: logged
                log.exception("facture %s : rendu Factur-X impossible", doc.number)
                continue
            failed = _check(doc.number, payload)
            entered = _insert(
                session,
                failed,
                kind=INVOICE,
                invoice_id=invoice.id,
                invoice_number=doc.number,
                tracking_id=invoice.id,
                flow_syntax="Factur-X",
                flow_profile="CIUS",  # EN 16931 profile (docs/einvoicing.md)
                file_name=f"{doc.number.replace('/', '_')}.pdf",
                payload=payload,
            )
            queued += entered
            held += entered if failed else 0
    return EnqueueReport(queued, others, held)


def _check(number: str, payload: bytes) -> list[FailedRule]:
    """The official rules' verdict on a file entering the outbox; a check that cannot
    run is no verdict: the entry is queued and the sender checks it (and retries)."""
    try:
        failed = official_rules.shared().check_pdf(payload)
    except official_rules.CheckFault as exc:
        log.warning("facture %s : %s ; contrôle à l'envoi", number, exc)
        return []
    if failed:
        log.warning(
            "facture %s bloquée avant envoi : %s",
            number,
            ", ".join(rule.rule_id for rule in failed),
        )
    return failed


def enqueue_payments(engine: Engine) -> int:
    """Queue a 212 « Encaissée » message per payment of a services invoice already sent
    (VAT on services is due on collection: the PA must learn of each amount collected)."""
    sent = pa_flow.alias("already")
    with Session(engine) as session:
        rows = session.execute(
            select(
                Payment.id,
                Payment.amount_cents,
                pa_flow.c.invoice_id,
                pa_flow.c.invoice_number,
                Invoice.issue_date,
            )
            .join(Invoice, Invoice.id == Payment.invoice_id)
            .join(pa_flow, (pa_flow.c.invoice_id == Invoice.id) & (pa_flow.c.kind == INVOICE))
            .where(
                Payment.deleted_at.is_(None),
                Invoice.kind == InvoiceKind.INVOICE,
                Invoice.nature == "services",
                pa_flow.c.state == SENT,
                ~select(sent.c.id).where(sent.c.tracking_id == Payment.id).exists(),
            )
            .order_by(Payment.paid_on, Payment.id)
        ).all()
        queued = 0
        siren = read_identity(session).siren if rows else ""
        for payment_id, amount, invoice_id, number, issue_date in rows:
            message = cdar.LifeCycle(
                number,
                "212",
                amount_cents=amount,
                invoice_date=issue_date,
                seller_siren=siren,
                issued_at=clock.utcnow(),
            )
            queued += _insert(
                session,
                [],
                kind=CDAR,
                invoice_id=invoice_id,
                invoice_number=number,
                tracking_id=payment_id,
                flow_syntax="CDAR",
                flow_profile="CIUS",
                file_name=f"{number.replace('/', '_')}-212-{payment_id[:8]}.xml",
                payload=cdar.build(message, payment_id),
            )
        return queued


def _insert(session: Session, failed: list[FailedRule], **values: object) -> int:
    """One outbox entry, ``queued``, or ``held`` with its status when ``failed``."""
    payload = values["payload"]
    assert isinstance(payload, bytes)
    now = clock.utcnow()
    rules = "\n".join(str(rule) for rule in failed)
    try:
        flow_id = session.execute(
            pa_flow.insert()
            .values(
                route=Route.E_INVOICE,
                state=HELD if failed else QUEUED,
                processing_rule=PROCESSING_RULE[Route.E_INVOICE],
                sha256=hashlib.sha256(payload).hexdigest(),
                attempts=0,
                next_attempt_at=now,
                last_error=rules[:2000],
                last_status=HELD_BEFORE_SENDING if failed else "",
                created_at=now,
                **values,
            )
            .returning(pa_flow.c.id)
        ).scalar_one()
        if failed:
            invoice_id = values["invoice_id"]
            assert isinstance(invoice_id, str)
            _held_status(session.connection(), flow_id, invoice_id, failed)
        session.commit()
    except IntegrityError:  # queued meanwhile by another process: once is enough
        session.rollback()
        return 0
    return 1


@dataclass(frozen=True)
class DueFlow:
    id: int
    kind: str  # invoice | cdar | report
    attempts: int
    flow: OutgoingFlow


def due(engine: Engine, limit: int) -> list[DueFlow]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(pa_flow)
            .where(pa_flow.c.state == QUEUED, pa_flow.c.next_attempt_at <= clock.utcnow())
            .order_by(pa_flow.c.next_attempt_at, pa_flow.c.id)
            .limit(limit)
        ).all()
    return [
        DueFlow(
            row.id,
            row.kind,
            row.attempts,
            OutgoingFlow(
                tracking_id=row.tracking_id,
                file_name=row.file_name,
                payload=row.payload,
                sha256=row.sha256,
                flow_syntax=row.flow_syntax,
                flow_profile=row.flow_profile,
                processing_rule=row.processing_rule,
            ),
        )
        for row in rows
    ]


def mark_attempt(engine: Engine, flow_id: int) -> None:
    """Committed BEFORE the upload: after a crash, attempts > 0 says the PA may hold the
    flow already, and the next attempt asks it (search by tracking id) before sending."""
    with engine.begin() as conn:
        conn.execute(
            update(pa_flow).where(pa_flow.c.id == flow_id).values(attempts=pa_flow.c.attempts + 1)
        )


def mark_sent(engine: Engine, flow_id: int, pa_flow_id: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(pa_flow)
            .where(pa_flow.c.id == flow_id)
            .values(state=SENT, flow_id=pa_flow_id, sent_at=clock.utcnow(), last_error="")
        )


def mark_retry(engine: Engine, flow_id: int, error: str, delay: dt.timedelta) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(pa_flow)
            .where(pa_flow.c.id == flow_id)
            .values(last_error=error[:2000], next_attempt_at=clock.utcnow() + delay)
        )


def mark_failed(engine: Engine, flow_id: int, error: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(pa_flow)
            .where(pa_flow.c.id == flow_id)
            .values(state=FAILED, last_error=error[:2000])
        )


def hold(engine: Engine, flow_id: int, failed: list[FailedRule]) -> None:
    """The official rules refused the invoice: the flow is held (never sent, never
    retried) with its failed rules, and the invoice gets the siège's status "BLQ"
    « Bloquée avant envoi » with the rules as reason, published in the synced
    ``invoice_pa_status`` in the same transaction, so the laptops show it and alert
    like a rejection (app/invoicing/pa_status.py)."""
    rules = "\n".join(str(rule) for rule in failed)
    with engine.begin() as conn:
        invoice_id = conn.execute(
            update(pa_flow)
            .where(pa_flow.c.id == flow_id, pa_flow.c.state == QUEUED)
            .values(state=HELD, last_error=rules[:2000], last_status=HELD_BEFORE_SENDING)
            .returning(pa_flow.c.invoice_id)
        ).scalar_one_or_none()
        if invoice_id is None:
            return  # held or sent by another worker meanwhile
        _held_status(conn, flow_id, invoice_id, failed)


def _held_status(conn: Connection, flow_id: int, invoice_id: str, failed: list[FailedRule]) -> None:
    now = clock.utcnow()
    conn.execute(
        pa_status.insert().values(
            flow_id=f"siege-{flow_id}",  # no PA flow: the outbox row's own id
            invoice_id=invoice_id,
            code=HELD_BEFORE_SENDING,
            label=status_label(HELD_BEFORE_SENDING),
            reason=" ; ".join(str(rule) for rule in failed)[:2000],
            status_at=now,
            fetched_at=now,
        )
    )
    publish_statuses(conn)


def held_back(engine: Engine, limit: int = 200) -> list[tuple[str, Route]]:
    """Issued invoices of French business buyers that leave neither as e-invoices nor
    in e-reporting: public buyers (Chorus Pro, deposit not built) and clients the
    directory has not answered for yet; (number, route), for ``einvoicing list``."""
    out: list[tuple[str, Route]] = []
    with Session(engine) as session:
        ids = session.scalars(
            select(Invoice.id)
            .join(Client, Client.id == Invoice.client_id)
            .outerjoin(pa_directory, pa_directory.c.siren == Client.siren)
            .where(
                Invoice.status == InvoiceStatus.ISSUED,
                Invoice.deleted_at.is_(None),
                Client.kind == ClientKind.BUSINESS,
                Client.country_code == "FR",
                Client.siren != "",
                (Client.public_entity.is_(True))
                | pa_directory.c.siren.is_(None)
                | pa_directory.c.public_entity.is_(True),
                ~select(pa_flow.c.id).where(pa_flow.c.tracking_id == Invoice.id).exists(),
            )
            .order_by(Invoice.issue_date, Invoice.number)
            .limit(limit)
        ).all()
        for invoice_id in ids:
            doc = build_document(session, session.get_one(Invoice, invoice_id))
            route = route_of(doc.buyer, directory.cached(session.connection(), doc.buyer.siren))
            if route in (Route.CHORUS_PRO, Route.AWAITING_DIRECTORY):
                out.append((doc.number, route))
    return out
