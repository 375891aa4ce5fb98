"""French wording of the invoicing area's codes, in one place (issue 14, item 11): the
invoicing screens (ui/messages_invoicing.py) and the invoice PDF (app/pdf/invoice.py)
read them here.

Keyed by the typed states of app/states.py where the domain has one.
"""

from __future__ import annotations

from app.states import ClientKind, InvoiceKind, InvoiceStatus

# An invoice's state as lists show it: stored status, or the balance's (app/invoicing/
# payments.py), or a filter.
STATUS_LABELS: dict[str, str] = {
    InvoiceStatus.DRAFT: "Brouillon",
    "a_payer": "À payer",
    "en_retard": "En retard",
    "partiellement_payee": "Partiellement payée",
    "payee": "Payée",
    "annulee": "Annulée par avoir",
    "a_rembourser": "Avoir à rembourser",
    InvoiceKind.CREDIT_NOTE: "Avoir",
    "tous": "Toutes",
}
KIND_LABELS: dict[str, str] = {InvoiceKind.INVOICE: "Facture", InvoiceKind.CREDIT_NOTE: "Avoir"}
# The nature of the operation: short in forms, spelled out on the invoice.
NATURE_LABELS: dict[str, str] = {
    "services": "Prestation de services",
    "biens": "Livraison de biens",
    "mixte": "Mixte (biens et services)",
}
NATURE_ON_INVOICE: dict[str, str] = {
    "services": "Prestation de services",
    "biens": "Livraison de biens",
    "mixte": "Opération mixte (livraison de biens et prestation de services)",
}
MODE_LABELS: dict[str, str] = {
    "virement": "Virement",
    "cheque": "Chèque",
    "especes": "Espèces",
    "carte": "Carte",
}
CLIENT_KIND_LABELS: dict[str, str] = {
    ClientKind.BUSINESS: "Professionnel (entreprise, association…)",
    ClientKind.PRIVATE: "Particulier",
}
VAT_EXEMPTION_DEFAULT = "TVA non applicable, art. 293 B du CGI"
# VAT category of the 0 % lines (app/invoicing/einvoicing.py); "" = from the client.
ZERO_VAT_REGIMES: dict[str, str] = {
    "": "Automatique (selon le pays du client)",
    "E": "Exonération (mention ci-dessous)",
    "AE": "Autoliquidation par le client",
    "K": "Livraison intracommunautaire",
    "G": "Exportation hors Union européenne",
    "O": "Hors champ de la TVA",
    "Z": "Taux zéro",
}
# Invoice roles (invoice.role, docs/invoicing.md "Deposits"): forms, and the PDF's title.
ROLE_LABELS: dict[str, str] = {
    "": "Facture",
    "acompte": "Facture d'acompte",
    "solde": "Facture de solde (après acompte)",
}
ROLE_TITLES: dict[str, str] = {"acompte": "FACTURE D'ACOMPTE", "solde": "FACTURE DE SOLDE"}
