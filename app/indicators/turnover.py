"""Turnover invoiced (excl. VAT) and cashed, per entrepreneur, antenne and month."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from app.indicators import derived, labels
from app.indicators.attachment import attachments_on
from app.indicators.period import NO_ANTENNE, Filters
from app.indicators.sql import (
    Breakdown,
    Query,
    dialect,
    materialize,
    month_of,
)
from app.models import Invoice, Payment, Person
from app.states import InvoiceKind, InvoiceStatus
from app.uow import UnitOfWorkFactory


@dataclass(frozen=True)
class EntrepreneurTurnover:
    person_id: str
    name: str
    antenne: str
    invoiced_cents: int
    cashed_cents: int


@dataclass(frozen=True)
class TurnoverFigures:
    invoiced_cents: int
    cashed_cents: int
    invoices: int
    credit_notes: int
    by_antenne: tuple[Breakdown, ...]  # invoiced, cents
    cashed_by_antenne: tuple[Breakdown, ...]
    by_month: tuple[Breakdown, ...]  # invoiced, cents
    cashed_by_month: tuple[Breakdown, ...]
    by_entrepreneur: tuple[EntrepreneurTurnover, ...]
    # Distinct entrepreneurs with at least one invoice (not only a credit note) issued in
    # the period (definition ``invoicing_entrepreneurs``).
    invoicing_entrepreneurs: int = 0


def _signed(amount: Any) -> Any:
    # Credit notes subtract whatever sign the invoicing code stores them with.
    return case((Invoice.kind == InvoiceKind.CREDIT_NOTE, -func.abs(amount)), else_=amount)


def _issued() -> Any:
    return (Invoice.deleted_at.is_(None), Invoice.status != InvoiceStatus.DRAFT)


def _antenne() -> Any:
    """The antenne an invoice counts for: its entrepreneur's on the issue date, frozen at
    validation (``invoice.antenne_id``; app/invoicing/validation.py), which is the
    entrepreneur's attachment that day. None: the entrepreneur had no antenne that day
    ("sans antenne"), not a value to look up again today (docs/indicators.md)."""
    return Invoice.antenne_id


def antenne_filter_of_invoice(query: Query, filters: Filters) -> Query:
    """The antenne filter of invoices, credit notes and their payments (:func:`_antenne`)."""
    if filters.antenne_id == NO_ANTENNE:
        return query.where(_antenne().is_(None))
    if filters.antenne_id:
        return query.where(_antenne() == filters.antenne_id)
    return query


_CREDITED = aliased(Invoice, name="credited")


def _counted_on() -> Any:
    """Option ``credit_notes_by_invoice`` (definition ``turnover_by_invoice_period``): a
    credit note counts on its credited invoice's issue date when that invoice is issued
    and live, else on its own; an invoice on its own issue date."""
    return case(
        (
            and_(Invoice.kind == InvoiceKind.CREDIT_NOTE, _CREDITED.id.is_not(None)),
            _CREDITED.issue_date,
        ),
        else_=Invoice.issue_date,
    )


def invoice_members(filters: Filters, dialect_name: str) -> Query:
    """One row per issued invoice or credit note dated in the period (by default each on
    its own issue date; with ``filters.credit_notes_by_invoice`` a credit note on its
    invoice's)."""
    day: Any = Invoice.issue_date
    if filters.credit_notes_by_invoice:
        day = _counted_on()
    query = select(
        Invoice.id.label("invoice_id"),
        Invoice.entrepreneur_id.label("person_id"),
        _antenne().label("antenne"),
        Invoice.kind.label("kind"),
        month_of(day, dialect_name).label("month"),
        _signed(Invoice.total_excl_cents).label("amount"),
    ).where(*_issued(), day.between(filters.period.start, filters.period.end))
    if filters.credit_notes_by_invoice:
        # Only the default path is on the dashboard's covering index; the option joins.
        query = query.outerjoin(
            _CREDITED,
            and_(
                _CREDITED.id == Invoice.credited_invoice_id,
                _CREDITED.deleted_at.is_(None),
                _CREDITED.status != InvoiceStatus.DRAFT,
            ),
        )
    return antenne_filter_of_invoice(query, filters)


def payment_members(session: Session, filters: Filters) -> Query:
    """One row per payment received in the period on an issued invoice (a refund on a
    credit note negative). Read from the derived table ``payment_fact`` (migration 0008:
    the invoice's entrepreneur, antenne and sign kept with each payment, one narrow
    index, no join: decade data, ten years, the two passes ~75 -> ~35 ms), else by
    joining each payment to its invoice."""
    facts = derived.payment_facts(session)
    if facts is not None:
        query = select(
            facts.c.payment_id.label("payment_id"),
            facts.c.invoice_id.label("invoice_id"),
            facts.c.person_id.label("person_id"),
            facts.c.antenne_id.label("antenne"),
            month_of(facts.c.paid_on, "sqlite").label("month"),
            facts.c.amount.label("amount"),
        ).where(facts.c.paid_on.between(filters.period.start, filters.period.end))
        if filters.antenne_id == NO_ANTENNE:
            return query.where(facts.c.antenne_id.is_(None))
        if filters.antenne_id:
            return query.where(facts.c.antenne_id == filters.antenne_id)
        return query
    query = (
        select(
            Payment.id.label("payment_id"),
            Payment.invoice_id.label("invoice_id"),
            Invoice.entrepreneur_id.label("person_id"),
            _antenne().label("antenne"),
            month_of(Payment.paid_on, dialect(session)).label("month"),
            _signed(Payment.amount_cents).label("amount"),
        )
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(
            Payment.deleted_at.is_(None),
            *_issued(),
            Payment.paid_on.between(filters.period.start, filters.period.end),
        )
    )
    return antenne_filter_of_invoice(query, filters)


def _sums(session: Session, members: Any, column: str) -> dict[str, int]:
    col = members.c[column]
    rows = session.execute(select(col, func.sum(members.c.amount)).group_by(col))
    return {(k or ""): int(v or 0) for k, v in rows}


def _grouped(members: Query, keys: tuple[str, ...]) -> Query:
    """The member rows summed per ``keys`` (fewer rows to store and re-group than one per
    invoice): every figure is still a sum of the rows the drill-down lists."""
    rows = members.subquery("members")
    columns = [rows.c[k] for k in keys]
    return select(
        *columns, func.sum(rows.c.amount).label("amount"), func.count().label("n")
    ).group_by(*columns)


def turnover_in(session: Session, filters: Filters) -> TurnoverFigures:
    """The card, its breakdowns and the drill-down list read the same member rows
    (:func:`invoice_members`, :func:`payment_members`): they cannot disagree. Every issued
    invoice counts whatever happened to its entrepreneur since (deleted, merged): the
    ten-year retention keeps the invoice, so the turnover keeps it too."""
    name = dialect(session)
    invoice_rows, payment_rows = invoice_members(filters, name), payment_members(session, filters)
    # Per person and antenne (a few thousand rows over ten years: the card's other sums read
    # them for next to nothing); the months straight from the members, one grouped scan
    # each: cheaper than storing every person x month (as many rows as invoices over ten
    # years) and grouping it again per dimension (docs/benchmarks.md).
    keys = ("person_id", "antenne")
    invoiced = materialize(session, "ind_invoiced", _grouped(invoice_rows, (*keys, "kind")), ())
    cashed = materialize(session, "ind_cashed", _grouped(payment_rows, keys), ())
    kinds = {
        k: int(n)
        for k, n in session.execute(
            select(invoiced.c.kind, func.sum(invoiced.c.n)).group_by(invoiced.c.kind)
        )
    }
    antenne_names = labels.antennes(session)
    inv_antenne = _sums(session, invoiced, "antenne")
    cash_antenne = _sums(session, cashed, "antenne")
    inv_person = _sums(session, invoiced, "person_id")
    cash_person = _sums(session, cashed, "person_id")
    people = _people(session, set(inv_person) | set(cash_person), antenne_names, filters)
    inv_month = _sums(session, invoice_rows.subquery("members"), "month")
    cash_month = _sums(session, payment_rows.subquery("members"), "month")
    months = filters.period.months()
    invoicing = session.scalar(
        select(func.count(func.distinct(invoiced.c.person_id))).where(invoiced.c.kind == "facture")
    )
    return TurnoverFigures(
        invoicing_entrepreneurs=int(invoicing or 0),
        invoiced_cents=sum(inv_antenne.values()),
        cashed_cents=sum(cash_antenne.values()),
        invoices=kinds.get("facture", 0),
        credit_notes=kinds.get("avoir", 0),
        by_antenne=_by_antenne(inv_antenne, antenne_names),
        cashed_by_antenne=_by_antenne(cash_antenne, antenne_names),
        by_month=tuple(Breakdown(m, m, inv_month.get(m, 0)) for m in months),
        cashed_by_month=tuple(Breakdown(m, m, cash_month.get(m, 0)) for m in months),
        by_entrepreneur=tuple(
            sorted(
                (
                    EntrepreneurTurnover(
                        pid,
                        people[pid][0],
                        people[pid][1],
                        inv_person.get(pid, 0),
                        cash_person.get(pid, 0),
                    )
                    for pid in people
                ),
                key=lambda e: (-e.invoiced_cents, e.name),
            )
        ),
    )


def _by_antenne(sums: dict[str, int], names: dict[str, str]) -> tuple[Breakdown, ...]:
    from app.indicators.definitions import NONE_LABEL

    keys = sorted(sums, key=lambda k: (-sums[k], names.get(k, "")))
    return tuple(Breakdown(k, names.get(k, NONE_LABEL), sums[k]) for k in keys)


def _people(
    session: Session, ids: set[str], antenne_names: dict[str, str], filters: Filters
) -> dict[str, tuple[str, str]]:
    """Name and antenne of each entrepreneur listed: the antenne of their attachment on
    the period's last day, so a past period's table does not move with them."""
    if not ids:
        return {}
    on_end = attachments_on(session, filters.period.end)
    rows = session.execute(
        select(Person.id, Person.last_name, Person.first_name, on_end.c.antenne_id)
        .join(on_end, on_end.c.person_id == Person.id)
        .where(Person.id.in_(ids))
    )
    return {
        i: (f"{last.upper()} {first}", antenne_names.get(a or "", "")) for i, last, first, a in rows
    }


def turnover(uow_factory: UnitOfWorkFactory, filters: Filters) -> TurnoverFigures:
    """Definitions ``turnover_invoiced`` and ``turnover_cashed``."""
    with uow_factory() as uow:
        return turnover_in(uow.session, filters)
