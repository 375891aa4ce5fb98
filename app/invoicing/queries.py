"""The invoice list (filter-as-you-type, status filter, lazy pages) and turnover figures.

Payment status is derived in SQL from two correlated sums (payments, credit
notes) so a status filter over 50,000 invoices stays one indexed query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import aliased

from app.clock import today
from app.invoicing.payments import derive_status
from app.models import Client, Invoice, Payment, Person
from app.states import InvoiceKind, InvoiceStatus
from app.text import search_patterns
from app.uow import UnitOfWorkFactory

# Filter keys offered by the list (the UI labels them in French).
STATUS_FILTERS = (
    "tous",
    "brouillon",
    "a_payer",
    "en_retard",
    "partiellement_payee",
    "payee",
    "annulee",
    "a_rembourser",
    "avoir",
)

_credit = aliased(Invoice)
_paid = (
    select(func.coalesce(func.sum(Payment.amount_cents), 0))
    .where(Payment.invoice_id == Invoice.id, Payment.deleted_at.is_(None))
    .correlate(Invoice)
    .scalar_subquery()
)
_credited = (
    select(func.coalesce(-func.sum(_credit.total_incl_cents), 0))
    .where(
        _credit.credited_invoice_id == Invoice.id,
        _credit.status == InvoiceStatus.ISSUED,
        _credit.deleted_at.is_(None),
    )
    .correlate(Invoice)
    .scalar_subquery()
)
_due = Invoice.total_incl_cents - _credited - _paid


@dataclass(frozen=True)
class InvoiceRow:
    id: str
    kind: str
    status: str  # brouillon | emise
    number: str
    issue_date: dt.date | None
    due_date: dt.date | None
    client_name: str
    entrepreneur_name: str
    total_incl_cents: int
    paid_cents: int
    credited_cents: int

    @property
    def due_cents(self) -> int:
        return self.total_incl_cents - self.credited_cents - self.paid_cents

    @property
    def payment_status(self) -> str:
        if self.status == InvoiceStatus.DRAFT:
            return "brouillon"
        if self.kind == InvoiceKind.CREDIT_NOTE:
            return "avoir"
        return derive_status(self.total_incl_cents, self.credited_cents, self.paid_cents)

    def is_overdue(self, on: dt.date) -> bool:
        return (
            self.payment_status in ("a_payer", "partiellement_payee")
            and self.due_date is not None
            and self.due_date < on
        )


_paid_by_invoice = (
    select(Payment.invoice_id.label("invoice_id"), func.sum(Payment.amount_cents).label("paid"))
    .where(Payment.deleted_at.is_(None))
    .group_by(Payment.invoice_id)
    .subquery()
)
_credited_by_invoice = (
    select(
        _credit.credited_invoice_id.label("invoice_id"),
        (-func.sum(_credit.total_incl_cents)).label("credited"),
    )
    .where(
        _credit.credited_invoice_id.is_not(None),
        _credit.status == InvoiceStatus.ISSUED,
        _credit.deleted_at.is_(None),
    )
    .group_by(_credit.credited_invoice_id)
    .subquery()
)


def _filtered(
    query: Select,  # type: ignore[type-arg]
    text: str,
    status: str,
    entrepreneur_id: str | None,
    on: dt.date,
) -> Select:  # type: ignore[type-arg]
    query = query.where(Invoice.deleted_at.is_(None))
    if entrepreneur_id:
        query = query.where(Invoice.entrepreneur_id == entrepreneur_id)
    for pattern in search_patterns(text):
        query = query.where(Invoice.search_key.like(pattern, escape="\\"))
    if status == InvoiceStatus.DRAFT:
        return query.where(Invoice.status == InvoiceStatus.DRAFT)
    if status == "avoir":
        return query.where(
            Invoice.kind == InvoiceKind.CREDIT_NOTE, Invoice.status == InvoiceStatus.ISSUED
        )
    if status not in (
        "a_payer",
        "en_retard",
        "partiellement_payee",
        "payee",
        "annulee",
        "a_rembourser",
    ):
        return query
    # Payment states: the sums are grouped once and joined (not one sub-query per row).
    paid = func.coalesce(_paid_by_invoice.c.paid, 0)
    credited = func.coalesce(_credited_by_invoice.c.credited, 0)
    due = Invoice.total_incl_cents - credited - paid
    query = (
        query.outerjoin(_paid_by_invoice, _paid_by_invoice.c.invoice_id == Invoice.id)
        .outerjoin(_credited_by_invoice, _credited_by_invoice.c.invoice_id == Invoice.id)
        .where(Invoice.status == InvoiceStatus.ISSUED, Invoice.kind == InvoiceKind.INVOICE)
    )
    conditions = {
        "a_payer": [due > 0],
        "en_retard": [due > 0, Invoice.due_date < on],
        "partiellement_payee": [due > 0, paid > 0],
        "payee": [due == 0, paid > 0],
        "a_rembourser": [due < 0],
        "annulee": [due <= 0, paid == 0, credited > 0],
    }
    return query.where(*conditions[status])


def count_invoices(
    uow_factory: UnitOfWorkFactory,
    text: str = "",
    status: str = "tous",
    entrepreneur_id: str | None = None,
) -> int:
    with uow_factory() as uow:
        query = _filtered(select(func.count(Invoice.id)), text, status, entrepreneur_id, today())
        return int(uow.session.scalar(query) or 0)


def search_invoices(
    uow_factory: UnitOfWorkFactory,
    text: str = "",
    status: str = "tous",
    *,
    entrepreneur_id: str | None = None,
    offset: int = 0,
    limit: int = 200,
) -> list[InvoiceRow]:
    """Drafts first, then the most recent issues; one page at a time.

    Two steps: the page's ids (filter + sort only), then the columns and the
    payment sums of those ids alone — sums are never computed for 50,000 rows
    just to show 200.
    """
    with uow_factory() as uow:
        page = _filtered(select(Invoice.id), text, status, entrepreneur_id, today())
        page = page.order_by(
            case((Invoice.status == InvoiceStatus.DRAFT, 0), else_=1),
            Invoice.issue_date.desc(),
            Invoice.number.desc(),
            Invoice.id.desc(),
        )
        ids = list(uow.session.scalars(page.offset(offset).limit(limit)))
        if not ids:
            return []
        rows = uow.session.execute(
            select(
                Invoice.id,
                Invoice.kind,
                Invoice.status,
                Invoice.number,
                Invoice.issue_date,
                Invoice.due_date,
                Client.name,
                Person.last_name,
                Person.first_name,
                Invoice.total_incl_cents,
                _paid,
                _credited,
            )
            .join(Client, Client.id == Invoice.client_id)
            .join(Person, Person.id == Invoice.entrepreneur_id)
            .where(Invoice.id.in_(ids))
        )
        by_id = {
            r[0]: InvoiceRow(
                r[0],
                r[1],
                r[2],
                r[3] or "",
                r[4],
                r[5],
                r[6],
                f"{r[7].upper()} {r[8]}",
                int(r[9]),
                int(r[10]),
                int(r[11]),
            )
            for r in rows
        }
        return [by_id[i] for i in ids if i in by_id]


def unpaid_invoices(
    uow_factory: UnitOfWorkFactory, *, overdue_only: bool = False, limit: int = 1000
) -> list[InvoiceRow]:
    return search_invoices(uow_factory, "", "en_retard" if overdue_only else "a_payer", limit=limit)


@dataclass(frozen=True)
class TurnoverRow:
    period: str  # "2026" or "2026-11"
    invoiced_excl_cents: int  # invoices minus credit notes, excl. VAT
    cashed_cents: int  # payments received (incl. VAT)


def turnover(
    uow_factory: UnitOfWorkFactory, entrepreneur_id: str, *, by: str = "month"
) -> list[TurnoverRow]:
    """Invoiced (net of credit notes, excl. VAT) and cashed, per month or per year.

    Summed in Python: one entrepreneur has at most a few thousand rows, and
    this stays portable between SQLite and the siège's PostgreSQL.
    """

    def key(day: dt.date) -> str:
        return f"{day:%Y-%m}" if by == "month" else f"{day:%Y}"

    invoiced: dict[str, int] = {}
    cashed: dict[str, int] = {}
    with uow_factory() as uow:
        for issued_on, excl in uow.session.execute(
            select(Invoice.issue_date, Invoice.total_excl_cents).where(
                Invoice.entrepreneur_id == entrepreneur_id,
                Invoice.status == InvoiceStatus.ISSUED,
                Invoice.deleted_at.is_(None),
            )
        ):
            if issued_on is None:
                continue
            invoiced[key(issued_on)] = invoiced.get(key(issued_on), 0) + int(excl)
        for paid_on, amount in uow.session.execute(
            select(Payment.paid_on, Payment.amount_cents)
            .join(Invoice, Invoice.id == Payment.invoice_id)
            .where(Invoice.entrepreneur_id == entrepreneur_id, Payment.deleted_at.is_(None))
        ):
            cashed[key(paid_on)] = cashed.get(key(paid_on), 0) + int(amount)
    periods = sorted(set(invoiced) | set(cashed), reverse=True)
    return [TurnoverRow(p, invoiced.get(p, 0), cashed.get(p, 0)) for p in periods]


def issued_ids_matching(
    uow_factory: UnitOfWorkFactory, text: str = "", status: str = "tous"
) -> list[str]:
    """Ids of the issued invoices and credit notes the list shows (for a batch export)."""
    with uow_factory() as uow:
        query = _filtered(select(Invoice.id), text, status, None, today()).where(
            Invoice.status == InvoiceStatus.ISSUED
        )
        return list(uow.session.scalars(query.order_by(Invoice.issue_date, Invoice.number)))
