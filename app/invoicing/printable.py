"""The printable invoice: a frozen value built from the rows and their snapshots.

At validation the seller (CAE identity) and buyer (client) are frozen as JSON
in the invoice row, so a later change of address never alters an issued
invoice; the PDF and the Factur-X XML are both made from this one value.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field, fields, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import today
from app.invoicing.cae_identity import CaeIdentityData, frozen_logo, read_identity
from app.invoicing.deposit_links import DepositRef, deducted
from app.invoicing.directory import routing_address
from app.invoicing.einvoicing import default_category
from app.invoicing.money import LineAmounts, LineInput, Totals, compute_totals
from app.models import Client, Invoice, InvoiceLine, Person
from app.states import InvoiceStatus


@dataclass(frozen=True)
class Party:
    name: str
    address: str = ""
    postcode: str = ""
    city: str = ""
    country_code: str = "FR"
    siren: str = ""
    siret: str = ""
    vat_number: str = ""
    email: str = ""
    is_business: bool = True
    delivery_address: str = ""
    delivery_postcode: str = ""
    delivery_city: str = ""
    # BT-34 / BT-49 as entered ("scheme:id" or an e-mail); "" = derived (einvoicing.py).
    einvoicing_address: str = ""
    # « Adresse de facturation si différente » (printed, and in a BT-22 note).
    billing_address: str = ""
    billing_postcode: str = ""
    billing_city: str = ""
    public_entity: bool = False  # State, local authority: Chorus Pro (siege routing)

    @property
    def has_distinct_billing(self) -> bool:
        billing = (self.billing_address, self.billing_postcode, self.billing_city)
        return all(billing) and billing != (self.address, self.postcode, self.city)

    @property
    def has_distinct_delivery(self) -> bool:
        delivery = (self.delivery_address, self.delivery_postcode, self.delivery_city)
        return any(delivery) and delivery != (self.address, self.postcode, self.city)


@dataclass(frozen=True)
class SellerExtras:
    """CAE mentions beyond the party itself (legal form, capital, RCS, bank)."""

    legal_form: str = ""
    capital_wording: str = ""
    rcs_city: str = ""
    naf: str = ""
    iban: str = ""
    bic: str = ""
    phone: str = ""
    late_penalty_text: str = ""
    early_payment_text: str = ""
    # SHA-256 of the logo printed at issue: a copy made later prints that logo or none,
    # never a logo the CAE chose since.
    logo_sha256: str = ""


@dataclass(frozen=True)
class DocumentLine:
    position: int
    description: str
    quantity_e4: int
    unit: str
    unit_price_cents: int
    vat_rate_bp: int
    discount_bp: int
    amounts: LineAmounts
    vat_category: str = "S"  # resolved: the line's own, else einvoicing.default_category


@dataclass(frozen=True)
class InvoiceDocument:
    id: str
    kind: str  # facture | avoir
    is_draft: bool
    number: str
    issue_date: dt.date
    sale_date: dt.date | None
    due_date: dt.date | None
    nature: str  # services | biens | mixte
    payment_terms: str
    vat_on_debits: bool
    vat_exemption_text: str
    notes: str
    seller: Party
    seller_extras: SellerExtras
    buyer: Party
    activity: str  # the entrepreneur's activity, e.g. "Céline Martin — Couture"
    lines: tuple[DocumentLine, ...]
    totals: Totals
    credited_number: str = ""
    credited_issue_date: dt.date | None = None
    buyer_reference: str = ""  # BT-10
    order_reference: str = ""  # BT-13
    # A copy of an issued invoice made again from its snapshots (not the stored file):
    # marked « Duplicata » on every page.
    is_duplicate: bool = False
    logo_png: bytes | None = field(default=None, repr=False)
    # "" / "acompte" (deposit invoice, BT-3 386) / "solde" (final invoice after that
    # deposit, BT-23 B4/S4/M4, BG-3 = each deposit invoice; its deduction lines are
    # negative lines: docs/invoicing.md, "Deposits").
    role: str = ""
    # The deposit invoices a final invoice deducts (BG-3 each), in their order.
    deposits: tuple[DepositRef, ...] = ()


def seller_from_identity(identity: CaeIdentityData) -> tuple[Party, SellerExtras]:
    party = Party(
        name=identity.name,
        address=identity.address,
        postcode=identity.postcode,
        city=identity.city,
        siren=identity.siren,
        siret=identity.siret,
        vat_number=identity.vat_number,
        email=identity.email,
    )
    extras = SellerExtras(
        legal_form=identity.legal_form,
        capital_wording=identity.capital_wording,
        rcs_city=identity.rcs_city,
        naf=identity.naf,
        iban=identity.iban,
        bic=identity.bic,
        phone=identity.phone,
        late_penalty_text=identity.late_penalty_text,
        early_payment_text=identity.early_payment_text,
        logo_sha256=hashlib.sha256(identity.logo_png).hexdigest() if identity.logo_png else "",
    )
    return party, extras


def buyer_from_client(client: Client) -> Party:
    return Party(
        name=client.name,
        address=client.address,
        postcode=client.postcode,
        city=client.city,
        country_code=client.country_code or "FR",
        siren=client.siren,
        vat_number=client.vat_number,
        email=client.email,
        is_business=client.kind == "entreprise",
        delivery_address=client.delivery_address,
        delivery_postcode=client.delivery_postcode,
        delivery_city=client.delivery_city,
        einvoicing_address=client.einvoicing_address,
        billing_address=client.billing_address,
        billing_postcode=client.billing_postcode,
        billing_city=client.billing_city,
        public_entity=bool(client.public_entity),
    )


def buyer_of(session: Session, client: Client) -> Party:
    """The buyer as issued: the client, its BT-49 taken from the PA directory's line
    (synced from the siège) when the client has no electronic address of its own."""
    party = buyer_from_client(client)
    address = routing_address(session, client)
    return replace(party, einvoicing_address=address) if address else party


def activity_label(person: Person | None) -> str:
    if person is None:
        return ""
    name = f"{person.first_name} {person.last_name}".strip()
    return f"{name} — {person.activity_name}" if person.activity_name else name


def seller_snapshot(party: Party, extras: SellerExtras, activity: str) -> str:
    return json.dumps(
        {"party": asdict(party), "extras": asdict(extras), "activity": activity},
        ensure_ascii=False,
        sort_keys=True,
    )


def buyer_snapshot(party: Party) -> str:
    return json.dumps(asdict(party), ensure_ascii=False, sort_keys=True)


def load_lines(session: Session, invoice_id: str) -> list[InvoiceLine]:
    return list(
        session.scalars(
            select(InvoiceLine)
            .where(InvoiceLine.invoice_id == invoice_id, InvoiceLine.deleted_at.is_(None))
            .order_by(InvoiceLine.position, InvoiceLine.id)
        )
    )


def line_inputs(lines: list[InvoiceLine]) -> list[LineInput]:
    return [
        LineInput(ln.quantity_e4, ln.unit_price_cents, ln.vat_rate_bp, ln.discount_bp)
        for ln in lines
    ]


def _party(frozen: dict[str, object]) -> Party:
    """A frozen party; snapshots older than a field simply lack it (its default)."""
    known = {f.name for f in fields(Party)}
    return Party(**{k: v for k, v in frozen.items() if k in known})  # type: ignore[arg-type]


def build_document(session: Session, invoice: Invoice, *, issuing: bool = False) -> InvoiceDocument:
    """The document as printed: from the snapshots once issued, from live rows for drafts."""
    lines = load_lines(session, invoice.id)
    totals = compute_totals(line_inputs(lines))
    identity = read_identity(session)
    logo = identity.logo_png
    if invoice.seller_snapshot:
        frozen = json.loads(invoice.seller_snapshot)
        seller = _party(frozen["party"])
        extras = SellerExtras(**frozen["extras"])
        activity = frozen["activity"]
        if "logo_sha256" in frozen["extras"]:  # snapshots before issue 15 did not say
            logo = _frozen_logo(session, identity.logo_png, extras.logo_sha256)
    else:
        seller, extras = seller_from_identity(identity)
        activity = activity_label(session.get(Person, invoice.entrepreneur_id))
    if invoice.buyer_snapshot:
        buyer = _party(json.loads(invoice.buyer_snapshot))
    else:
        client = session.get(Client, invoice.client_id)
        buyer = buyer_of(session, client) if client is not None else Party(name="")
    credited = (
        session.get(Invoice, invoice.credited_invoice_id) if invoice.credited_invoice_id else None
    )
    return InvoiceDocument(
        id=invoice.id,
        kind=invoice.kind,
        is_draft=invoice.status != InvoiceStatus.ISSUED and not issuing,
        number=invoice.number or "",
        issue_date=invoice.issue_date or today(),
        sale_date=invoice.sale_date,
        due_date=invoice.due_date,
        nature=invoice.nature,
        payment_terms=invoice.payment_terms,
        vat_on_debits=invoice.vat_on_debits,
        vat_exemption_text=invoice.vat_exemption_text,
        notes=invoice.notes,
        seller=seller,
        seller_extras=extras,
        buyer=buyer,
        activity=activity,
        lines=tuple(
            DocumentLine(
                ln.position,
                ln.description,
                ln.quantity_e4,
                ln.unit,
                ln.unit_price_cents,
                ln.vat_rate_bp,
                ln.discount_bp,
                amounts,
                ln.vat_category or default_category(ln.vat_rate_bp, buyer, invoice.nature),
            )
            for ln, amounts in zip(lines, totals.lines, strict=True)
        ),
        totals=totals,
        credited_number=(credited.number or "") if credited is not None else "",
        credited_issue_date=credited.issue_date if credited is not None else None,
        buyer_reference=invoice.buyer_reference,
        order_reference=invoice.order_reference,
        logo_png=logo,
        role=invoice.role,
        deposits=deducted(session, invoice),
    )


def _frozen_logo(session: Session, current: bytes | None, frozen_sha256: str) -> bytes | None:
    """The logo of the issue: today's if it is still that one, else the one kept by
    content (``cae_logo``), else none (docs/invoicing.md, "Documents")."""
    if not frozen_sha256:
        return None
    if current and hashlib.sha256(current).hexdigest() == frozen_sha256:
        return current
    return frozen_logo(session, frozen_sha256)
