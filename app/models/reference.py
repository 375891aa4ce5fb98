"""The CAE itself, its antennes and permanences, staff, and editable option lists."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Synced


class CaeIdentity(Synced, Base):
    """Legal identity of the CAE, printed on every invoice (one row)."""

    __tablename__ = "cae_identity"

    name: Mapped[str] = mapped_column(String(200), default="")
    legal_form: Mapped[str] = mapped_column(String(200), default="")
    capital_wording: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    siren: Mapped[str] = mapped_column(String(9), default="")
    siret: Mapped[str] = mapped_column(String(14), default="")
    rcs_city: Mapped[str] = mapped_column(String(120), default="")
    # Numéro de déclaration d'activité (training provider, 11 digits): sheets, attestations.
    nda: Mapped[str] = mapped_column(String(11), default="")
    naf: Mapped[str] = mapped_column(String(10), default="")
    vat_number: Mapped[str] = mapped_column(String(20), default="")
    iban: Mapped[str] = mapped_column(String(40), default="")
    bic: Mapped[str] = mapped_column(String(11), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)
    late_penalty_text: Mapped[str] = mapped_column(Text, default="")
    early_payment_text: Mapped[str] = mapped_column(Text, default="")
    numbering_restarts_yearly: Mapped[bool] = mapped_column(Boolean, default=True)
    credit_notes_own_series: Mapped[bool] = mapped_column(Boolean, default=False)
    logo_png: Mapped[bytes | None] = mapped_column(default=None)


class Antenne(Synced, Base):
    __tablename__ = "antenne"

    name: Mapped[str] = mapped_column(String(120), unique=True)
    departement: Mapped[str] = mapped_column(String(60), default="")
    is_head_office: Mapped[bool] = mapped_column(Boolean, default=False)


class Permanence(Synced, Base):
    """Regular office hours in partner premises of one town."""

    __tablename__ = "permanence"

    antenne_id: Mapped[str] = mapped_column(ForeignKey("antenne.id"))
    town: Mapped[str] = mapped_column(String(120))
    place: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    weekday: Mapped[int | None] = mapped_column(Integer, default=None)  # 0 = lundi
    starts_at: Mapped[dt.time | None] = mapped_column(Time, default=None)
    ends_at: Mapped[dt.time | None] = mapped_column(Time, default=None)


class Accompagnateur(Synced, Base):
    __tablename__ = "accompagnateur"

    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(200), default="")
    antenne_id: Mapped[str | None] = mapped_column(ForeignKey("antenne.id"), default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class OptionItem(Synced, Base):
    """Option lists the CAE can edit: situations, prescribers, sectors, exit reasons."""

    __tablename__ = "option_item"
    __table_args__ = (UniqueConstraint("kind", "code"),)

    kind: Mapped[str] = mapped_column(String(40), index=True)
    code: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Funder(Synced, Base):
    """A funder whose statement and emblem appear on attendance sheets (FSE+, Région...)."""

    __tablename__ = "funder"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    statement: Mapped[str] = mapped_column(Text, default="")
    emblem_png: Mapped[bytes | None] = mapped_column(default=None)
