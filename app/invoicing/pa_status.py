"""The life of issued invoices at the plateforme agréée, as the laptop reads it: the
statuses the siège fetched from the PA (XP Z12-012 codes) and synced in
``invoice_pa_status`` (docs/einvoicing.md, "Statuses on the laptop").

Read-only here: only the siège writes these rows (docs/authority.md). A rejected (213)
or refused (210) invoice is never edited: it is corrected by a credit note and a new
invoice; the alert stays until an issued credit note cancels it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.clock import PARIS
from app.ids import deterministic_id
from app.models import Invoice
from app.models.invoicing import InvoicePaStatus
from app.states import InvoiceKind, InvoiceStatus
from app.uow import UnitOfWorkFactory


class PaStatusCode(StrEnum):
    """XP Z12-012 life-cycle statuses of an invoice."""

    DEPOSITED = "200"
    ISSUED_BY_PLATFORM = "201"
    RECEIVED_BY_PLATFORM = "202"
    MADE_AVAILABLE = "203"
    TAKEN_IN_CHARGE = "204"
    APPROVED = "205"
    PARTLY_APPROVED = "206"
    DISPUTED = "207"
    SUSPENDED = "208"
    COMPLETED = "209"
    REFUSED = "210"
    PAYMENT_SENT = "211"
    CASHED = "212"
    REJECTED = "213"


# Not an XP Z12-012 code (those are numbers): the siège's own verdict, written when the
# official rule files refuse the invoice before it is sent to the PA
# (siege/einvoicing/official_rules.py; docs/einvoicing.md, "What the siège checks").
HELD_BEFORE_SENDING = "BLQ"

# Their French names, as the standard gives them (also the siège's: siege/einvoicing/cdar.py).
LABELS: dict[str, str] = {
    PaStatusCode.DEPOSITED: "Déposée",
    PaStatusCode.ISSUED_BY_PLATFORM: "Émise par la plateforme",
    PaStatusCode.RECEIVED_BY_PLATFORM: "Reçue par la plateforme",
    PaStatusCode.MADE_AVAILABLE: "Mise à disposition",
    PaStatusCode.TAKEN_IN_CHARGE: "Prise en charge",
    PaStatusCode.APPROVED: "Approuvée",
    PaStatusCode.PARTLY_APPROVED: "Approuvée partiellement",
    PaStatusCode.DISPUTED: "En litige",
    PaStatusCode.SUSPENDED: "Suspendue",
    PaStatusCode.COMPLETED: "Complétée",
    PaStatusCode.REFUSED: "Refusée",
    PaStatusCode.PAYMENT_SENT: "Paiement transmis",
    PaStatusCode.CASHED: "Encaissée",
    PaStatusCode.REJECTED: "Rejetée",
    HELD_BEFORE_SENDING: "Bloquée avant envoi",
}
# Statuses that stop the invoice: rejected by the platform, refused by the buyer, held
# by the siège's check before sending.
ALERTS = frozenset({PaStatusCode.REJECTED, PaStatusCode.REFUSED, HELD_BEFORE_SENDING})
CORRECTION_ADVICE = (
    "Une facture rejetée ou refusée ne se modifie pas : annulez-la par un avoir, "
    "puis émettez une nouvelle facture corrigée."
)


def label(code: str) -> str:
    return LABELS.get(code, f"statut {code}")


def status_id(invoice_id: str, code: str, received_at: dt.datetime) -> str:
    """The row id: the same status read twice (two passes, two sièges) is one row."""
    return deterministic_id("invoice_pa_status", invoice_id, code, received_at.isoformat())


@dataclass(frozen=True)
class PaStatus:
    code: str
    label: str
    reason: str
    received_at: dt.datetime  # naive UTC

    @property
    def is_alert(self) -> bool:
        return self.code in ALERTS

    def local_time(self) -> dt.datetime:
        """The PA's timestamp in French time, for people."""
        return self.received_at.replace(tzinfo=dt.UTC).astimezone(PARIS)


@dataclass(frozen=True)
class InvoiceState:
    """The latest status of one invoice, and whether it still needs correcting."""

    latest: PaStatus
    corrected: bool  # an issued credit note cancels it (alerts only)

    @property
    def needs_correction(self) -> bool:
        return self.latest.is_alert and not self.corrected


def _status(row: InvoicePaStatus) -> PaStatus:
    return PaStatus(row.code, row.label or label(row.code), row.reason, row.received_at)


def history(uow_factory: UnitOfWorkFactory, invoice_id: str) -> list[PaStatus]:
    """Every status of one invoice, oldest first."""
    with uow_factory() as uow:
        rows = uow.session.scalars(
            select(InvoicePaStatus)
            .where(InvoicePaStatus.invoice_id == invoice_id, InvoicePaStatus.deleted_at.is_(None))
            .order_by(InvoicePaStatus.received_at, InvoicePaStatus.code)
        ).all()
        return [_status(r) for r in rows]


def latest_states(
    uow_factory: UnitOfWorkFactory, invoice_ids: Sequence[str]
) -> dict[str, InvoiceState]:
    """The latest status of each invoice given that has one (a page of the list)."""
    out: dict[str, InvoiceState] = {}
    with uow_factory() as uow:
        for start in range(0, len(invoice_ids), 500):
            out.update(_latest(uow.session, list(invoice_ids[start : start + 500])))
    return out


def _latest(session: Session, ids: list[str]) -> dict[str, InvoiceState]:
    if not ids:
        return {}
    rows = session.scalars(
        select(InvoicePaStatus)
        .where(InvoicePaStatus.invoice_id.in_(ids), InvoicePaStatus.deleted_at.is_(None))
        .order_by(InvoicePaStatus.invoice_id, InvoicePaStatus.received_at, InvoicePaStatus.code)
    ).all()
    latest: dict[str, PaStatus] = {}
    for row in rows:  # ordered: the last one per invoice wins
        latest[row.invoice_id] = _status(row)
    credited = _credited(session, [i for i, s in latest.items() if s.is_alert])
    return {i: InvoiceState(s, i in credited) for i, s in latest.items()}


def _credited(session: Session, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    found = session.scalars(
        select(Invoice.credited_invoice_id).where(
            Invoice.credited_invoice_id.in_(ids),
            Invoice.kind == InvoiceKind.CREDIT_NOTE,
            Invoice.status == InvoiceStatus.ISSUED,
            Invoice.deleted_at.is_(None),
        )
    )
    return {i for i in found if i is not None}


@dataclass(frozen=True)
class Alert:
    invoice_id: str
    number: str
    status: PaStatus


def alerts(uow_factory: UnitOfWorkFactory) -> list[Alert]:
    """Issued invoices whose latest status is a rejection or a refusal not yet cancelled
    by a credit note, newest first. Starts from the few alert statuses and keeps those
    no later status follows (the (invoice_id, received_at) index answers that), rather
    than grouping every status (measured in docs/einvoicing.md)."""
    later = aliased(InvoicePaStatus)
    followed = (
        select(later.id)
        .where(
            later.invoice_id == InvoicePaStatus.invoice_id,
            later.deleted_at.is_(None),
            (later.received_at > InvoicePaStatus.received_at)
            | (
                (later.received_at == InvoicePaStatus.received_at)
                & (later.code > InvoicePaStatus.code)
            ),
        )
        .exists()
    )
    credit = aliased(Invoice)
    cancelled = (
        select(credit.id)
        .where(
            credit.credited_invoice_id == Invoice.id,
            credit.kind == InvoiceKind.CREDIT_NOTE,
            credit.status == InvoiceStatus.ISSUED,
            credit.deleted_at.is_(None),
        )
        .exists()
    )
    with uow_factory() as uow:
        rows = uow.session.execute(
            select(
                Invoice.id,
                Invoice.number,
                InvoicePaStatus.code,
                InvoicePaStatus.label,
                InvoicePaStatus.reason,
                InvoicePaStatus.received_at,
            )
            .join(Invoice, Invoice.id == InvoicePaStatus.invoice_id)
            .where(
                InvoicePaStatus.code.in_(sorted(ALERTS)),
                InvoicePaStatus.deleted_at.is_(None),
                ~followed,
                ~cancelled,
            )
            .order_by(InvoicePaStatus.received_at.desc(), Invoice.number)
        ).all()
        return [
            Alert(i, n or "", PaStatus(code, name or label(code), reason, at))
            for i, n, code, name, reason, at in rows
        ]
