"""Unpaid amounts at the period's end (definition ``unpaid``): what issued invoices still
had due on the last day of the period, from the facts dated by then."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, select
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
    overdue_cents: int  # part of it whose due date was before the period's end
    overdue_invoices: int


def due_members(filters: Filters) -> Query:
    """One row per issued invoice (not a credit note) dated by the period's end with a
    balance due on that day: total incl. VAT, minus credit notes issued against it by
    then, minus payments dated by then. An over-payment is not a negative debt."""
    end = filters.period.end
    credit = aliased(Invoice, name="credit_note")
    credited = (
        select(func.coalesce(func.sum(func.abs(credit.total_incl_cents)), 0))
        .where(
            credit.credited_invoice_id == Invoice.id,
            credit.kind == InvoiceKind.CREDIT_NOTE,
            credit.status != InvoiceStatus.DRAFT,
            credit.deleted_at.is_(None),
            credit.issue_date <= end,
        )
        .scalar_subquery()
    )
    paid = (
        select(func.coalesce(func.sum(Payment.amount_cents), 0))
        .where(
            Payment.invoice_id == Invoice.id,
            Payment.deleted_at.is_(None),
            Payment.paid_on <= end,
        )
        .scalar_subquery()
    )
    due = (Invoice.total_incl_cents - credited - paid).label("amount")
    query = select(
        Invoice.id.label("invoice_id"),
        Invoice.entrepreneur_id.label("person_id"),
        Invoice.due_date.label("due_date"),
        due,
    ).where(
        Invoice.deleted_at.is_(None),
        Invoice.status != InvoiceStatus.DRAFT,
        Invoice.kind == InvoiceKind.INVOICE,
        Invoice.issue_date <= end,
    )
    rows = antenne_filter_of_invoice(query, filters).subquery("dues")
    return select(rows).where(rows.c.amount > 0)


def receivables_in(session: Session, filters: Filters) -> Receivables:
    rows = due_members(filters).subquery("unpaid")
    late: Any = and_(rows.c.due_date.is_not(None), rows.c.due_date < filters.period.end)
    one = session.execute(
        select(
            func.coalesce(func.sum(rows.c.amount), 0),
            func.count(),
            func.coalesce(func.sum(case((late, rows.c.amount), else_=0)), 0),
            func.coalesce(func.sum(case((late, 1), else_=0)), 0),
        )
    ).one()
    return Receivables(int(one[0]), int(one[1]), int(one[2]), int(one[3]))


def receivables(uow_factory: UnitOfWorkFactory, filters: Filters) -> Receivables:
    """Definition ``unpaid``."""
    with uow_factory() as uow:
        return receivables_in(uow.session, filters)
