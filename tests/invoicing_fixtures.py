"""Shared helpers of the invoicing tests: a complete CAE identity, an entrepreneur, clients."""

from __future__ import annotations

import datetime as dt

from app.invoicing.cae_identity import CaeIdentityData, get_cae_identity, save_cae_identity
from app.invoicing.clients import ClientData, save_client
from app.invoicing.drafts import DraftData, LineData, save_draft
from app.models import ParcoursStage, Person
from app.uow import UnitOfWorkFactory

# Real, checksum-valid identifiers (python-stdnum accepts them).
CAE_SIREN = "732829320"
CAE_SIRET = "73282932000074"
CAE_VAT = "FR44732829320"
CLIENT_SIREN = "552100554"
IBAN = "FR1420041010050500013M02606"
BIC = "PSSTFRPPLIL"


def complete_identity(uow: UnitOfWorkFactory) -> CaeIdentityData:
    current = get_cae_identity(uow)
    return save_cae_identity(
        uow,
        current.with_changes(
            name="Coopérative Champagne Entreprendre",
            legal_form="SCOP SA",
            capital_wording="à capital variable",
            address="12 rue de Vesle",
            postcode="51100",
            city="Reims",
            siren=CAE_SIREN,
            siret=CAE_SIRET,
            rcs_city="Reims",
            naf="7022Z",
            vat_number=CAE_VAT,
            iban=IBAN,
            bic=BIC,
        ),
    )


def add_entrepreneur(
    uow: UnitOfWorkFactory, *, stage: str | None = "cape", last_name: str = "Martin"
) -> str:
    with uow() as work:
        person = Person(first_name="Céline", last_name=last_name, activity_name="Couture")
        work.session.add(person)
        work.session.flush()
        if stage:
            work.session.add(
                ParcoursStage(person_id=person.id, kind=stage, start_date=dt.date(2026, 1, 5))
            )
        work.commit()
        return person.id


def add_client(
    uow: UnitOfWorkFactory, entrepreneur_id: str, *, business: bool = True, **changes: str
) -> str:
    data = ClientData(
        entrepreneur_id=entrepreneur_id,
        name="Boulangerie Dupré" if business else "Jeanne Petit",
        kind="entreprise" if business else "particulier",
        siren=CLIENT_SIREN if business else "",
        # A private client's invoice is addressed to its e-mail (BT-49, BR-FR-12).
        email="" if business else "jeanne.petit@example.org",
        address="3 place Ducale",
        postcode="08000",
        city="Charleville-Mézières",
    ).with_changes(**changes)
    return save_client(uow, data).id


def simple_lines() -> tuple[LineData, ...]:
    return (
        LineData("Retouche de robe", 15000, 4000, 2000, 0, "h"),
        LineData("Fournitures", 20000, 1250, 550, 1000),
    )


def add_draft(
    uow: UnitOfWorkFactory,
    entrepreneur_id: str,
    client_id: str,
    lines: tuple[LineData, ...] | None = None,
    **changes: object,
) -> str:
    """``deposit_invoice_id=X`` is short for ``deposit_invoice_ids=(X,)``: one deposit."""
    if "deposit_invoice_id" in changes:
        changes["deposit_invoice_ids"] = (changes.pop("deposit_invoice_id"),)
    data = DraftData(entrepreneur_id, client_id, lines or simple_lines()).with_changes(**changes)
    return save_draft(uow, data).id
