"""Payments of issued invoices; the payment status is derived, never stored.

Amount still due = total incl. VAT + credit notes (negative) − payments.
Status: ``a_payer`` (nothing paid), ``partiellement_payee``, ``payee``,
``annulee`` (fully credited, nothing paid), ``a_rembourser`` (a credit note came
after payments: the client is owed the difference). Overpayment is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import formatting
from app.clock import today, utcnow
from app.errors import Collector, ConflictError, NotFoundError
from app.models import Invoice, Payment
from app.states import InvoiceKind, InvoiceStatus
from app.uow import UnitOfWorkFactory

MODES = ("virement", "cheque", "especes", "carte")


@dataclass(frozen=True)
class PaymentData:
    paid_on: dt.date
    amount_cents: int
    mode: str
    reference: str = ""


@dataclass(frozen=True)
class PaymentInfo:
    id: str
    invoice_id: str
    data: PaymentData


@dataclass(frozen=True)
class Balance:
    total_incl_cents: int
    credited_cents: int  # positive: amount cancelled by credit notes
    paid_cents: int
    due_cents: int
    status: str
    payments: tuple[PaymentInfo, ...]


def derive_status(total: int, credited: int, paid: int) -> str:
    due = total - credited - paid
    if due < 0:
        return "a_rembourser"  # paid, then (partly) cancelled by a credit note
    if due <= 0 and paid == 0 and credited > 0:
        return "annulee"
    if due <= 0:
        return "payee"
    return "partiellement_payee" if paid else "a_payer"


def _credited(session: Session, invoice_id: str) -> int:
    value = session.scalar(
        select(func.coalesce(func.sum(Invoice.total_incl_cents), 0)).where(
            Invoice.credited_invoice_id == invoice_id,
            Invoice.status == InvoiceStatus.ISSUED,
            Invoice.deleted_at.is_(None),
        )
    )
    return -int(value or 0)


def _payments(session: Session, invoice_id: str) -> list[Payment]:
    return list(
        session.scalars(
            select(Payment)
            .where(Payment.invoice_id == invoice_id, Payment.deleted_at.is_(None))
            .order_by(Payment.paid_on, Payment.id)
        )
    )


def balance_of(session: Session, invoice: Invoice) -> Balance:
    payments = _payments(session, invoice.id)
    paid = sum(p.amount_cents for p in payments)
    credited = _credited(session, invoice.id)
    return Balance(
        invoice.total_incl_cents,
        credited,
        paid,
        invoice.total_incl_cents - credited - paid,
        derive_status(invoice.total_incl_cents, credited, paid),
        tuple(
            PaymentInfo(
                p.id, p.invoice_id, PaymentData(p.paid_on, p.amount_cents, p.mode, p.reference)
            )
            for p in payments
        ),
    )


def _issued_invoice(session: Session, invoice_id: str) -> Invoice:
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or invoice.deleted_at is not None:
        raise NotFoundError("not_found", what="invoice")
    if invoice.status != InvoiceStatus.ISSUED or invoice.kind != InvoiceKind.INVOICE:
        raise ConflictError("payment_needs_issued_invoice")
    return invoice


def get_balance(uow_factory: UnitOfWorkFactory, invoice_id: str) -> Balance:
    with uow_factory() as uow:
        invoice = uow.session.get(Invoice, invoice_id)
        if invoice is None:
            raise NotFoundError("not_found", what="invoice")
        return balance_of(uow.session, invoice)


def record_payment(uow_factory: UnitOfWorkFactory, invoice_id: str, data: PaymentData) -> Balance:
    errors = Collector()
    errors.check(data.amount_cents > 0, "amount", "amount_not_positive")
    errors.check(data.mode in MODES, "mode", "required")
    errors.check(data.paid_on <= today() + dt.timedelta(days=1), "paid_on", "date_in_future")
    errors.check(len(data.reference) <= 120, "reference", "too_long", max=120)
    errors.raise_if_any()
    with uow_factory() as uow:
        session = uow.session
        invoice = _issued_invoice(session, invoice_id)
        before = balance_of(session, invoice)
        if data.amount_cents > before.due_cents:
            errors.add(
                "amount",
                "overpayment",
                due=before.due_cents,
                due_text=formatting.money(before.due_cents),
            )
            errors.raise_if_any()
        if invoice.issue_date and data.paid_on < invoice.issue_date:
            errors.add("paid_on", "paid_before_issue")
            errors.raise_if_any()
        session.add(
            Payment(
                invoice_id=invoice.id,
                paid_on=data.paid_on,
                amount_cents=data.amount_cents,
                mode=data.mode,
                reference=data.reference.strip(),
            )
        )
        session.flush()
        after = balance_of(session, invoice)
        uow.commit()
        return after


def cancel_payment(uow_factory: UnitOfWorkFactory, payment_id: str) -> None:
    """A payment recorded by mistake is tombstoned (it syncs like any change)."""
    with uow_factory() as uow:
        payment = uow.session.get(Payment, payment_id)
        if payment is None or payment.deleted_at is not None:
            raise NotFoundError("not_found", what="payment")
        payment.deleted_at = utcnow()
        uow.commit()
