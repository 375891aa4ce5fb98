"""The CAE's legal identity (settings): read, save with checks, list what is missing.

Identifiers are checked with python-stdnum through :mod:`app.validation`
(SIREN, SIRET, VAT, IBAN, BIC), never with hand-written rules.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import validation
from app.errors import Collector
from app.ids import deterministic_id
from app.models import CaeIdentity
from app.models.invoicing import CaeLogo
from app.pdf.glyphs import check_printable
from app.uow import UnitOfWorkFactory


@dataclass(frozen=True)
class CaeIdentityData:
    name: str = ""
    legal_form: str = ""
    capital_wording: str = ""
    address: str = ""
    postcode: str = ""
    city: str = ""
    siren: str = ""
    siret: str = ""
    rcs_city: str = ""
    # Numéro de déclaration d'activité (training provider): printed on attendance sheets
    # and attestations (issue 16); 11 digits.
    nda: str = ""
    naf: str = ""
    vat_number: str = ""
    iban: str = ""
    bic: str = ""
    email: str = ""
    phone: str = ""
    payment_terms_days: int = 30
    late_penalty_text: str = ""
    early_payment_text: str = ""
    numbering_restarts_yearly: bool = True
    credit_notes_own_series: bool = False
    logo_png: bytes | None = None

    def with_changes(self, **changes: object) -> CaeIdentityData:
        return replace(self, **changes)  # type: ignore[arg-type]


# What an invoice cannot be issued without (CGI ann. II art. 242 nonies A;
# C. com. L441-9): the field names double as codes for the UI.
MANDATORY_FOR_INVOICES = (
    "name",
    "legal_form",
    "capital_wording",
    "address",
    "postcode",
    "city",
    "siren",
    "siret",
    "rcs_city",
    "vat_number",
    "late_penalty_text",
)

_FIELD_NAMES = tuple(f.name for f in fields(CaeIdentityData))
PRINTED_FIELDS = (
    "name",
    "legal_form",
    "capital_wording",
    "address",
    "postcode",
    "city",
    "rcs_city",
    "late_penalty_text",
    "early_payment_text",
)


def _row(session: Session) -> CaeIdentity:
    row = session.scalars(
        select(CaeIdentity).where(CaeIdentity.deleted_at.is_(None)).order_by(CaeIdentity.id)
    ).first()
    if row is None:
        row = CaeIdentity()
        session.add(row)
    return row


def _to_data(row: CaeIdentity) -> CaeIdentityData:
    return CaeIdentityData(**{name: getattr(row, name) for name in _FIELD_NAMES})


def read_identity(session: Session) -> CaeIdentityData:
    return _to_data(_row(session))


def get_cae_identity(uow_factory: UnitOfWorkFactory) -> CaeIdentityData:
    with uow_factory() as uow:
        return read_identity(uow.session)


def missing_fields(data: CaeIdentityData) -> list[str]:
    return [name for name in MANDATORY_FOR_INVOICES if not str(getattr(data, name)).strip()]


def normalize_nda(value: str) -> str:
    """The NDA as its 11 digits (spaces, dots and dashes as people type them dropped).

    It is given by the DREETS when a training provider declares its activity (Code du
    travail L6351-1): 2 digits of the region, then 9; never all zeros."""
    digits = "".join(c for c in value if c not in " .-\u00a0\u202f")
    if len(digits) != 11 or not digits.isascii() or not digits.isdigit() or not int(digits):
        raise ValueError(value)
    return digits


def _clean(data: CaeIdentityData) -> CaeIdentityData:
    errors = Collector()
    text = {
        name: getattr(data, name).strip()
        for name in _FIELD_NAMES
        if isinstance(getattr(data, name), str)
    }
    checks = {
        "siren": validation.normalize_siren,
        "siret": validation.normalize_siret,
        "vat_number": validation.normalize_vat,
        "iban": validation.normalize_iban,
        "bic": validation.normalize_bic,
    }
    for name, normalize in checks.items():
        if text[name]:
            try:
                text[name] = normalize(text[name])
            except ValueError:
                errors.add(name, f"invalid_{name.removesuffix('_number')}")
    if text["email"]:
        try:
            text["email"] = validation.normalize_email(text["email"])
        except ValueError:
            errors.add("email", "invalid_email")
    if text["phone"]:
        try:
            text["phone"] = validation.normalize_phone(text["phone"])
        except ValueError:
            errors.add("phone", "invalid_phone")
    if text["nda"]:
        try:
            text["nda"] = normalize_nda(text["nda"])
        except ValueError:
            errors.add("nda", "invalid_nda")
    if text["postcode"] and not validation.is_postcode(text["postcode"]):
        errors.add("postcode", "invalid_postcode")
    for name in PRINTED_FIELDS:  # printed on every invoice (app/pdf/glyphs.py)
        if not any(e.field == name for e in errors.errors):
            check_printable(errors, name, text[name])
    invalid = {e.field for e in errors.errors}
    if (
        text["siren"]
        and text["siret"]
        and not {"siren", "siret"} & invalid
        and not text["siret"].startswith(text["siren"])
    ):
        errors.add("siret", "siret_not_of_siren")
    if not 0 <= data.payment_terms_days <= 60:
        # C. com. L441-10: at most 60 days after the invoice date.
        errors.add("payment_terms_days", "payment_terms_too_long", max=60)
    errors.raise_if_any()
    return data.with_changes(**text)


def logo_id(sha256: str) -> str:
    return deterministic_id("cae_logo", sha256)


def keep_logo(session: Session, png: bytes) -> None:
    """Keep this logo by content (``cae_logo``): invoices issued with it print it on
    their copies even after the CAE changes its logo (docs/invoicing.md, "Documents")."""
    digest = hashlib.sha256(png).hexdigest()
    if session.get(CaeLogo, logo_id(digest)) is None:
        session.add(CaeLogo(id=logo_id(digest), sha256=digest, png=png))


def frozen_logo(session: Session, sha256: str) -> bytes | None:
    """The logo an invoice was issued with, by its SHA-256 (None if never kept here)."""
    row = session.get(CaeLogo, logo_id(sha256)) if sha256 else None
    return row.png if row is not None and row.deleted_at is None else None


def save_cae_identity(uow_factory: UnitOfWorkFactory, data: CaeIdentityData) -> CaeIdentityData:
    """Check every field (all errors at once), then save; nothing is saved on error."""
    cleaned = _clean(data)
    with uow_factory() as uow:
        row = _row(uow.session)
        for name in _FIELD_NAMES:
            setattr(row, name, getattr(cleaned, name))
        if cleaned.logo_png:
            keep_logo(uow.session, cleaned.logo_png)
        uow.commit()
        return _to_data(row)
