"""Unpaid amounts at the period's end (definition ``unpaid``): what issued invoices still
had due on the last day of the period, from the facts dated by then."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from app.indicators.period import Filters
from app.indicators.sql import Query
from app.indicators.turnover import antenne_filter_of_invoice
from app.models import Invoice, Payment
from app.states import InvoiceKind, InvoiceStatus
from app.uow import UnitOfWorkFactory


@dataclass(frozen=True)
class Receivables:
    unpaid_cents: int  # TTC, sum of the positive balances
    unpaid_invoices: int


def due_members(filters: Filters, *, detail: bool = True) -> Query:
    """One row per issued invoice (not a credit note) dated by the period's end with a
    balance due on that day (``amount``): total incl. VAT, minus credit notes issued
    against it by then, minus payments dated by then. An over-payment is not a negative
    debt. ``detail``: with the entrepreneur and due date (the drill-down's list); the
    card reads only the amounts.

    Each invoice is read from the covering index ``ix_invoice_unpaid`` (kind, status,
    dates, total, antenne: the issued rows, kilobytes of frozen snapshots each, are never
    visited) with two correlated sums by index seek: its payments dated by then
    (``ix_payment_dues``) and its credit notes (``ix_invoice_credited_invoice_id``, most
    invoices have none). Decade data, one year: about half the CPU of grouping a UNION
    ALL of every invoice, payment and credit note (docs/benchmarks.md)."""
    end = filters.period.end
    paid = (
        select(func.coalesce(func.sum(Payment.amount_cents), 0))
        .where(
            Payment.invoice_id == Invoice.id,
            Payment.deleted_at.is_(None),
            Payment.paid_on <= end,
        )
        .scalar_subquery()
    )
    credit = aliased(Invoice, name="credit")
    credited = (
        # Credit notes are stored negative; abs() whatever the sign, as turnover does.
        select(func.coalesce(func.sum(func.abs(credit.total_incl_cents)), 0))
        .where(
            credit.credited_invoice_id == Invoice.id,
            credit.kind == InvoiceKind.CREDIT_NOTE,
            credit.status != InvoiceStatus.DRAFT,
            credit.deleted_at.is_(None),
            credit.issue_date <= end,
        )
        .correlate_except(credit)
        .scalar_subquery()
    )
    columns: list[Any] = [
        Invoice.id.label("invoice_id"),
        (Invoice.total_incl_cents - paid - credited).label("amount"),
    ]
    if detail:
        columns += [Invoice.entrepreneur_id.label("person_id"), Invoice.due_date.label("due_date")]
    balances = antenne_filter_of_invoice(
        select(*columns).where(
            Invoice.kind == InvoiceKind.INVOICE,
            Invoice.status == InvoiceStatus.ISSUED,
            Invoice.deleted_at.is_(None),
            Invoice.issue_date <= end,
        ),
        filters,
    ).subquery("balances")
    return select(balances).where(balances.c.amount > 0)


def receivables_in(session: Session, filters: Filters) -> Receivables:
    rows = due_members(filters, detail=False).subquery("unpaid")
    total, count = session.execute(
        select(func.coalesce(func.sum(rows.c.amount), 0), func.count())
    ).one()
    return Receivables(int(total), int(count))


def receivables(uow_factory: UnitOfWorkFactory, filters: Filters) -> Receivables:
    """Definition ``unpaid``."""
    with uow_factory() as uow:
        return receivables_in(uow.session, filters)
