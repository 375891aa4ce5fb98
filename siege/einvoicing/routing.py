"""Which issued invoices leave as e-invoices (docs/einvoicing.md, "Routing").

Built: domestic B2B — a French business buyer with a SIREN — is an e-invoice sent to the
PA (processing rule ``B2B``). Not built yet: B2C sales and international B2B go to
e-reporting (``B2C`` / ``B2BInt`` FRR flows), public buyers to Chorus Pro; those invoices
stay out of the outbox and ``einvoicing list`` says which route they await."""

from __future__ import annotations

from enum import StrEnum

from app.invoicing.printable import Party


class Route(StrEnum):
    E_INVOICE = "e_invoice"  # domestic B2B: POST /v1/flows, processingRule B2B
    B2C_REPORTING = "b2c"  # e-reporting of B2C sales (not built)
    INTERNATIONAL_REPORTING = "b2b_int"  # e-reporting of international B2B (not built)


ROUTE_FR = {
    Route.E_INVOICE: "facture électronique (B2B France)",
    Route.B2C_REPORTING: "e-reporting B2C (pas encore transmis)",
    Route.INTERNATIONAL_REPORTING: "e-reporting international (pas encore transmis)",
}


def route_of(buyer: Party) -> Route:
    if not buyer.is_business:
        return Route.B2C_REPORTING
    if buyer.country_code.upper() != "FR" or not buyer.siren:
        return Route.INTERNATIONAL_REPORTING
    return Route.E_INVOICE
