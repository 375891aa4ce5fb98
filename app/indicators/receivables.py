"""Unpaid amounts at the period's end (definition ``unpaid``): what issued invoices still
had due on the last day of the period, from the facts dated by then."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

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

    Read as one UNION ALL of signed parts grouped per invoice, each part from a covering
    index (dates and antenne: ix_invoice_figures; totals: ix_invoice_dues; payments:
    ix_payment_figures; credit notes: by credited_invoice_id), so the issued rows,
    kilobytes of frozen snapshots each, are never visited (decade data, one year: about
    three times less CPU than correlated sums per invoice; docs/benchmarks.md)."""
    end = filters.period.end
    no_text, no_day = cast(null(), String), cast(null(), Date)
    zero = literal(0, BigInteger)

    def extra(person: Any, due_date: Any) -> list[Any]:
        return [person, due_date] if detail else []

    in_scope = antenne_filter_of_invoice(
        select(
            Invoice.id.label("invoice_id"),
            zero.label("amount"),
            literal(1).label("in_scope"),
            *(
                [Invoice.entrepreneur_id.label("person_id"), no_day.label("due_date")]
                if detail
                else []
            ),
        ).where(
            Invoice.deleted_at.is_(None),
            Invoice.status != InvoiceStatus.DRAFT,
            Invoice.kind == InvoiceKind.INVOICE,
            Invoice.issue_date <= end,
        ),
        filters,
    )
    totals = select(
        Invoice.id, Invoice.total_incl_cents, literal(0), *extra(no_text, Invoice.due_date)
    ).where(
        Invoice.status == InvoiceStatus.ISSUED,
        Invoice.kind == InvoiceKind.INVOICE,
        Invoice.deleted_at.is_(None),
    )
    paid = select(
        Payment.invoice_id, -Payment.amount_cents, literal(0), *extra(no_text, no_day)
    ).where(Payment.deleted_at.is_(None), Payment.paid_on <= end)
    credited = select(
        Invoice.credited_invoice_id,
        # Credit notes are stored negative; abs() whatever the sign, as turnover does.
        case((Invoice.issue_date <= end, -func.abs(Invoice.total_incl_cents)), else_=zero),
        literal(0),
        *extra(no_text, no_day),
    ).where(
        # "> ''" rather than IS NOT NULL: SQLite then ranges over the index.
        Invoice.credited_invoice_id > "",
        Invoice.kind == InvoiceKind.CREDIT_NOTE,
        Invoice.status != InvoiceStatus.DRAFT,
        Invoice.deleted_at.is_(None),
    )
    parts = union_all(in_scope, totals, paid, credited).subquery("due_parts")
    due = func.sum(parts.c.amount)
    columns = [parts.c.invoice_id.label("invoice_id"), due.label("amount")]
    if detail:
        columns += [
            func.max(parts.c.person_id).label("person_id"),
            func.max(parts.c.due_date).label("due_date"),
        ]
    return (
        select(*columns)
        .group_by(parts.c.invoice_id)
        .having(and_(func.max(parts.c.in_scope) == 1, due > 0))
    )


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
