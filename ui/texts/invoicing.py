"""French words of the invoicing screens (docs/architecture.md, "Where wording lives").

The code labels (kinds, statuses, natures, VAT regimes) stay in ``app/invoicing/labels.py``,
shared with the PDFs; error messages in ``ui/messages_invoicing.py``. Here: what the
invoice window itself says.
"""

from __future__ import annotations

from typing import Final

# Invoice window: titles and status line (ui/dialogs/invoice_dialog.py, invoice_state.py)
NEW_INVOICE_TITLE: Final[str] = "Nouvelle facture"
DRAFT_TITLE: Final[str] = "{kind} brouillon — {client}"
ISSUED_TITLE: Final[str] = "{kind} {number}"
STATUS_NEW_DRAFT: Final[str] = "{kind} — brouillon (numéro attribué à la validation)"
STATUS_DRAFT: Final[str] = "{kind} — brouillon{credited}"
STATUS_ON_INVOICE: Final[str] = " — sur la facture {number}"
STATUS_ISSUED: Final[str] = "{kind} n° {number} {issued} le {date}"
ISSUED_FEMININE: Final[str] = "émise"  # « une facture »
ISSUED_MASCULINE: Final[str] = "émis"  # « un avoir »
STATUS_BALANCE: Final[str] = " — {status} — reste dû : {due}"
VALIDATING: Final[str] = "Émission en cours (numéro, PDF et Factur-X)…"

# Invoice window: the form (ui/dialogs/invoice_form.py)
SEARCH_ENTREPRENEUR: Final[str] = "Rechercher l'entrepreneur…"
NEW_CLIENT: Final[str] = "Nouveau client…"
EDIT_CLIENT: Final[str] = "Modifier le client…"
PAYMENT_TERMS_DEFAULT: Final[str] = "Par défaut : délai de la CAE"
VAT_ON_DEBITS: Final[str] = "Option pour le paiement de la TVA d'après les débits"
NO_CHOICE: Final[str] = "—"
FIELD_ENTREPRENEUR: Final[str] = "Entrepreneur"
FIELD_CLIENT: Final[str] = "Client"
FIELD_NATURE: Final[str] = "Nature de l'opération"
FIELD_SALE_DATE: Final[str] = "Date de la vente / prestation"
FIELD_DUE_DATE: Final[str] = "Date d'échéance"
FIELD_PAYMENT_TERMS: Final[str] = "Conditions de paiement"
FIELD_ZERO_VAT: Final[str] = "Lignes à 0 % de TVA"
FIELD_EXEMPTION: Final[str] = "Mention d'exonération de TVA"
FIELD_ORDER_REFERENCE: Final[str] = "N° de bon de commande"
FIELD_BUYER_REFERENCE: Final[str] = "Référence du client"
FIELD_NOTES: Final[str] = "Notes"

# Invoice window: buttons (ui/dialogs/invoice_dialog.py)
SAVE_DRAFT: Final[str] = "Enregistrer le brouillon"
PREVIEW: Final[str] = "Aperçu PDF"
VALIDATE: Final[str] = "Valider et émettre…"
DELETE_DRAFT: Final[str] = "Supprimer le brouillon"
OPEN_PDF: Final[str] = "Ouvrir le PDF"
RECEIPT: Final[str] = "Facture acquittée (PDF)"
ADD_PAYMENT: Final[str] = "Enregistrer un paiement…"
CANCEL_BY_CREDIT_NOTE: Final[str] = "Annuler par un avoir"
PARTIAL_CREDIT_NOTE: Final[str] = "Avoir partiel…"
CLOSE: Final[str] = "Fermer"

# Invoice window: questions
ISSUE_TITLE: Final[str] = "Émettre"
ISSUE_QUESTION: Final[str] = (
    "Une fois émise, la facture reçoit son numéro et ne peut plus "
    "être modifiée ni supprimée (seul un avoir peut l'annuler). Émettre maintenant ?"
)
SALARIE_TITLE: Final[str] = "Entrepreneur salarié"
SALARIE_QUESTION: Final[str] = (
    "C'est la première facture de cette personne, en convention (CAPE). "
    "Passer la personne en « entrepreneur salarié » (contrat CESA) à cette date ?"
)
DELETE_TITLE: Final[str] = "Supprimer"
DELETE_QUESTION: Final[str] = "Supprimer ce brouillon ?"
CREDIT_NOTE_TITLE: Final[str] = "Avoir"
CREDIT_NOTE_QUESTION: Final[str] = (
    "Annuler toute la facture {number} par un avoir émis maintenant ?"
)
UNSAVED_TITLE: Final[str] = "Modifications non enregistrées"
UNSAVED_QUESTION: Final[str] = (
    "Cette facture a des modifications qui ne sont pas enregistrées. Que faire ?"
)
UNSAVED_SAVE: Final[str] = "Enregistrer le brouillon"
UNSAVED_DISCARD: Final[str] = "Abandonner les modifications"
UNSAVED_CONTINUE: Final[str] = "Continuer la saisie"

# Invoice window: deposit and final invoice (ui/widgets/invoice_deposit.py)
INVOICE_ROLE: Final[str] = "Type de facture"
DEPOSIT_TO_DEDUCT: Final[str] = "Facture d'acompte à déduire"
NO_DEPOSIT_TO_DEDUCT: Final[str] = "Aucune facture d'acompte émise pour ce client"
ADD_DEDUCTION_LINES: Final[str] = "Ajouter les lignes de déduction de l'acompte"
DEDUCTED_DEPOSITS: Final[str] = "Acomptes déduits"
DEDUCTED_DEPOSIT: Final[str] = "n° {number} du {date} — {amount} TTC"

# Invoice lines (ui/widgets/invoice_lines.py)
LINE_COLUMNS: Final[tuple[str, ...]] = (
    "Désignation",
    "Quantité",
    "Unité",
    "PU HT (€)",
    "Remise (%)",
    "TVA",
)
ADD_LINE: Final[str] = "Ajouter une ligne"
REMOVE_LINE: Final[str] = "Supprimer la ligne"
TOTALS_INCOMPLETE: Final[str] = "Totaux : saisie incomplète"
TOTALS_VAT_RATE: Final[str] = "TVA {rate} : {amount}"
TOTALS_NO_VAT: Final[str] = "TVA : 0"
TOTALS: Final[str] = "Total HT : {excl} — {vat} — <b>Total TTC : {incl}</b>"
LINE_ERROR: Final[str] = "Ligne {number} : {message}"

# Payments of an invoice (ui/widgets/payments_panel.py)
PAYMENTS_TITLE: Final[str] = "Paiements enregistrés"
CANCEL_PAYMENT: Final[str] = "Annuler le paiement sélectionné…"
CANCEL_PAYMENT_TITLE: Final[str] = "Annuler un paiement"
CANCEL_PAYMENT_QUESTION: Final[str] = (
    "Annuler le paiement « {payment} » ?\n\n"
    "À faire seulement pour un paiement enregistré par erreur : "
    "le reste dû de la facture est recalculé."
)

# Factures page (ui/pages/invoices_page.py)
INVOICES_PAGE_TITLE: Final[str] = "Factures"
INVOICE_DRAFT_NUMBER: Final[str] = "(brouillon)"
COLUMN_TOTAL_INCL: Final[str] = "Total TTC"
COLUMN_DUE: Final[str] = "Reste dû"
COLUMN_DUE_DATE: Final[str] = "Échéance"
COLUMN_E_INVOICE: Final[str] = "E-facture"
SEARCH_INVOICES: Final[str] = "Rechercher (numéro, client, entrepreneur)…"
NEW_INVOICE: Final[str] = "Nouvelle facture…"
CAE_IDENTITY: Final[str] = "Identité de la CAE…"
EXPORT_PDFS: Final[str] = "Exporter les PDF…"
# Samples measured to size the type, state and e-invoice columns, never shown
WIDTH_SAMPLE_KIND: Final[str] = "Facture"
WIDTH_SAMPLE_STATE: Final[str] = "Partiellement payée"
WIDTH_SAMPLE_E_INVOICE: Final[str] = "⚠ Encaissée"
NO_INVOICE_MATCHES: Final[str] = "Aucune facture ne correspond."
NO_INVOICE: Final[str] = "Aucune facture."
EXPORT_FOLDER_TITLE: Final[str] = "Dossier où exporter les PDF"
EXPORTING_PDFS: Final[str] = "Export des PDF…"
PDFS_EXPORTED: Final[str] = "{count} PDF exporté(s) dans {target}"
PDFS_REFUSED: Final[str] = " ; refusés (fichier modifié) : {files}"
EXPORT_CANCELLED: Final[str] = "Export annulé."

# A person's Facturation tab (ui/pages/person_invoicing_tab.py)
COLUMN_PERIOD: Final[str] = "Période"
COLUMN_INVOICED_EXCL: Final[str] = "Facturé HT (net des avoirs)"
COLUMN_CASHED: Final[str] = "Encaissé"
BY_MONTH: Final[str] = "Par mois"
BY_YEAR: Final[str] = "Par année"
TURNOVER_GROUP: Final[str] = "Chiffre d'affaires"
INVOICES_GROUP: Final[str] = "Factures et avoirs"
PERSON_TOTALS: Final[str] = "Total facturé HT : {invoiced} — encaissé : {cashed}"


def invoice_count(count: int, number: str) -> str:
    """The Factures page's count; ``number`` is ``count`` as shown (« 1 234 »)."""
    plural = "s" if count > 1 else ""
    return f"{number} facture{plural} ou avoir{plural}"


def pa_alert(count: int, numbers: str) -> str:
    """The Factures page's warning over invoices the plateforme agréée stopped."""
    plural = "s" if count > 1 else ""
    return (
        f"⚠ {count} facture{plural} rejetée{plural} ou refusée{plural} "
        f"par la plateforme agréée : {numbers}. "
    )
