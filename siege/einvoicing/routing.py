"""Which way each issued invoice leaves (docs/einvoicing.md, "Routing").

From the frozen buyer and what the PA directory said of its SIREN (siege_pa_directory,
siege/einvoicing/directory.py):

- a French business **in the directory** receives an **e-invoice** (Flow Service,
  processing rule ``B2B``);
- a French business **absent from the directory** is not a taxable person receiving
  e-invoices (an association not subject to VAT...): its sales are reported like B2C;
- a private person: **e-reporting B2C**, daily totals per VAT rate (``B2C``, FRR);
- a business abroad: **e-reporting of international B2B**, transaction by transaction
  (``B2BInt``, FRR);
- a public buyer (flagged on the client, or ``entityType`` Public in the directory):
  **Chorus Pro** — the route is decided, the deposit on Chorus Pro is not built;
- a French business not looked up yet waits for the directory (next pass)."""

from __future__ import annotations

from enum import StrEnum

from app.invoicing.printable import Party
from siege.einvoicing.adapter import DirectoryEntry


class Route(StrEnum):
    E_INVOICE = "e_invoice"  # domestic B2B: POST /v1/flows, processingRule B2B
    B2C_REPORTING = "b2c"  # e-reporting, aggregated B2C (FRR 10.3 / 10.4)
    INTERNATIONAL_REPORTING = "b2b_int"  # e-reporting, unitary international B2B (10.1)
    CHORUS_PRO = "chorus_pro"  # public buyer: routing only, not deposited
    AWAITING_DIRECTORY = "directory"  # French business the directory has not answered


ROUTE_FR = {
    Route.E_INVOICE: "facture électronique (B2B France)",
    Route.B2C_REPORTING: "e-reporting B2C (totaux par jour et par taux)",
    Route.INTERNATIONAL_REPORTING: "e-reporting B2B international",
    Route.CHORUS_PRO: "Chorus Pro (entité publique) : dépôt à faire sur Chorus Pro",
    Route.AWAITING_DIRECTORY: "en attente de l'annuaire",
}

# processingRule of the Flow Service (XP Z12-013 Annexe A, ProcessingRule).
PROCESSING_RULE = {
    Route.E_INVOICE: "B2B",
    Route.B2C_REPORTING: "B2C",
    Route.INTERNATIONAL_REPORTING: "B2BInt",
}


def route_of(buyer: Party, entry: DirectoryEntry | None) -> Route:
    if not buyer.is_business:
        return Route.B2C_REPORTING
    if (buyer.country_code or "FR").upper() != "FR" or not buyer.siren:
        return Route.INTERNATIONAL_REPORTING
    if buyer.public_entity or (entry is not None and entry.public_entity):
        return Route.CHORUS_PRO
    if entry is None:
        return Route.AWAITING_DIRECTORY
    if not entry.addressing_identifier:
        return Route.B2C_REPORTING
    return Route.E_INVOICE
