"""The rows behind a figure: a click on a number lists the persons or invoices it counts.

Each list is built from the very query that computes the figure (the indicator's
``*_members`` select), so the list and the number cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app.errors import NotFoundError
from app.indicators.attachment import attachments_on
from app.indicators.flows import cape_start_members, exit_members, intake_members
from app.indicators.network import received_members, stage_start_members
from app.indicators.period import Filters
from app.indicators.persons import (
    accompanied_members,
    below_minimum_condition,
    followup_members,
    status_members,
)
from app.indicators.receivables import due_members
from app.indicators.sql import Query, dialect
from app.indicators.turnover import invoice_members, payment_members
from app.indicators.workshops import participant_members
from app.models import Antenne, Invoice, Payment, Person
from app.states import IntakeDecision, InvoiceKind, StageKind
from app.uow import UnitOfWorkFactory

PERSON_FIGURES: dict[str, tuple[str, ...]] = {
    "accompanied": ("", "status", "antenne", "permanence", "accompagnateur"),
    "intakes": ("", "decision"),
    "admissions": ("",),
    "capes_started": ("",),
    "exits": ("", "outcome"),
    "followups": ("",),
    "followups_below_minimum": ("",),
    "workshop_participants": ("",),
    "cape": ("",),
    "salaries": ("",),
    "associes": ("",),
    "persons_received": ("",),
    "cesa_started": ("",),
    "invoicing_entrepreneurs": ("",),
}
INVOICE_FIGURES: dict[str, tuple[str, ...]] = {
    "turnover_invoiced": ("", "antenne", "month", "person_id"),
    "turnover_cashed": ("", "antenne", "month", "person_id"),
    "unpaid": ("", "person_id"),
}
_STATUS_OF = {"cape": "cape", "salaries": "salarie", "associes": "associe"}


@dataclass(frozen=True)
class FigureRef:
    """Which figure was clicked: an indicator key, optionally one line of a breakdown."""

    indicator: str
    dimension: str = ""
    key: str = ""

    @property
    def lists_invoices(self) -> bool:
        return self.indicator in INVOICE_FIGURES


@dataclass(frozen=True)
class PersonLine:
    id: str
    last_name: str
    first_name: str
    antenne: str
    city: str

    @property
    def full_name(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}"


@dataclass(frozen=True)
class InvoiceLine:
    id: str
    number: str
    kind: str
    day: dt.date | None  # issue date, or payment date for cashed amounts
    entrepreneur: str
    amount_cents: int


def _check(ref: FigureRef, known: dict[str, tuple[str, ...]]) -> None:
    if ref.indicator not in known or ref.dimension not in known[ref.indicator]:
        raise NotFoundError("unknown_figure", indicator=ref.indicator, dimension=ref.dimension)


def _where_key(members: Any, ref: FigureRef) -> ColumnElement[bool] | None:
    if not ref.dimension:
        return None
    column = members.c[ref.dimension]
    return column.is_(None) if ref.key == "" else column == ref.key


def _person_members(session: Session, filters: Filters, ref: FigureRef) -> Any:
    _check(ref, PERSON_FIGURES)
    name = ref.indicator
    query: Query
    if name == "accompanied":
        query = accompanied_members(session, filters)
    elif name == "intakes":
        query = intake_members(filters)
    elif name == "admissions":
        query = intake_members(filters, IntakeDecision.ADMITTED)
    elif name == "capes_started":
        query = cape_start_members(session, filters)
    elif name == "exits":
        query = exit_members(session, filters)
    elif name in ("followups", "followups_below_minimum"):
        query = followup_members(session, filters)
    elif name == "workshop_participants":
        query = participant_members(filters, dialect(session))
    elif name == "persons_received":
        query = received_members(filters)
    elif name == "cesa_started":
        query = stage_start_members(session, filters, StageKind.SALARIE, "CESA")
    elif name == "invoicing_entrepreneurs":
        invoiced = invoice_members(filters, dialect(session)).subquery("invoiced")
        query = select(invoiced.c.person_id).where(invoiced.c.kind == InvoiceKind.INVOICE)
    else:
        query = status_members(session, filters, _STATUS_OF[name])
    members = query.subquery("members")
    ids = select(members.c.person_id)
    condition = _where_key(members, ref)
    if ref.dimension == "decision" and ref.key == "":
        condition = members.c.decision == ""
    if condition is not None:
        ids = ids.where(condition)
    if name == "followups_below_minimum":
        ids = ids.where(below_minimum_condition(members))
    return ids.distinct()


def count_persons(uow_factory: UnitOfWorkFactory, filters: Filters, ref: FigureRef) -> int:
    with uow_factory() as uow:
        ids = _person_members(uow.session, filters, ref).subquery("ids")
        return int(uow.session.scalar(select(func.count()).select_from(ids)) or 0)


def list_persons(
    uow_factory: UnitOfWorkFactory,
    filters: Filters,
    ref: FigureRef,
    offset: int = 0,
    limit: int = 200,
) -> list[PersonLine]:
    with uow_factory() as uow:
        ids = _person_members(uow.session, filters, ref)
        # The antenne the person belonged to on the period's last day, as the figures
        # read it (docs/indicators.md, "Antenne filter"), not today's.
        on_end = attachments_on(uow.session, filters.period.end)
        rows = uow.session.execute(
            select(Person.id, Person.last_name, Person.first_name, Antenne.name, Person.city)
            .join(on_end, on_end.c.person_id == Person.id)
            .outerjoin(Antenne, Antenne.id == on_end.c.antenne_id)
            .where(Person.id.in_(ids))
            .order_by(Person.last_name, Person.first_name, Person.id)
            .offset(offset)
            .limit(limit)
        )
        return [PersonLine(r[0], r[1], r[2], r[3] or "", r[4]) for r in rows]


def _invoice_query(session: Session, filters: Filters, ref: FigureRef) -> Query:
    _check(ref, INVOICE_FIGURES)
    cashed = ref.indicator == "turnover_cashed"
    if ref.indicator == "unpaid":
        # Amount: the balance due on the period's last day (definition ``unpaid``).
        members = due_members(session, filters).subquery("members")
    else:
        members = (
            payment_members(session, filters)
            if cashed
            else invoice_members(filters, dialect(session))
        ).subquery("members")
    day = Payment.paid_on if cashed else Invoice.issue_date
    query = (
        select(
            Invoice.id,
            Invoice.number,
            Invoice.kind,
            day,
            Person.last_name,
            Person.first_name,
            members.c.amount,
        )
        .select_from(members)
        .join(Invoice, Invoice.id == members.c.invoice_id)
        .join(Person, Person.id == Invoice.entrepreneur_id)
    )
    if cashed:
        # One line per payment: the amount cashed that day on that invoice.
        query = query.join(Payment, Payment.id == members.c.payment_id)
    condition = _where_key(members, ref)
    if condition is not None:
        query = query.where(condition)
    return query


def count_invoices(uow_factory: UnitOfWorkFactory, filters: Filters, ref: FigureRef) -> int:
    with uow_factory() as uow:
        inner = _invoice_query(uow.session, filters, ref).subquery("lines")
        return int(uow.session.scalar(select(func.count()).select_from(inner)) or 0)


def list_invoices(
    uow_factory: UnitOfWorkFactory,
    filters: Filters,
    ref: FigureRef,
    offset: int = 0,
    limit: int = 200,
) -> list[InvoiceLine]:
    with uow_factory() as uow:
        query = _invoice_query(uow.session, filters, ref)
        rows = uow.session.execute(
            query.order_by(query.selected_columns[3], query.selected_columns[1])
            .offset(offset)
            .limit(limit)
        )
        return [
            InvoiceLine(r[0], r[1] or "", r[2], r[3], f"{r[4].upper()} {r[5]}", int(r[6]))
            for r in rows
        ]
