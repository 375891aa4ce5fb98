"""Deposit invoices and the final invoice after a deposit (issue 15, item 1;
docs/invoicing.md, "Deposits").

A deposit invoice (« facture d'acompte ») is an invoice of role ``acompte``: BT-3 386,
its framework B1/S1/M1. The final invoice (role ``solde``) names the deposit invoices it
deducts — one or several (``deposit_links.py``; BG-3 repeated in the XML) — takes the
framework B4/S4/M4 and carries all the operation's lines plus negative lines deducting
each deposit, one per VAT rate and category, excluding VAT (``drafts.deduction_lines``):
its totals are what is left to pay, no deposit's VAT is charged twice, and every figure
(balance, turnover) reads it as any invoice. The checks here run when the draft is
saved and again at issue."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session, aliased

from app import formatting
from app.errors import FieldError
from app.invoicing.deposit_links import deposit_ids, names_deposit
from app.invoicing.einvoicing import DEPOSIT, FINAL
from app.invoicing.money import LineInput, compute_totals
from app.invoicing.printable import line_inputs, load_lines
from app.models import Invoice, InvoiceLine
from app.states import InvoiceStatus
from app.uow import UnitOfWorkFactory


def deposit_problems(
    session: Session, deposit_ids: Sequence[str], client_id: str
) -> list[FieldError]:
    """Why the deposit invoices ``deposit_ids`` cannot be deducted by a final invoice to
    ``client_id`` (each an issued deposit invoice of that client)."""
    if not deposit_ids:
        return [FieldError("deposit_invoice_id", "deposit_invoice_required")]
    for deposit_id in deposit_ids:
        deposit = session.get(Invoice, deposit_id)
        if (
            deposit is None
            or deposit.deleted_at is not None
            or deposit.status != InvoiceStatus.ISSUED
            or deposit.role != DEPOSIT
        ):
            return [FieldError("deposit_invoice_id", "deposit_not_an_issued_deposit")]
        if deposit.client_id != client_id:
            return [FieldError("deposit_invoice_id", "deposit_of_another_client")]
    return []


def _bases(lines: list[InvoiceLine], *, negative: bool) -> dict[tuple[int, str], int]:
    chosen = [ln for ln in lines if (ln.quantity_e4 < 0) == negative]
    totals = compute_totals(line_inputs(chosen)) if chosen else None
    out: dict[tuple[int, str], int] = {}
    if totals is None:
        return out
    for line, amounts in zip(chosen, totals.lines, strict=True):
        key = (line.vat_rate_bp, line.vat_category)
        out[key] = out.get(key, 0) + amounts.net_cents
    return out


def deposit_errors(session: Session, invoice: Invoice) -> list[FieldError]:
    """At issue: a final invoice deducts issued deposit invoices of its client, each once
    (by no other issued final invoice), by exactly their amounts per rate, and stays
    positive."""
    if invoice.role != FINAL:
        return []
    chosen = deposit_ids(invoice)
    problems = deposit_problems(session, chosen, invoice.client_id)
    if problems:
        return problems
    for deposit_id in chosen:
        deducted_elsewhere = session.scalar(
            select(func.count())
            .select_from(Invoice)
            .where(
                names_deposit(Invoice, literal(deposit_id)),
                Invoice.role == FINAL,
                Invoice.status == InvoiceStatus.ISSUED,
                Invoice.deleted_at.is_(None),
                Invoice.id != invoice.id,
            )
        )
        if deducted_elsewhere:
            return [FieldError("deposit_invoice_id", "deposit_already_deducted")]
    wanted: dict[tuple[int, str], int] = {}
    numbers = []
    for deposit_id in chosen:
        deposit = session.get_one(Invoice, deposit_id)
        numbers.append(deposit.number or "")
        for key, value in _bases(load_lines(session, deposit.id), negative=False).items():
            wanted[key] = wanted.get(key, 0) + value
    lines = load_lines(session, invoice.id)
    deducted = {key: -value for key, value in _bases(lines, negative=True).items()}
    if deducted != wanted:
        return [FieldError("lines", "deposit_deduction_mismatch", {"number": ", ".join(numbers)})]
    total = compute_totals(
        LineInput(ln.quantity_e4, ln.unit_price_cents, ln.vat_rate_bp, ln.discount_bp)
        for ln in lines
    )
    if total.incl_cents <= 0:
        return [FieldError("lines", "deposit_exceeds_invoice")]
    return []


def deposit_choices(uow_factory: UnitOfWorkFactory, client_id: str) -> list[tuple[str, str]]:
    """(id, label) of the client's issued deposit invoices no issued final invoice has
    deducted yet, oldest first: what a final invoice may deduct."""
    final = aliased(Invoice)
    with uow_factory() as uow:
        rows = uow.session.execute(
            select(Invoice.id, Invoice.number, Invoice.issue_date, Invoice.total_incl_cents)
            .where(
                Invoice.client_id == client_id,
                Invoice.role == DEPOSIT,
                Invoice.status == InvoiceStatus.ISSUED,
                Invoice.deleted_at.is_(None),
                ~select(final.id)
                .where(
                    names_deposit(final, Invoice.id),
                    final.role == FINAL,
                    final.status == InvoiceStatus.ISSUED,
                    final.deleted_at.is_(None),
                )
                .exists(),
            )
            .order_by(Invoice.issue_date, Invoice.number)
        ).all()
    return [
        (
            row.id,
            f"n° {row.number} du {formatting.date(row.issue_date)} — "
            f"{formatting.money(row.total_incl_cents)} TTC",
        )
        for row in rows
    ]
