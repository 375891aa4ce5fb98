"""Unpaid amounts at the period's end (definition ``unpaid``): what issued invoices still
had due on the last day of the period, from the facts dated by then."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.indicators import derived
from app.indicators.period import NO_ANTENNE, Filters
from app.indicators.sql import Query
from app.indicators.turnover import antenne_filter_of_invoice
from app.models import Invoice, Payment
from app.states import InvoiceKind, InvoiceStatus
from app.uow import UnitOfWorkFactory


@dataclass(frozen=True)
class Receivables:
    unpaid_cents: int  # TTC, sum of the positive balances
    unpaid_invoices: int


def due_members(session: Session, filters: Filters, *, detail: bool = True) -> Query:
    """One row per issued invoice (not a credit note) dated by the period's end with a
    balance due on that day (``amount``): total incl. VAT, minus credit notes issued
    against it by then, minus payments dated by then. An over-payment is not a negative
    debt. ``detail``: with the entrepreneur and due date (the drill-down's list); the
    card reads only the amounts.

    With the derived table ``invoice_open`` (migration 0008) only the invoices not yet
    settled on the period's last day are read (index on ``settled_on``), and payments and
    credit notes are summed only for those changed after that day (the others' balance
    is ``balance_cents``): decade data, one year, ~48 -> ~7 ms. Without it (PostgreSQL,
    a ``create_all`` schema) every issued invoice is read from the covering index
    ``ix_invoice_unpaid`` with two correlated sums by index seek (``ix_payment_dues``,
    ``ix_invoice_credited_invoice_id``)."""
    opened = derived.open_invoices(session)
    if opened is None:
        return _due_from_invoices(filters, detail)
    end = filters.period.end
    balance = case(
        (opened.c.last_event_on <= end, opened.c.balance_cents),
        else_=opened.c.total_incl_cents
        - _paid_by(opened.c.invoice_id, end)
        - _credited_by(opened.c.invoice_id, end),
    )
    columns: list[Any] = [opened.c.invoice_id.label("invoice_id"), balance.label("amount")]
    query = select(*columns).where(
        opened.c.issue_date <= end,
        or_(opened.c.settled_on.is_(None), opened.c.settled_on > end),
    )
    if filters.antenne_id == NO_ANTENNE:
        query = query.where(opened.c.antenne_id.is_(None))
    elif filters.antenne_id:
        query = query.where(opened.c.antenne_id == filters.antenne_id)
    if detail:
        query = query.join(Invoice, Invoice.id == opened.c.invoice_id).add_columns(
            Invoice.entrepreneur_id.label("person_id"), Invoice.due_date.label("due_date")
        )
    balances = query.subquery("balances")
    return select(balances).where(balances.c.amount > 0)


def _paid_by(invoice_id: Any, end: dt.date) -> Any:
    """Payments of the invoice dated by ``end``."""
    return (
        select(func.coalesce(func.sum(Payment.amount_cents), 0))
        .where(
            Payment.invoice_id == invoice_id,
            Payment.deleted_at.is_(None),
            Payment.paid_on <= end,
        )
        .scalar_subquery()
    )


_CREDIT = aliased(Invoice, name="credit")


def _credited_by(invoice_id: Any, end: dt.date) -> Any:
    """Credit notes issued against the invoice by ``end`` (stored negative: abs() whatever
    the sign, as turnover does)."""
    credit = _CREDIT
    return (
        select(func.coalesce(func.sum(func.abs(credit.total_incl_cents)), 0))
        .where(
            credit.credited_invoice_id == invoice_id,
            credit.kind == InvoiceKind.CREDIT_NOTE,
            credit.status != InvoiceStatus.DRAFT,
            credit.deleted_at.is_(None),
            credit.issue_date <= end,
        )
        .correlate_except(credit)
        .scalar_subquery()
    )


def _due_from_invoices(filters: Filters, detail: bool) -> Query:
    """:func:`due_members` without the derived table."""
    end = filters.period.end
    columns: list[Any] = [
        Invoice.id.label("invoice_id"),
        (
            Invoice.total_incl_cents - _paid_by(Invoice.id, end) - _credited_by(Invoice.id, end)
        ).label("amount"),
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
    rows = due_members(session, filters, detail=False).subquery("unpaid")
    total, count = session.execute(
        select(func.coalesce(func.sum(rows.c.amount), 0), func.count())
    ).one()
    return Receivables(int(total), int(count))


def receivables(uow_factory: UnitOfWorkFactory, filters: Filters) -> Receivables:
    """Definition ``unpaid``."""
    with uow_factory() as uow:
        return receivables_in(uow.session, filters)
