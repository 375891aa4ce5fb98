"""What the French e-invoicing reform needs beyond EN 16931, derived from the invoice.

- the billing framework (BT-23, FNFE "cadre de facturation"): B1 / S1 / M1 for a plain
  invoice of goods / services / both (a deposit invoice, BT-3 386, too), the same code
  on its credit notes, B4 / S4 / M4 for the final invoice after a deposit (BR-FR-CO-08:
  never on a deposit invoice);
- the treatment note (BAR): B2B for a French business, B2BINT abroad, B2C / B2CINT for
  a private person;
- the electronic addresses (BT-34 seller, BT-49 buyer): the client's own address when
  entered ("scheme:id" or an e-mail), else ``0225:SIREN`` for a French business (the
  directory's default routing address), else the client's e-mail;
- the VAT category of each line (S, Z, E, AE, K, G, O) and the exemption reason that
  goes with it (BT-120 text, BT-121 VATEX code).

The rules these feed are in :mod:`app.invoicing.french_rules`; docs/invoicing.md says
which of them are checked before issue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # printable builds documents with these rules: no import cycle
    from app.invoicing.printable import Party

DIRECTORY_SCHEME = "0225"  # ISO 6523 ICD of the French PA directory (annuaire)
EMAIL_SCHEME = "EM"
# Schemes a person may type before "scheme:id" (EAS code list, the ones met in France).
KNOWN_SCHEMES = frozenset({"0225", "0002", "0009", "0088", "0060", "9957", "EM"})
ROUTING_ID = re.compile(r"^[A-Za-z0-9+\-_.]+$")  # BR-FR-23
MAX_ADDRESS = 125  # BR-FR-25
BARE_SIREN = re.compile(r"\d{9}([_\-.+][A-Za-z0-9+\-_.]+)?")

# The other 26 member states of the EU (ISO 3166 alpha-2). Hand-written: a short legal
# list that changes by treaty, not a library's business.
EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)

FRAMEWORK_BY_NATURE = {"biens": "B1", "services": "S1", "mixte": "M1"}
FINAL_FRAMEWORK_BY_NATURE = {"biens": "B4", "services": "S4", "mixte": "M4"}
# Invoice roles (invoice.role): a deposit invoice, the final invoice after a deposit.
DEPOSIT, FINAL = "acompte", "solde"
ROLES = ("", DEPOSIT, FINAL)
TYPE_DEPOSIT = "386"  # UNTDID 1001: prepayment invoice (« facture d'acompte »)

CATEGORIES = ("S", "Z", "E", "AE", "K", "G", "O")
# Exemption wording printed and put in BT-120, with its VATEX code (BT-121). "E" uses the
# invoice's own wording (which article exempts it is the entrepreneur's to say).
EXEMPTIONS: dict[str, tuple[str, str]] = {
    "AE": ("Autoliquidation", "VATEX-EU-AE"),
    "K": ("Exonération de TVA, article 262 ter I du CGI", "VATEX-EU-IC"),
    "G": ("Exonération de TVA, article 262 I du CGI", "VATEX-EU-G"),
    "O": ("Opération hors du champ d'application de la TVA française", "VATEX-EU-O"),
}


@dataclass(frozen=True)
class Endpoint:
    scheme: str
    identifier: str

    def __str__(self) -> str:
        return f"{self.scheme}:{self.identifier}"


def parse_address(text: str) -> Endpoint | None:
    """``0225:552100554``, ``EM:a@b.fr``, a bare e-mail or a bare SIREN (+ suffix);
    None when not understood."""
    value = text.strip()
    if not value:
        return None
    scheme, sep, identifier = value.partition(":")
    if sep and scheme.upper() in KNOWN_SCHEMES and identifier.strip():
        return Endpoint(scheme.upper(), identifier.strip())
    if "@" in value and ":" not in value:
        return Endpoint(EMAIL_SCHEME, value)
    if BARE_SIREN.fullmatch(value):  # "552100554" or "552100554_COMPTA": the directory's
        return Endpoint(DIRECTORY_SCHEME, value)
    return None


def address_problem(text: str, *, siren: str, french_business: bool) -> str | None:
    """Why an entered electronic address cannot be used (an error code), or None."""
    endpoint = parse_address(text)
    if endpoint is None:
        return "invalid_einvoicing_address"
    if len(endpoint.identifier) > MAX_ADDRESS:
        return "einvoicing_address_too_long"
    if endpoint.scheme == DIRECTORY_SCHEME and not ROUTING_ID.match(endpoint.identifier):
        return "invalid_einvoicing_address"
    if french_business and (
        endpoint.scheme != DIRECTORY_SCHEME or not endpoint.identifier.startswith(siren)
    ):
        # BR-FR-21: a domestic B2B invoice goes to the routing address of the SIREN.
        return "einvoicing_address_not_of_siren"
    return None


def is_french_business(party: Party) -> bool:
    return party.is_business and (party.country_code or "FR") == "FR"


def buyer_endpoint(party: Party) -> Endpoint | None:
    """BT-49: entered address, else 0225:SIREN (French business), else the e-mail."""
    entered = parse_address(party.einvoicing_address)
    if entered is not None:
        return entered
    if is_french_business(party) and party.siren:
        return Endpoint(DIRECTORY_SCHEME, party.siren)
    if party.email:
        return Endpoint(EMAIL_SCHEME, party.email)
    return None


def seller_endpoint(party: Party) -> Endpoint | None:
    """BT-34: the CAE's own routing address, 0225:SIREN (directory default)."""
    entered = parse_address(party.einvoicing_address)
    if entered is not None:
        return entered
    return Endpoint(DIRECTORY_SCHEME, party.siren) if party.siren else None


def treatment(party: Party) -> str:
    """The BAR note: how the PA treats the invoice (e-invoice, e-reporting)."""
    domestic = (party.country_code or "FR") == "FR"
    if party.is_business:
        return "B2B" if domestic else "B2BINT"
    return "B2C" if domestic else "B2CINT"


def framework_code(nature: str, role: str = "") -> str:
    if role == FINAL:
        return FINAL_FRAMEWORK_BY_NATURE.get(nature, "S4")
    return FRAMEWORK_BY_NATURE.get(nature, "S1")


def default_category(rate_bp: int, buyer: Party, nature: str) -> str:
    """The VAT category a line takes when the entrepreneur chose none.

    Above 0 %: standard (S). At 0 %: a business elsewhere in the EU is an intra-EU
    supply of goods (K) or a service it self-assesses (AE, art. 283-2 du CGI); any buyer
    outside the EU is an export (G); otherwise the line is exempt (E) with the invoice's
    own exemption wording."""
    if rate_bp:
        return "S"
    country = buyer.country_code or "FR"
    if buyer.is_business and country in EU_COUNTRIES:
        return "K" if nature == "biens" else "AE"
    if country != "FR" and country not in EU_COUNTRIES:
        return "G"
    return "E"


def exemption(category: str, invoice_text: str) -> tuple[str, str]:
    """(BT-120 text, BT-121 code) of a 0 % category; ("", "") for S and Z."""
    if category == "E":
        return invoice_text, ""
    return EXEMPTIONS.get(category, ("", ""))
