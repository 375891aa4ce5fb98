"""French wording for the invoicing area: error codes, statuses, labels.

Imported by every invoicing widget, so the messages are registered before any form shows."""

from __future__ import annotations

from app import formatting
from app.invoicing.cae_identity import MANDATORY_FOR_INVOICES
from app.invoicing.labels import (  # the code labels' one place, shared with the PDF
    KIND_LABELS,
    MODE_LABELS,
    NATURE_LABELS,
    STATUS_LABELS,
    VAT_EXEMPTION_DEFAULT,
    ZERO_VAT_REGIMES,
)
from ui.messages import register

__all__ = [
    "KIND_LABELS",
    "MODE_LABELS",
    "NATURE_LABELS",
    "STATUS_LABELS",
    "VAT_EXEMPTION_DEFAULT",
    "ZERO_VAT_REGIMES",
]

CAE_FIELD_LABELS = {
    "name": "la raison sociale",
    "legal_form": "la forme juridique",
    "capital_wording": "la mention du capital",
    "address": "l'adresse",
    "postcode": "le code postal",
    "city": "la commune",
    "siren": "le SIREN",
    "siret": "le SIRET",
    "rcs_city": "la ville du RCS",
    "vat_number": "le numéro de TVA intracommunautaire",
    "late_penalty_text": "le texte des pénalités de retard",
}

_missing_cae = {
    f"missing_cae_{name}": f"Identité de la CAE incomplète : {CAE_FIELD_LABELS[name]} manque."
    for name in MANDATORY_FOR_INVOICES
}

register(
    {
        **_missing_cae,
        "missing_client_address": "Client : l'adresse manque.",
        "missing_client_postcode": "Client : le code postal manque.",
        "missing_client_city": "Client : la commune manque.",
        "missing_client_siren": "Client professionnel : le SIREN manque.",
        "missing_client_vat_number": (
            "Client professionnel hors de France : le numéro de TVA intracommunautaire manque."
        ),
        "missing_vat_exemption_text": (
            "Une ligne est à 0 % de TVA : indiquez la mention d'exonération "
            "(ex. « TVA non applicable, art. 293 B du CGI »)."
        ),
        "no_lines": "La facture n'a aucune ligne.",
        "invalid_quantity": "Quantité invalide (4 décimales au plus).",
        "choose_entrepreneur_first": "Choisissez d'abord l'entrepreneur.",
        "quantity_zero": "La quantité ne peut pas être nulle.",
        "negative_quantity_invoice": (
            "Quantité négative : seules les lignes d'un avoir peuvent être négatives."
        ),
        "positive_quantity_credit_note": "Dans un avoir, les quantités sont négatives.",
        "too_large": "Valeur trop grande.",
        "invalid_vat_rate": "Taux de TVA non autorisé (20, 10, 5,5, 2,1 ou 0 %).",
        "invalid_discount": "La remise doit être comprise entre 0 et 100 %.",
        "client_of_other_entrepreneur": "Ce client appartient à un autre entrepreneur.",
        "credit_exceeds_invoice": (
            "L'avoir dépasse ce qui reste à annuler sur la facture ({remaining_text})."
        ),
        "overpayment": "Paiement supérieur au reste dû ({due_text}).",
        "amount_not_positive": "Le montant doit être positif.",
        "paid_before_issue": "Le paiement ne peut pas précéder la date de la facture.",
        "invalid_country": "Code pays invalide (2 lettres, ex. FR, BE).",
        "siret_not_of_siren": "Ce SIRET n'appartient pas au SIREN indiqué.",
        "payment_terms_too_long": "Délai de paiement trop long ({max} jours au plus).",
        "invalid_invoice_number": "Numéro de facture invalide : {number}",
        # French e-invoicing rules (app/invoicing/einvoicing.py, french_rules.py).
        "missing_client_einvoicing_address": (
            "Client : l'adresse de facturation électronique manque (son adresse de "
            "réception sur sa plateforme, ou à défaut un e-mail). Ajoutez-la dans la fiche du client."
        ),
        "invalid_einvoicing_address": (
            "Adresse électronique non reconnue : « 0225:SIREN » (ou SIREN_suffixe), "
            "« EM:adresse@mail » ou un e-mail ; lettres, chiffres, + - _ . seulement."
        ),
        "einvoicing_address_too_long": "Adresse électronique trop longue (125 caractères au plus).",
        "einvoicing_address_not_of_siren": (
            "Client professionnel français : l'adresse de facturation électronique est "
            "« 0225: » suivi de son SIREN (laissez vide pour l'adresse par défaut)."
        ),
        "mixed_zero_vat_categories": (
            "Les lignes à 0 % relèvent de régimes de TVA différents : faites une facture par régime."
        ),
        "vat_category_o_mixed": (
            "Une opération hors champ de la TVA ne se facture pas avec des lignes soumises à la TVA."
        ),
        "missing_client_vat_number_intra_eu": (
            "Livraison intracommunautaire : le numéro de TVA intracommunautaire du client manque."
        ),
        "missing_client_vat_number_reverse_charge": (
            "Autoliquidation : le numéro de TVA intracommunautaire du client manque."
        ),
        "invalid_vat_category": "Régime de TVA inconnu.",
        "vat_category_rate_mismatch": (
            "Régime de TVA incohérent avec le taux (taux normal au-dessus de 0 %, "
            "exonération, autoliquidation, export… à 0 %)."
        ),
        "french_rule_number": (
            "Numéro refusé par les règles françaises ({rule}) : 35 caractères au plus, "
            "lettres, chiffres et + - _ / seulement."
        ),
        "french_rule_date": "Date refusée par les règles françaises ({rule}) : entre 2000 et 2099.",
        "french_rule_due_before_issue": (
            "La date d'échéance ne peut pas précéder la date d'émission ({rule})."
        ),
        "unprintable_characters": (
            "La facture ne peut pas imprimer ces caractères : {chars}. Retirez-les ou "
            "remplacez-les (idéogrammes, symboles rares…)."
        ),
        "right_to_left_text": (
            "Écriture de droite à gauche ({chars}) : la facture ne sait pas encore "
            "l'imprimer correctement. Écrivez ce texte en caractères latins."
        ),
        "french_rule_deposit_framework": (
            "Une facture d'acompte ne peut pas porter le cadre « facture définitive après "
            "acompte » ({rule})."
        ),
        "deposit_invoice_required": "Facture de solde : choisissez la facture d'acompte à déduire.",
        "deposit_not_an_issued_deposit": (
            "La facture à déduire doit être une facture d'acompte émise."
        ),
        "deposit_of_another_client": "Cette facture d'acompte est celle d'un autre client.",
        "deposit_only_on_final_invoice": (
            "Seule une facture de solde déduit une facture d'acompte."
        ),
        "deposit_role_on_credit_note": "Un avoir n'est ni une facture d'acompte ni de solde.",
        "deposit_already_deducted": (
            "Cette facture d'acompte est déjà déduite par une autre facture de solde."
        ),
        "deposit_deduction_mismatch": (
            "Les lignes négatives doivent déduire exactement les factures d'acompte choisies "
            "(n° {number}) : mêmes montants hors taxes et mêmes taux."
        ),
        "deposit_exceeds_invoice": ("L'acompte déduit dépasse le montant de la facture de solde."),
        "french_rule_mentions": (
            "Mentions obligatoires manquantes ({rule}) : complétez les pénalités de retard "
            "dans l'identité de la CAE."
        ),
        "french_rule_siren": "SIREN de la CAE manquant ou invalide ({rule}).",
        "french_rule_vat": "Régime ou taux de TVA refusé par les règles françaises ({rule}).",
        "french_rule_amount": "Montant ou quantité hors format ({rule}).",
        "french_rule_failed": "La facture ne respecte pas la règle française {rule}.",
        "invalid_series_prefix": "Préfixe de série invalide : {prefix}",
    },
    {
        "invoice_issued_immutable": (
            "Cette facture est émise : elle ne peut plus être modifiée ni supprimée. "
            "Pour l'annuler, faites un avoir."
        ),
        "invoice_not_draft": "Cette facture est déjà émise.",
        "deposit_not_an_issued_deposit": "Ce n'est pas une facture d'acompte émise.",
        "invoice_not_issued": "Cette facture n'est pas encore émise.",
        "invoice_not_paid": "Cette facture n'est pas entièrement payée : pas encore de facture acquittée.",
        "issue_date_before_last": (
            "Date d'émission antérieure à la dernière facture de la série ({last_issue_date}) : "
            "la numérotation doit rester chronologique."
        ),
        "credit_note_needs_issued_invoice": "Un avoir ne peut porter que sur une facture émise.",
        "payment_needs_issued_invoice": "Seule une facture émise peut recevoir un paiement.",
        "invoice_pdf_missing": "Le PDF de cette facture est introuvable : {path}",
        "invoice_pdf_altered": (
            "Le PDF enregistré a été modifié depuis l'émission ({path}) : il n'est pas ouvert."
        ),
        "invoice_pdf_path_unsafe": (
            "L'emplacement enregistré pour le PDF de cette facture sort du dossier des "
            "documents du profil ({path}) : il n'est pas ouvert."
        ),
    },
)


def money_or_blank(cents: int) -> str:
    return formatting.money(cents) if cents else ""
