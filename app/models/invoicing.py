"""Clients, invoices and credit notes, their lines, payments and number series.

Money is integer cents; quantities are integer ten-thousandths (4 decimals);
VAT rates are integer basis points (2000 = 20 %). Never a float.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Synced


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
    """An invoice or a credit note (kind = "avoir"). Drafts have no number."""

    __tablename__ = "invoice"
    __table_args__ = (UniqueConstraint("number"),)

    kind: Mapped[str] = mapped_column(String(12), default="facture")  # avoir
    status: Mapped[str] = mapped_column(String(12), default="brouillon", index=True)  # emise
    entrepreneur_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
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
    credited_invoice_id: Mapped[str | None] = mapped_column(ForeignKey("invoice.id"), default=None)
    notes: Mapped[str] = mapped_column(Text, default="")
    total_excl_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    total_vat_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    total_incl_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    # Frozen at validation: seller and buyer as printed, the PDF and its hash.
    seller_snapshot: Mapped[str] = mapped_column(Text, default="")
    buyer_snapshot: Mapped[str] = mapped_column(Text, default="")
    pdf_path: Mapped[str] = mapped_column(String(300), default="")
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


class Payment(Synced, Base):
    __tablename__ = "payment"

    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoice.id"), index=True)
    paid_on: Mapped[dt.date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    mode: Mapped[str] = mapped_column(String(20))  # virement | cheque | especes | carte
    reference: Mapped[str] = mapped_column(String(120), default="")
