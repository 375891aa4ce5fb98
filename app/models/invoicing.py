"""Clients, invoices and credit notes, their lines, payments and number series.

Money is integer cents; quantities are integer ten-thousandths (4 decimals);
VAT rates are integer basis points (2000 = 20 %). Never a float.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Connection,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    func,
    inspect,
    select,
)
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from app.errors import ConflictError
from app.models.base import Base, Synced
from app.states import InvoiceStatus


class Client(Synced, Base):
    """A client of one entrepreneur's activity: an individual or a business."""

    __tablename__ = "client"

    entrepreneur_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="entreprise")  # particulier
    name: Mapped[str] = mapped_column(String(200))
    siren: Mapped[str] = mapped_column(String(9), default="")
    vat_number: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    country_code: Mapped[str] = mapped_column(String(2), default="FR")
    delivery_address: Mapped[str] = mapped_column(String(300), default="")
    delivery_postcode: Mapped[str] = mapped_column(String(10), default="")
    delivery_city: Mapped[str] = mapped_column(String(120), default="")
    # The client's electronic address (BT-49): "scheme:id" (0225:SIREN in the PA
    # directory) or an e-mail; empty = derived at issue (app/invoicing/einvoicing.py).
    einvoicing_address: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # Where invoices are sent when not to the address above (CGI ann. II art. 242 nonies
    # A: « adresse de facturation si différente »); "" = the address above.
    billing_address: Mapped[str] = mapped_column(String(300), default="", server_default="")
    billing_postcode: Mapped[str] = mapped_column(String(10), default="", server_default="")
    billing_city: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # A public buyer (State, local authority, hospital...): its invoices go to Chorus Pro
    # (docs/einvoicing.md, "Routing"); the directory can say so too (ClientDirectory).
    public_entity: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class InvoiceSeries(Synced, Base):
    """A number series belongs to one device; it issues offline, gapless, in order."""

    __tablename__ = "invoice_series"
    __table_args__ = (UniqueConstraint("prefix", "kind"),)

    prefix: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(12), default="facture")  # avoir (own series)
    device_id: Mapped[str] = mapped_column(String(36), default="")
    # Year the counter belongs to when numbering restarts yearly (else 0).
    year: Mapped[int] = mapped_column(Integer, default=0)
    last_number: Mapped[int] = mapped_column(Integer, default=0)
    last_issue_date: Mapped[dt.date | None] = mapped_column(Date, default=None)


class Invoice(Synced, Base):
    """An invoice or a credit note (kind = InvoiceKind.CREDIT_NOTE). Drafts have no number."""

    __tablename__ = "invoice"
    __table_args__ = (
        UniqueConstraint("number"),
        # Covering indexes for the dashboard's turnover figures (app/indicators): the
        # rows carry kilobytes of frozen snapshots, so sums must not visit them.
        Index(
            "ix_invoice_figures",
            "issue_date",
            "status",
            "kind",
            "entrepreneur_id",
            "total_excl_cents",
            "deleted_at",
            "id",
            "antenne_id",
        ),
        Index(
            "ix_invoice_id_figures",
            "id",
            "status",
            "kind",
            "entrepreneur_id",
            "deleted_at",
            "antenne_id",
        ),
        # Covering index of the unpaid amounts at a period's end (app/indicators/
        # receivables.py): the issued invoices dated by then, with total and antenne
        # (migration 0005).
        Index(
            "ix_invoice_unpaid",
            "kind",
            "status",
            "deleted_at",
            "issue_date",
            "id",
            "total_incl_cents",
            "antenne_id",
        ),
        # Covering index of the payment-state filters (à payer, en retard, payée...).
        Index(
            "ix_invoice_dues",
            "status",
            "kind",
            "deleted_at",
            "total_incl_cents",
            "due_date",
            "id",
        ),
        # Covering index of the Factures list: filter-as-you-type scans it (a few MB)
        # instead of the rows, and the sort reads its columns from it.
        Index(
            "ix_invoice_listing",
            "search_key",
            "deleted_at",
            "status",
            "kind",
            "issue_date",
            "number",
            "id",
            "entrepreneur_id",
        ),
    )

    kind: Mapped[str] = mapped_column(String(12), default="facture")  # avoir
    status: Mapped[str] = mapped_column(String(12), default="brouillon", index=True)  # emise
    entrepreneur_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    # The entrepreneur's antenne on the issue date, frozen at validation like the rest of
    # the issued invoice: the turnover of a past year never moves with the person
    # (docs/indicators.md). None on drafts.
    antenne_id: Mapped[str | None] = mapped_column(ForeignKey("antenne.id"), default=None)
    client_id: Mapped[str] = mapped_column(ForeignKey("client.id"), index=True)
    series_id: Mapped[str | None] = mapped_column(ForeignKey("invoice_series.id"), default=None)
    number: Mapped[str | None] = mapped_column(String(35), default=None)
    sequence: Mapped[int | None] = mapped_column(Integer, default=None)
    issue_date: Mapped[dt.date | None] = mapped_column(Date, default=None, index=True)
    sale_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    due_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    nature: Mapped[str] = mapped_column(String(12), default="services")  # biens | mixte
    payment_terms: Mapped[str] = mapped_column(Text, default="")
    vat_on_debits: Mapped[bool] = mapped_column(Boolean, default=False)
    vat_exemption_text: Mapped[str] = mapped_column(Text, default="")
    credited_invoice_id: Mapped[str | None] = mapped_column(
        ForeignKey("invoice.id"), default=None, index=True
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    # BT-10 (the buyer's own reference) and BT-13 (purchase order), printed and in the XML.
    buyer_reference: Mapped[str] = mapped_column(String(100), default="", server_default="")
    order_reference: Mapped[str] = mapped_column(String(100), default="", server_default="")
    # "" a plain invoice; "acompte" a deposit invoice (BT-3 386); "solde" the final
    # invoice after a deposit (BT-23 B4/S4/M4), which names its deposit invoice (BG-3)
    # and deducts what it asked (BT-113). docs/invoicing.md, "Deposits".
    role: Mapped[str] = mapped_column(String(12), default="", server_default="")
    # No foreign key: added by a plain ADD COLUMN (no copy of the invoice table on the
    # laptops, app migration 0007); validation checks the deposit invoice exists.
    deposit_invoice_id: Mapped[str | None] = mapped_column(String(36), default=None)
    # Every deposit invoice a final invoice deducts, a JSON list of ids (migration 0009;
    # deposit_invoice_id keeps the first). "" = deposit_invoice_id alone, if any.
    deposit_invoice_ids: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Folded "number client entrepreneur" for filter-as-you-type over 50,000 rows.
    search_key: Mapped[str] = mapped_column(String(600), default="")
    total_excl_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    total_vat_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    total_incl_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    # Frozen at validation: seller and buyer as printed, the PDF and its hash.
    seller_snapshot: Mapped[str] = mapped_column(Text, default="")
    buyer_snapshot: Mapped[str] = mapped_column(Text, default="")
    pdf_path: Mapped[str] = mapped_column(String(300), default="")  # relative to documents/
    pdf_sha256: Mapped[str] = mapped_column(String(64), default="")
    issued_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)


class InvoiceLine(Synced, Base):
    __tablename__ = "invoice_line"

    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoice.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text)
    quantity_e4: Mapped[int] = mapped_column(BigInteger)  # 1.5 -> 15000
    unit: Mapped[str] = mapped_column(String(20), default="")
    unit_price_cents: Mapped[int] = mapped_column(BigInteger)
    vat_rate_bp: Mapped[int] = mapped_column(Integer)  # 2000 = 20 %
    discount_bp: Mapped[int] = mapped_column(Integer, default=0)  # 1000 = 10 %
    # EN 16931 VAT category (S, Z, E, AE, K, G, O); "" = S above 0 %, else E.
    vat_category: Mapped[str] = mapped_column(String(2), default="", server_default="")


class Payment(Synced, Base):
    __tablename__ = "payment"
    # Covering index for the dashboard's cashed figures (app/indicators).
    __table_args__ = (
        Index("ix_payment_figures", "paid_on", "invoice_id", "amount_cents", "deleted_at"),
        # Covering index of "what was paid on this invoice" (payment states, overpayment).
        Index("ix_payment_invoice", "invoice_id", "deleted_at", "amount_cents"),
        # What was paid on this invoice by a day: the unpaid amounts at a period's end
        # (app/indicators/receivables.py, migration 0005).
        Index("ix_payment_dues", "invoice_id", "deleted_at", "paid_on", "amount_cents"),
    )

    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoice.id"))
    paid_on: Mapped[dt.date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    mode: Mapped[str] = mapped_column(String(20))  # virement | cheque | especes | carte
    reference: Mapped[str] = mapped_column(String(120), default="")


class InvoicePaStatus(Synced, Base):
    """A life-cycle status of an issued invoice at the plateforme agréée (XP Z12-012:
    200 Déposée, 213 Rejetée, 210 Refusée, 212 Encaissée…). Written only by the
    siège's e-invoicing worker (siege/einvoicing/worker.py), which reads them from the
    PA; laptops receive them by sync and never write them (docs/authority.md). The id
    is deterministic (invoice, code, PA timestamp): a status read twice is one row."""

    __tablename__ = "invoice_pa_status"
    __table_args__ = (Index("ix_invoice_pa_status_history", "invoice_id", "received_at"),)

    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoice.id"))
    code: Mapped[str] = mapped_column(String(10))
    label: Mapped[str] = mapped_column(String(60), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    # When the PA recorded the status (naive UTC).
    received_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ClientDirectory(Synced, Base):
    """What the PA directory (annuaire, XP Z12-013 Directory Service) says of a client:
    its routing address if it receives e-invoices, and whether it is a public entity.
    Looked up and written only by the siège (siege/einvoicing/directory.py), synced to
    the laptops so an accompagnateur offline sees it; one row per client, id
    deterministic (docs/einvoicing.md, "Directory")."""

    __tablename__ = "client_directory"

    client_id: Mapped[str] = mapped_column(ForeignKey("client.id"), index=True)
    siren: Mapped[str] = mapped_column(String(9), default="")
    # The directory line's addressing identifier (SIREN, SIREN_SIRET or with a routing
    # code); "" = not in the directory: the client receives no e-invoice.
    addressing_identifier: Mapped[str] = mapped_column(String(125), default="")
    platform: Mapped[str] = mapped_column(String(60), default="")
    public_entity: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the siège asked the directory (naive UTC).
    checked_at: Mapped[dt.datetime] = mapped_column(DateTime)


class CaeLogo(Synced, Base):
    """Every logo the CAE has had, by content: an issued invoice's seller snapshot keeps
    its logo's SHA-256, and a copy made later, on any device, prints that logo from here
    — not today's (docs/invoicing.md, "Documents"). Written when the CAE identity's logo
    is saved (app/invoicing/cae_identity.py), like the identity: by the siège only; read
    by every device. The id is deterministic (the SHA-256): one row per logo."""

    __tablename__ = "cae_logo"

    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    png: Mapped[bytes] = mapped_column(LargeBinary)


# Immutability of issued invoices -------------------------------------------
# Registered here, with the models, so it is active for every session of
# every profile (laptop and siège) and cannot be forgotten by a caller.

ISSUED = InvoiceStatus.ISSUED


class IssuedInvoiceImmutable(ConflictError):
    code = "invoice_issued_immutable"


def _was_issued(invoice: Invoice) -> bool:
    history = inspect(invoice).attrs.status.history
    previous = history.deleted[0] if history.deleted else invoice.status
    return previous == ISSUED


@event.listens_for(Invoice, "before_update")
def _refuse_issued_invoice_update(_mapper: object, _connection: object, invoice: Invoice) -> None:
    if _was_issued(invoice) and inspect(invoice).session is not None:
        state = inspect(invoice)
        changed = [a.key for a in state.attrs if a.history.has_changes()]
        if changed:
            raise IssuedInvoiceImmutable(invoice_id=invoice.id, fields=changed)


@event.listens_for(Invoice, "before_delete")
def _refuse_issued_invoice_delete(_mapper: object, _connection: object, invoice: Invoice) -> None:
    if _was_issued(invoice):
        raise IssuedInvoiceImmutable(invoice_id=invoice.id)


def _parent_is_issued(connection: Connection, invoice_id: str | None) -> bool:
    if invoice_id is None:
        return False
    table = Invoice.__table__
    status = connection.execute(
        select(table.c.status).where(table.c.id == invoice_id)
    ).scalar_one_or_none()
    return status == ISSUED


@event.listens_for(InvoiceLine, "before_insert")
@event.listens_for(InvoiceLine, "before_update")
@event.listens_for(InvoiceLine, "before_delete")
def _refuse_issued_line_change(_mapper: object, connection: Connection, line: InvoiceLine) -> None:
    history = inspect(line).attrs.invoice_id.history
    previous = history.deleted[0] if history.deleted else None
    if _parent_is_issued(connection, line.invoice_id) or _parent_is_issued(connection, previous):
        raise IssuedInvoiceImmutable(invoice_id=line.invoice_id)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change_of_issued(state: ORMExecuteState) -> None:
    """ORM bulk UPDATE/DELETE skip the mapper events above; check them here."""
    if not (state.is_update or state.is_delete):
        return
    mapper = state.bind_arguments.get("mapper")
    entity = getattr(mapper, "class_", None)
    if entity not in (Invoice, InvoiceLine):
        return
    where = state.statement.whereclause  # type: ignore[attr-defined]
    if entity is Invoice:
        query = select(func.count()).select_from(Invoice).where(Invoice.status == ISSUED)
    else:
        query = (
            select(func.count())
            .select_from(InvoiceLine)
            .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
            .where(Invoice.status == ISSUED)
        )
    if where is not None:
        query = query.where(where)
    if state.session.execute(query).scalar_one():
        raise IssuedInvoiceImmutable()
