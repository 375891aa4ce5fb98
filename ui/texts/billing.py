"""Words of the invoicing area's smaller forms: the client and payment dialogs and the
e-invoicing statuses of an invoice. The invoice screens' own words are in ui/texts/invoicing.py.

See docs/architecture.md §3, "Where wording lives".
"""

from __future__ import annotations

from typing import Final

# Client dialog (ui/dialogs/client_dialog.py)
EDIT_CLIENT_TITLE: Final[str] = "Modifier le client"
NEW_CLIENT_TITLE: Final[str] = "Nouveau client"
CLIENT_NAME: Final[str] = "Nom ou raison sociale"
EINVOICING_ADDRESS: Final[str] = "Adresse de facturation électronique"
DELIVERY_ADDRESS: Final[str] = "Adresse de livraison (si différente)"
DELIVERY_POSTCODE: Final[str] = "Code postal de livraison"
DELIVERY_TOWN: Final[str] = "Commune de livraison"
BILLING_ADDRESS: Final[str] = "Adresse de facturation (si différente)"
BILLING_POSTCODE: Final[str] = "Code postal de facturation"
BILLING_TOWN: Final[str] = "Commune de facturation"
COUNTRY: Final[str] = "Pays"
EINVOICING_ADDRESS_PLACEHOLDER: Final[str] = (
    "Vide : 0225:SIREN (annuaire) ou l'e-mail — ex. 0225:552100554_COMPTA"
)
EINVOICING_ADDRESS_TOOLTIP: Final[str] = (
    "Adresse de réception des factures électroniques du client (sa plateforme agréée) : «"
    " 0225: » suivi de son SIREN (et d'un suffixe éventuel), ou un e-mail."
)
PUBLIC_ENTITY: Final[str] = "Entité publique (factures déposées sur Chorus Pro)"
DIRECTORY: Final[str] = "Annuaire"
# What the PA directory says of the client (app/invoicing/directory.py Reception), read
# offline; also in the invoice window (ui/widgets/einvoicing_reception.py).
RECEPTION: Final[dict[str, str]] = {
    "e_invoice": "Reçoit les factures électroniques (annuaire : {address}, vérifié le {checked}).",
    "not_listed": (
        "Absent de l'annuaire des plateformes agréées (vérifié le {checked}) : "
        "pas de facture électronique, la vente est déclarée en e-reporting."
    ),
    "public": "Entité publique : ses factures se déposent sur Chorus Pro.",
    "not_checked": (
        "Annuaire pas encore consulté par le siège : réponse après une prochaine synchronisation."
    ),
    "not_concerned": (
        "Particulier ou client à l'étranger : pas de facture électronique (e-reporting)."
    ),
}

# Payment dialog (ui/dialogs/payment_dialog.py)
PAYMENT_REFERENCE_PLACEHOLDER: Final[str] = "N° de chèque, libellé du virement…"
AMOUNT_DUE: Final[str] = "Reste dû"
PAYMENT_MODE: Final[str] = "Mode"
PAYMENT_REFERENCE: Final[str] = "Référence"
SAVE_PAYMENT: Final[str] = "Enregistrer le paiement"
PAYMENT_TITLE: Final[str] = "Paiement de la facture {number}"

# E-invoicing statuses of an invoice (ui/widgets/pa_status_panel.py)
PA_STATUSES_TITLE: Final[str] = "Facture électronique — statuts de la plateforme agréée"
CANCELLED_BY_CREDIT_NOTE: Final[str] = "Annulée par un avoir."


def invoice_refused(*, rejected: bool, reason: str) -> str:
    """Head of the advice under a rejected (by the PA) or refused (by the buyer) invoice."""
    verb = "rejetée" if rejected else "refusée"
    return f"⚠ Facture {verb} : {reason or 'motif non précisé'}. "
