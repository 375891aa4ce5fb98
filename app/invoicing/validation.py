"""Validation (brouillon → émise) and credit notes (avoirs).

Everything happens in ONE transaction: the series row is bumped, the invoice
gets its number, the seller and buyer are frozen, the Factur-X PDF is written
(atomically) and its hash stored. A crash before the commit leaves the draft
and the series untouched; the orphan PDF, if any, is overwritten by the next
validation that takes the same number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import formatting
from app.clock import today, utcnow
from app.errors import ConflictError, FieldError, NotFoundError, ValidationError
from app.invoicing import deposits, einvoicing, facturx, french_rules, numbering, storage
from app.invoicing.cae_identity import missing_fields, read_identity
from app.invoicing.drafts import DraftData, LineData, detail, search_key, write_draft
from app.invoicing.printable import (
    Party,
    activity_label,
    build_document,
    buyer_of,
    buyer_snapshot,
    seller_from_identity,
    seller_snapshot,
)
from app.models import Client, Invoice, ParcoursStage, Person
from app.pdf.glyphs import quoted, unprintable
from app.pdf.invoice import render_pdf
from app.states import InvoiceKind, InvoiceStatus, StageKind
from app.uow import UnitOfWorkFactory


@dataclass(frozen=True)
class ValidationResult:
    invoice_id: str
    number: str
    issue_date: dt.date
    pdf_path: Path
    # First issued invoice of a person in convention (CAPE): offer the switch
    # to entrepreneur salarié (docs/architecture.md §2).
    propose_salarie_stage: bool
    entrepreneur_id: str


def _missing(session: Session, invoice: Invoice) -> list[FieldError]:
    missing: list[FieldError] = []
    for name in missing_fields(read_identity(session)):
        missing.append(FieldError(f"cae.{name}", f"missing_cae_{name}"))
    client = session.get(Client, invoice.client_id)
    if client is not None:
        for name in ("address", "postcode", "city"):
            if not getattr(client, name).strip():
                missing.append(FieldError(f"client.{name}", f"missing_client_{name}"))
        if client.kind == "entreprise" and not client.siren and client.country_code == "FR":
            missing.append(FieldError("client.siren", "missing_client_siren"))
        if client.kind == "entreprise" and client.country_code != "FR" and not client.vat_number:
            missing.append(FieldError("client.vat_number", "missing_client_vat_number"))
    return missing


def _einvoicing_checks(
    invoice: Invoice, buyer: Party, lines: tuple[LineData, ...]
) -> list[FieldError]:
    """What the French rules need from the entered data, said next to its field
    (the rest is checked on the XML itself: french_rules.check)."""
    errors: list[FieldError] = []
    categories = [
        ln.vat_category or einvoicing.default_category(ln.vat_rate_bp, buyer, invoice.nature)
        for ln in lines
    ]
    zero = {c for c, ln in zip(categories, lines, strict=True) if ln.vat_rate_bp == 0}
    if len(zero) > 1:
        errors.append(FieldError("lines", "mixed_zero_vat_categories"))
    if "O" in categories and set(categories) != {"O"}:
        errors.append(FieldError("lines", "vat_category_o_mixed"))
    if "E" in zero and not invoice.vat_exemption_text.strip():
        errors.append(FieldError("vat_exemption_text", "missing_vat_exemption_text"))
    if "K" in zero and not buyer.vat_number:
        errors.append(FieldError("client.vat_number", "missing_client_vat_number_intra_eu"))
    if "AE" in zero and not (buyer.vat_number or buyer.siren):
        errors.append(FieldError("client.vat_number", "missing_client_vat_number_reverse_charge"))
    if einvoicing.buyer_endpoint(buyer) is None:
        errors.append(FieldError("client.einvoicing_address", "missing_client_einvoicing_address"))
    elif buyer.einvoicing_address:
        problem = einvoicing.address_problem(
            buyer.einvoicing_address,
            siren=buyer.siren,
            french_business=einvoicing.is_french_business(buyer),
        )
        if problem:
            errors.append(FieldError("client.einvoicing_address", problem))
    return errors


def _credit_checks(session: Session, invoice: Invoice) -> None:
    original = session.get(Invoice, invoice.credited_invoice_id or "")
    if (
        original is None
        or original.status != InvoiceStatus.ISSUED
        or original.kind != InvoiceKind.INVOICE
    ):
        raise ConflictError("credit_note_needs_issued_invoice")
    already = session.scalar(
        select(func.coalesce(func.sum(Invoice.total_incl_cents), 0)).where(
            Invoice.credited_invoice_id == original.id,
            Invoice.status == InvoiceStatus.ISSUED,
            Invoice.deleted_at.is_(None),
        )
    )
    remaining = original.total_incl_cents + int(already or 0)
    if -invoice.total_incl_cents > remaining:
        raise ValidationError.single(
            "lines",
            "credit_exceeds_invoice",
            remaining_cents=remaining,
            remaining_text=formatting.money(remaining),
        )


def _first_invoice_in_cape(session: Session, entrepreneur_id: str) -> bool:
    issued = session.scalar(
        select(func.count())
        .select_from(Invoice)
        .where(
            Invoice.entrepreneur_id == entrepreneur_id,
            Invoice.kind == InvoiceKind.INVOICE,
            Invoice.status == InvoiceStatus.ISSUED,
            Invoice.deleted_at.is_(None),
        )
    )
    if issued != 1:
        return False
    stages = list(
        session.scalars(
            select(ParcoursStage)
            .where(ParcoursStage.person_id == entrepreneur_id, ParcoursStage.deleted_at.is_(None))
            .order_by(ParcoursStage.start_date, ParcoursStage.id)
        )
    )
    if any(s.kind in ("salarie", "associe", "sortie") for s in stages):
        return False
    return bool(stages) and stages[-1].kind == StageKind.CAPE


def _unprintable_name(session: Session, invoice: Invoice) -> list[FieldError]:
    """The entrepreneur's name and activity are printed too (app/pdf/glyphs.py)."""
    missing, rtl = unprintable(activity_label(session.get(Person, invoice.entrepreneur_id)))
    if rtl:
        return [FieldError("entrepreneur_id", "right_to_left_text", {"chars": quoted(rtl)})]
    if missing:
        return [FieldError("entrepreneur_id", "unprintable_characters", {"chars": quoted(missing)})]
    return []


def issue(session: Session, documents_dir: Path, invoice: Invoice, issue_date: dt.date) -> Path:
    """Number, freeze, render and store ``invoice`` in the caller's transaction."""
    if invoice.status != InvoiceStatus.DRAFT:
        raise ConflictError("invoice_not_draft", invoice_id=invoice.id)
    lines = detail(session, invoice).data.lines
    if not lines:
        raise ValidationError.single("lines", "no_lines")
    errors = _missing(session, invoice)
    client_row = session.get(Client, invoice.client_id)
    if client_row is not None:
        errors += _einvoicing_checks(invoice, buyer_of(session, client_row), lines)
    errors += deposits.deposit_errors(session, invoice)
    errors += _unprintable_name(session, invoice)
    if errors:
        raise ValidationError(errors)
    if invoice.kind == InvoiceKind.CREDIT_NOTE:
        _credit_checks(session, invoice)
    identity = read_identity(session)
    allocation = numbering.next_number(session, invoice.kind, issue_date)
    client = session.get(Client, invoice.client_id)
    person = session.get(Person, invoice.entrepreneur_id)
    assert client is not None
    seller, extras = seller_from_identity(identity)
    # No flush until the status is set: an autoflush in between (build_document reads the
    # database) would send the half-issued row (number, no status) as its own change,
    # which the siège refuses. One flush, one frozen outbox entry per row.
    with session.no_autoflush:
        buyer = buyer_of(session, client)
        invoice.number = allocation.number
        invoice.sequence = allocation.sequence
        invoice.series_id = allocation.series_id
        invoice.issue_date = issue_date
        invoice.sale_date = invoice.sale_date or issue_date
        if invoice.kind == InvoiceKind.INVOICE and invoice.due_date is None:
            invoice.due_date = issue_date + dt.timedelta(days=identity.payment_terms_days)
        if invoice.kind == InvoiceKind.INVOICE and not invoice.payment_terms:
            invoice.payment_terms = f"Paiement à {identity.payment_terms_days} jours"
        invoice.seller_snapshot = seller_snapshot(seller, extras, activity_label(person))
        invoice.buyer_snapshot = buyer_snapshot(buyer)
        invoice.search_key = search_key(allocation.number, client.name, person)
        # Frozen with the invoice: its turnover stays with this antenne (docs/indicators.md).
        invoice.antenne_id = person.antenne_id if person is not None else None
        doc = build_document(session, invoice, issuing=True)
        # The French rules on the very XML that will be embedded: a failure raises here,
        # the transaction rolls back and the number is not taken.
        xml = facturx.cii_xml(doc)
        french_rules.raise_if_failed(xml)
        pdf = facturx.embed(render_pdf(doc), doc, xml)
        relative = storage.relative_path(allocation.number, issue_date.year)
        path = storage.write_atomically(documents_dir, relative, pdf)
        # Last, in one UPDATE with the status: once "emise" is flushed nothing may change.
        invoice.total_excl_cents = doc.totals.excl_cents
        invoice.total_vat_cents = doc.totals.vat_cents
        invoice.total_incl_cents = doc.totals.incl_cents
        invoice.pdf_path = relative
        invoice.pdf_sha256 = storage.sha256(pdf)
        invoice.issued_at = utcnow()
        invoice.status = InvoiceStatus.ISSUED
    session.flush()
    return path


def validate_invoice(
    uow_factory: UnitOfWorkFactory,
    documents_dir: Path,
    invoice_id: str,
    issue_date: dt.date | None = None,
) -> ValidationResult:
    """Issue a draft: next number of this device's series, PDF stored, all or nothing."""
    when = issue_date or today()
    with uow_factory() as uow:
        session = uow.session
        invoice = session.get(Invoice, invoice_id)
        if invoice is None or invoice.deleted_at is not None:
            raise NotFoundError("not_found", what="invoice")
        path = issue(session, documents_dir, invoice, when)
        propose = invoice.kind == InvoiceKind.INVOICE and _first_invoice_in_cape(
            session, invoice.entrepreneur_id
        )
        uow.commit()
        return ValidationResult(
            invoice.id, invoice.number or "", when, path, propose, invoice.entrepreneur_id
        )


def credit_note_draft(
    uow_factory: UnitOfWorkFactory, invoice_id: str, lines: tuple[LineData, ...] | None = None
) -> str:
    """A draft avoir quoting ``invoice_id``: all its lines negated, or the given lines."""
    with uow_factory() as uow:
        session = uow.session
        original = session.get(Invoice, invoice_id)
        if (
            original is None
            or original.status != InvoiceStatus.ISSUED
            or original.kind != InvoiceKind.INVOICE
        ):
            raise ConflictError("credit_note_needs_issued_invoice")
        source = detail(session, original).data
        credit_lines = (
            lines
            if lines is not None
            else tuple(
                LineData(
                    ln.description,
                    -ln.quantity_e4,
                    ln.unit_price_cents,
                    ln.vat_rate_bp,
                    ln.discount_bp,
                    ln.unit,
                    ln.vat_category,
                )
                for ln in source.lines
            )
        )
        draft = write_draft(
            session,
            DraftData(
                entrepreneur_id=original.entrepreneur_id,
                client_id=original.client_id,
                lines=credit_lines,
                kind=InvoiceKind.CREDIT_NOTE,
                sale_date=original.sale_date,
                nature=original.nature,
                vat_on_debits=original.vat_on_debits,
                vat_exemption_text=original.vat_exemption_text,
                credited_invoice_id=original.id,
                buyer_reference=original.buyer_reference,
                order_reference=original.order_reference,
            ),
        )
        uow.commit()
        return draft.id


def cancel_invoice(
    uow_factory: UnitOfWorkFactory,
    documents_dir: Path,
    invoice_id: str,
    issue_date: dt.date | None = None,
) -> ValidationResult:
    """Cancel an issued invoice in full: a whole credit note, issued at once."""
    draft_id = credit_note_draft(uow_factory, invoice_id)
    try:
        return validate_invoice(uow_factory, documents_dir, draft_id, issue_date)
    except Exception:
        from app.invoicing.drafts import delete_draft

        delete_draft(uow_factory, draft_id)
        raise


def switch_to_salarie(
    uow_factory: UnitOfWorkFactory, person_id: str, on: dt.date, contract_type: str = "CESA"
) -> bool:
    """Accept the proposal made at the first invoice: open the "salarié" stage.

    Delegates to the parcours service (accueil area); False if it already existed.
    """
    from app.people.parcours import ensure_salaried

    with uow_factory() as uow:
        created = ensure_salaried(uow.session, person_id, on, contract_type)
        uow.commit()
        return created is not None
