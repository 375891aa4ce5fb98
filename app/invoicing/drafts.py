"""Drafts: create, edit, delete (tombstone) and read invoices and credit notes.

Only drafts change here; an issued invoice is refused with
``invoice_issued_immutable`` (and the model-level guard refuses it anyway).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from app import formatting
from app.clock import utcnow
from app.errors import Collector, ConflictError, NotFoundError
from app.invoicing import deposit_links, deposits
from app.invoicing.deposit_links import DepositRef, deposit_ids, unique
from app.invoicing.einvoicing import CATEGORIES, DEPOSIT, FINAL, ROLES
from app.invoicing.money import VAT_RATES_BP, LineInput, Totals, compute_totals
from app.invoicing.printable import load_lines
from app.models import Client, Invoice, InvoiceLine, Person
from app.models.invoicing import IssuedInvoiceImmutable
from app.pdf.glyphs import check_printable
from app.states import InvoiceKind, InvoiceStatus
from app.text import fold
from app.uow import UnitOfWorkFactory

NATURES = ("services", "biens", "mixte")
KINDS = ("facture", "avoir")
MAX_QUANTITY_E4 = 10**12  # 100 million units
MAX_PRICE_CENTS = 10**11  # 1 billion euros
MAX_REFERENCE = 100  # BT-10 / BT-13, the column's width
PRINTED_TEXTS = (
    "notes",
    "payment_terms",
    "vat_exemption_text",
    "buyer_reference",
    "order_reference",
)


@dataclass(frozen=True)
class LineData:
    description: str
    quantity_e4: int
    unit_price_cents: int
    vat_rate_bp: int
    discount_bp: int = 0
    unit: str = ""
    # EN 16931 VAT category; "" = derived at issue (app/invoicing/einvoicing.py).
    vat_category: str = ""


@dataclass(frozen=True)
class DraftData:
    entrepreneur_id: str
    client_id: str
    lines: tuple[LineData, ...] = ()
    kind: str = "facture"
    sale_date: dt.date | None = None
    due_date: dt.date | None = None
    nature: str = "services"
    payment_terms: str = ""
    vat_on_debits: bool = False
    vat_exemption_text: str = ""
    notes: str = ""
    credited_invoice_id: str | None = None
    buyer_reference: str = ""  # BT-10
    order_reference: str = ""  # BT-13
    # "" / "acompte" (deposit invoice) / "solde" (final invoice deducting the deposit
    # invoices ``deposit_invoice_ids`` by negative lines: deduction_lines).
    role: str = ""
    deposit_invoice_ids: tuple[str, ...] = ()

    def with_changes(self, **changes: object) -> DraftData:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class InvoiceDetail:
    id: str
    status: str
    number: str
    issue_date: dt.date | None
    data: DraftData
    totals: Totals
    client_name: str
    entrepreneur_name: str
    credited_number: str
    pdf_sha256: str
    # The deposit invoices a final invoice deducts: number, date, amount (its window).
    deposits: tuple[DepositRef, ...] = ()

    @property
    def is_draft(self) -> bool:
        return self.status == InvoiceStatus.DRAFT


def totals_of(lines: tuple[LineData, ...] | list[LineData]) -> Totals:
    return compute_totals(
        LineInput(ln.quantity_e4, ln.unit_price_cents, ln.vat_rate_bp, ln.discount_bp)
        for ln in lines
    )


def check_lines(data: DraftData, errors: Collector) -> None:
    for index, line in enumerate(data.lines):
        prefix = f"lines.{index}."
        errors.check(bool(line.description.strip()), prefix + "description", "required")
        if line.quantity_e4 == 0:
            errors.add(prefix + "quantity", "quantity_zero")
        elif line.quantity_e4 < 0 and data.kind != InvoiceKind.CREDIT_NOTE and data.role != FINAL:
            # A final invoice's negative lines deduct its deposit (checked at issue).
            errors.add(prefix + "quantity", "negative_quantity_invoice")
        elif line.quantity_e4 > 0 and data.kind == InvoiceKind.CREDIT_NOTE:
            errors.add(prefix + "quantity", "positive_quantity_credit_note")
        errors.check(abs(line.quantity_e4) <= MAX_QUANTITY_E4, prefix + "quantity", "too_large")
        errors.check(line.unit_price_cents >= 0, prefix + "unit_price", "negative")
        errors.check(line.unit_price_cents <= MAX_PRICE_CENTS, prefix + "unit_price", "too_large")
        errors.check(line.vat_rate_bp in VAT_RATES_BP, prefix + "vat_rate", "invalid_vat_rate")
        errors.check(0 <= line.discount_bp <= 10_000, prefix + "discount", "invalid_discount")
        if line.vat_category:
            errors.check(
                line.vat_category in CATEGORIES, prefix + "vat_category", "invalid_vat_category"
            )
            errors.check(
                (line.vat_category == "S") == (line.vat_rate_bp > 0),
                prefix + "vat_category",
                "vat_category_rate_mismatch",
            )
    for name in ("buyer_reference", "order_reference"):
        errors.check(len(getattr(data, name)) <= MAX_REFERENCE, name, "too_long", max=MAX_REFERENCE)
    # Printed on the invoice and in its XML: printable as typed (app/pdf/glyphs.py).
    for index, line in enumerate(data.lines):
        check_printable(errors, f"lines.{index}.description", line.description)
        check_printable(errors, f"lines.{index}.unit", line.unit)
    for name in PRINTED_TEXTS:
        check_printable(errors, name, getattr(data, name))


def _check(session: Session, data: DraftData) -> None:
    errors = Collector()
    errors.check(data.kind in KINDS, "kind", "required")
    errors.check(data.nature in NATURES, "nature", "required")
    person = session.get(Person, data.entrepreneur_id) if data.entrepreneur_id else None
    errors.check(person is not None and person.deleted_at is None, "entrepreneur_id", "required")
    client = session.get(Client, data.client_id) if data.client_id else None
    errors.check(client is not None and client.deleted_at is None, "client_id", "required")
    if client is not None and person is not None and client.entrepreneur_id != person.id:
        errors.add("client_id", "client_of_other_entrepreneur")
    if data.sale_date and data.due_date and data.due_date < data.sale_date:
        errors.add("due_date", "end_before_start")
    if data.kind == InvoiceKind.CREDIT_NOTE:
        errors.check(bool(data.credited_invoice_id), "credited_invoice_id", "required")
    errors.check(data.role in ROLES, "role", "required")
    if data.role and data.kind != InvoiceKind.INVOICE:
        errors.add("role", "deposit_role_on_credit_note")
    if data.role == FINAL:
        errors.errors.extend(
            deposits.deposit_problems(session, data.deposit_invoice_ids, data.client_id)
        )
    elif data.deposit_invoice_ids:
        errors.add("deposit_invoice_id", "deposit_only_on_final_invoice")
    check_lines(data, errors)
    errors.raise_if_any()


def deduction_lines(uow_factory: UnitOfWorkFactory, deposit_id: str) -> tuple[LineData, ...]:
    """The lines a final invoice adds to deduct an issued deposit invoice: one negative
    line per VAT rate (and category) of the deposit, its amount excluding VAT, so the
    final invoice's totals are what is left to pay and the deposit's VAT is not charged
    twice (docs/invoicing.md, "Deposits")."""
    with uow_factory() as uow:
        deposit = uow.session.get(Invoice, deposit_id)
        if deposit is None or deposit.status != InvoiceStatus.ISSUED or deposit.role != DEPOSIT:
            raise ConflictError("deposit_not_an_issued_deposit")
        lines = load_lines(uow.session, deposit.id)
        bases: dict[tuple[int, str], int] = {}
        for line, amounts in zip(
            lines, totals_of(detail(uow.session, deposit).data.lines).lines, strict=True
        ):
            key = (line.vat_rate_bp, line.vat_category)
            bases[key] = bases.get(key, 0) + amounts.net_cents
        when = formatting.date(deposit.issue_date)
        return tuple(
            LineData(
                f"Acompte versé — facture d'acompte n° {deposit.number} du {when}",
                -10_000,
                base,
                rate,
                0,
                "",
                category,
            )
            for (rate, category), base in sorted(bases.items(), key=lambda kv: -kv[0][0])
        )


def _draft(session: Session, invoice_id: str) -> Invoice:
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or invoice.deleted_at is not None:
        raise NotFoundError("not_found", what="invoice")
    if invoice.status != InvoiceStatus.DRAFT:
        raise IssuedInvoiceImmutable(invoice_id=invoice_id)
    return invoice


def search_key(number: str, client_name: str, person: Person | None) -> str:
    who = f"{person.last_name} {person.first_name}" if person is not None else ""
    return fold(f"{number} {client_name} {who}")


def write_draft(session: Session, data: DraftData, invoice_id: str | None = None) -> Invoice:
    """Check and write a draft in the caller's transaction (all field errors at once)."""
    clean = data.with_changes(
        payment_terms=data.payment_terms.strip(),
        vat_exemption_text=data.vat_exemption_text.strip(),
        notes=data.notes.strip(),
        buyer_reference=data.buyer_reference.strip(),
        order_reference=data.order_reference.strip(),
        deposit_invoice_ids=unique(data.deposit_invoice_ids),
        lines=tuple(
            replace(ln, description=ln.description.strip(), unit=ln.unit.strip())
            for ln in data.lines
        ),
    )
    _check(session, clean)
    if invoice_id is None:
        invoice = Invoice(status=InvoiceStatus.DRAFT)
        session.add(invoice)
    else:
        invoice = _draft(session, invoice_id)
        for old in load_lines(session, invoice.id):
            old.deleted_at = utcnow()
    for name in (
        "entrepreneur_id",
        "client_id",
        "kind",
        "sale_date",
        "due_date",
        "nature",
        "payment_terms",
        "vat_on_debits",
        "vat_exemption_text",
        "notes",
        "credited_invoice_id",
        "buyer_reference",
        "order_reference",
        "role",
    ):
        setattr(invoice, name, getattr(clean, name))
    deposit_links.store(invoice, clean.deposit_invoice_ids)
    totals = totals_of(clean.lines)
    invoice.total_excl_cents = totals.excl_cents
    invoice.total_vat_cents = totals.vat_cents
    invoice.total_incl_cents = totals.incl_cents
    client = session.get(Client, clean.client_id)
    invoice.search_key = search_key(
        "", client.name if client else "", session.get(Person, clean.entrepreneur_id)
    )
    session.flush()
    for position, line in enumerate(clean.lines):
        session.add(
            InvoiceLine(
                invoice_id=invoice.id,
                position=position,
                description=line.description,
                quantity_e4=line.quantity_e4,
                unit=line.unit,
                unit_price_cents=line.unit_price_cents,
                vat_rate_bp=line.vat_rate_bp,
                discount_bp=line.discount_bp,
                vat_category=line.vat_category,
            )
        )
    return invoice


def save_draft(
    uow_factory: UnitOfWorkFactory, data: DraftData, invoice_id: str | None = None
) -> InvoiceDetail:
    """Create (``invoice_id`` None) or replace a draft; nothing saved on error."""
    with uow_factory() as uow:
        invoice = write_draft(uow.session, data, invoice_id)
        uow.commit()
        return detail(uow.session, invoice)


def delete_draft(uow_factory: UnitOfWorkFactory, invoice_id: str) -> None:
    """Drafts can be deleted (tombstoned, so the delete syncs); issued invoices never."""
    with uow_factory() as uow:
        invoice = _draft(uow.session, invoice_id)
        now = utcnow()
        invoice.deleted_at = now
        for line in load_lines(uow.session, invoice.id):
            line.deleted_at = now
        uow.commit()


def detail(session: Session, invoice: Invoice) -> InvoiceDetail:
    lines = tuple(
        LineData(
            ln.description,
            ln.quantity_e4,
            ln.unit_price_cents,
            ln.vat_rate_bp,
            ln.discount_bp,
            ln.unit,
            ln.vat_category,
        )
        for ln in load_lines(session, invoice.id)
    )
    client = session.get(Client, invoice.client_id)
    person = session.get(Person, invoice.entrepreneur_id)
    credited = (
        session.get(Invoice, invoice.credited_invoice_id) if invoice.credited_invoice_id else None
    )
    return InvoiceDetail(
        id=invoice.id,
        status=invoice.status,
        number=invoice.number or "",
        issue_date=invoice.issue_date,
        data=DraftData(
            entrepreneur_id=invoice.entrepreneur_id,
            client_id=invoice.client_id,
            lines=lines,
            kind=invoice.kind,
            sale_date=invoice.sale_date,
            due_date=invoice.due_date,
            nature=invoice.nature,
            payment_terms=invoice.payment_terms,
            vat_on_debits=invoice.vat_on_debits,
            vat_exemption_text=invoice.vat_exemption_text,
            notes=invoice.notes,
            credited_invoice_id=invoice.credited_invoice_id,
            buyer_reference=invoice.buyer_reference,
            order_reference=invoice.order_reference,
            role=invoice.role,
            deposit_invoice_ids=deposit_ids(invoice),
        ),
        totals=totals_of(lines),
        client_name=client.name if client else "",
        entrepreneur_name=f"{person.first_name} {person.last_name}" if person else "",
        credited_number=(credited.number or "") if credited else "",
        pdf_sha256=invoice.pdf_sha256,
        deposits=deposit_links.deducted(session, invoice),
    )


def get_invoice(uow_factory: UnitOfWorkFactory, invoice_id: str) -> InvoiceDetail:
    with uow_factory() as uow:
        invoice = uow.session.get(Invoice, invoice_id)
        if invoice is None or invoice.deleted_at is not None:
            raise NotFoundError("not_found", what="invoice")
        return detail(uow.session, invoice)
