"""Which deposit invoices a final invoice deducts (docs/invoicing.md, "Deposits").

A final invoice (role ``solde``) may deduct several deposit invoices of its client: their
ids are ``invoice.deposit_invoice_ids``, a JSON list in the order they were added
(migration 0009), the first also in ``deposit_invoice_id`` (migration 0007). A row
without the list — issued before 0009, or pushed by a laptop not migrated yet — names
its ``deposit_invoice_id`` alone. Kept apart from ``deposits.py`` (the rules) so the
printable document reads the links without importing the rules."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, literal, or_
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.models import Invoice


@dataclass(frozen=True, slots=True)
class DepositRef:
    """A deposit invoice as a final invoice names it: BT-25/BT-26 and what it asked."""

    id: str
    number: str
    issue_date: dt.date | None
    total_incl_cents: int


def unique(ids: Iterable[str | None]) -> tuple[str, ...]:
    """The ids in their first order, each once, blanks dropped."""
    return tuple(dict.fromkeys(i for i in ids if i))


def deposit_ids(invoice: Invoice) -> tuple[str, ...]:
    """The deposit invoices ``invoice`` deducts (none for other roles' rows)."""
    if invoice.deposit_invoice_ids:
        return unique(json.loads(invoice.deposit_invoice_ids))
    return unique([invoice.deposit_invoice_id])


def store(invoice: Invoice, ids: Iterable[str]) -> None:
    """Write the list and its first id (read by copies that predate the list)."""
    chosen = unique(ids)
    invoice.deposit_invoice_ids = json.dumps(list(chosen)) if chosen else ""
    invoice.deposit_invoice_id = chosen[0] if chosen else None


def names_deposit(
    final: Any, deposit_id: ColumnElement[str] | InstrumentedAttribute[str]
) -> ColumnElement[bool]:
    """SQL: the final invoice ``final`` (``Invoice`` or an alias of it) names the deposit
    ``deposit_id``, in either column (UUIDs: a quoted one cannot match inside another)."""
    quoted = literal('"') + deposit_id + literal('"')
    return or_(final.deposit_invoice_id == deposit_id, final.deposit_invoice_ids.contains(quoted))


def deducted(session: Session, invoice: Invoice) -> tuple[DepositRef, ...]:
    """The deposit invoices ``invoice`` deducts, in its order (missing rows left out)."""
    refs = []
    for deposit_id in deposit_ids(invoice):
        deposit = session.get(Invoice, deposit_id)
        if deposit is not None:
            refs.append(
                DepositRef(
                    deposit.id, deposit.number or "", deposit.issue_date, deposit.total_incl_cents
                )
            )
    return tuple(refs)
