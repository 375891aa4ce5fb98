"""Serving and exporting invoice PDFs.

Issued invoices are served exactly as stored at validation (hash checked).
Drafts get a preview marked "BROUILLON". A batch export copies the stored
files; an invoice whose file is absent here (issued on another laptop and
received by sync) is re-rendered from its frozen snapshots.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import ConflictError, NotFoundError
from app.invoicing import facturx, storage
from app.invoicing.payments import balance_of
from app.invoicing.printable import build_document
from app.jobs import JobControl
from app.models import DeviceIdentity, Invoice, InvoiceSeries
from app.pdf.invoice import render_pdf
from app.pdf.invoice_receipt import ReceivedPayment, render_receipt
from app.states import InvoiceKind, InvoiceStatus
from app.uow import UnitOfWorkFactory

COPIES = "copies"  # re-rendered copies of invoices issued on another laptop


def invoice_pdf(uow_factory: UnitOfWorkFactory, documents_dir: Path, invoice_id: str) -> Path:
    """The PDF stored at validation, refused if it was altered.

    An invoice issued on another laptop (received by sync, or generated demo
    data) has no stored file here: it is rendered once from its frozen
    snapshots into ``documents/copies/`` — same content, never the row changed.
    """
    with uow_factory() as uow:
        invoice = uow.session.get(Invoice, invoice_id)
        if invoice is None or invoice.deleted_at is not None:
            raise NotFoundError("not_found", what="invoice")
        if invoice.status != InvoiceStatus.ISSUED:
            raise ConflictError("invoice_not_issued")
        relative, expected, number = invoice.pdf_path, invoice.pdf_sha256, invoice.number or ""
        here = issued_here(uow.session, invoice)
    if relative and storage.resolve(documents_dir, relative).is_file():
        return storage.verified_path(documents_dir, relative, expected)
    if relative and expected and here:
        # Issued here, file gone: say so rather than print a different file.
        raise ConflictError("invoice_pdf_missing", path=str(documents_dir / relative))
    copy = documents_dir / COPIES / Path(storage.relative_path(number, 0)).name
    if not copy.is_file():
        storage.write_atomically(
            copy.parent, copy.name, render_from_snapshot(uow_factory, invoice_id)
        )
    return copy


def issued_here(session: Session, invoice: Invoice) -> bool:
    """Was ``invoice`` numbered in this device's own series? A synced row keeps the
    issuing laptop's ``pdf_path`` and hash, but that file is on the other laptop."""
    series = session.get(InvoiceSeries, invoice.series_id) if invoice.series_id else None
    if series is None:
        return True
    device = session.scalars(select(DeviceIdentity).limit(1)).first()
    return series.device_id == (device.device_id if device is not None else "")


def render_from_snapshot(uow_factory: UnitOfWorkFactory, invoice_id: str) -> bytes:
    """Re-render an invoice (Factur-X included) from its rows and frozen snapshots; an
    issued one is marked « Duplicata » and keeps the logo frozen at its issue."""
    with uow_factory() as uow:
        invoice = uow.session.get(Invoice, invoice_id)
        if invoice is None:
            raise NotFoundError("not_found", what="invoice")
        doc = build_document(uow.session, invoice)
    if not doc.is_draft:
        doc = replace(doc, is_duplicate=True)  # not the file made at issue: a copy
    pdf = render_pdf(doc)
    return pdf if doc.is_draft else facturx.embed(pdf, doc)


RECEIPTS = "recus"  # « facture acquittée » receipts, made again on demand


def receipt_pdf(uow_factory: UnitOfWorkFactory, documents_dir: Path, invoice_id: str) -> Path:
    """The « facture acquittée » PDF of a fully paid invoice (refused before that)."""
    with uow_factory() as uow:
        invoice = uow.session.get(Invoice, invoice_id)
        if invoice is None or invoice.deleted_at is not None:
            raise NotFoundError("not_found", what="invoice")
        if invoice.status != InvoiceStatus.ISSUED or invoice.kind != InvoiceKind.INVOICE:
            raise ConflictError("invoice_not_issued")
        balance = balance_of(uow.session, invoice)
        if balance.status != "payee":
            raise ConflictError("invoice_not_paid", due_cents=balance.due_cents)
        doc = build_document(uow.session, invoice)
        received = [
            ReceivedPayment(p.data.paid_on, p.data.amount_cents, p.data.mode, p.data.reference)
            for p in balance.payments
        ]
    name = Path(storage.relative_path(doc.number, 0)).stem + "-acquittee.pdf"
    return storage.write_atomically(documents_dir / RECEIPTS, name, render_receipt(doc, received))


def draft_preview(uow_factory: UnitOfWorkFactory, invoice_id: str, out_dir: Path) -> Path:
    """A preview of a draft (no number, "BROUILLON" across each page) in ``out_dir``."""
    pdf = render_from_snapshot(uow_factory, invoice_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    return storage.write_atomically(out_dir, f"apercu-{invoice_id}.pdf", pdf)


@dataclass(frozen=True)
class ExportResult:
    copied: int
    regenerated: int
    refused: tuple[str, ...]  # numbers whose stored file was altered
    target: Path


def issued_ids(uow_factory: UnitOfWorkFactory, ids: list[str] | None = None) -> list[str]:
    with uow_factory() as uow:
        query = select(Invoice.id).where(
            Invoice.status == InvoiceStatus.ISSUED, Invoice.deleted_at.is_(None)
        )
        if ids is not None:
            query = query.where(Invoice.id.in_(ids))
        return list(uow.session.scalars(query.order_by(Invoice.issue_date, Invoice.number)))


def export_pdfs(
    uow_factory: UnitOfWorkFactory,
    documents_dir: Path,
    invoice_ids: list[str],
    target: Path,
    job: JobControl | None = None,
) -> ExportResult:
    """Copy (or re-render when absent) the PDFs of ``invoice_ids`` into ``target``.

    Reports progress and stops cleanly (``Cancelled``) when the job is cancelled.
    """
    control = job or JobControl()
    target.mkdir(parents=True, exist_ok=True)
    copied = regenerated = 0
    refused: list[str] = []
    total = len(invoice_ids)
    for done, invoice_id in enumerate(invoice_ids):
        control.progress(done, total)
        with uow_factory() as uow:
            row = uow.session.get(Invoice, invoice_id)
            if row is None or row.status != InvoiceStatus.ISSUED:
                continue
            number, relative, expected = row.number or "", row.pdf_path, row.pdf_sha256
        name = Path(storage.relative_path(number, 0)).name
        if relative and not storage.is_safe_relative(relative):
            refused.append(number)
            continue
        source = documents_dir / relative
        if relative and source.is_file():
            try:
                storage.verified_path(documents_dir, relative, expected)
            except ConflictError:
                refused.append(number)
                continue
            shutil.copyfile(source, target / name)
            copied += 1
        else:
            storage.write_atomically(target, name, render_from_snapshot(uow_factory, invoice_id))
            regenerated += 1
    control.progress(total, total)
    return ExportResult(copied, regenerated, tuple(refused), target)
