"""French labels and value formats of the readable personal-data export (the JSON beside
it keeps the column names and raw values)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from app import formatting
from app.validation import display_phone

LABELS = {
    "action_plan": "Plan d'action",
    "activity_name": "Activité",
    "address": "Adresse",
    "amount_cents": "Montant",
    "analytic_code": "Code analytique",
    "anonymised_at": "Anonymisée le",
    "birth_date": "Date de naissance",
    "buyer_snapshot": "Client (copie à l'émission)",
    "buyer_reference": "Référence de l'acheteur",
    "city": "Commune",
    "captured_at": "Signée le",
    "civility": "Civilité",
    "contract_type": "Type de contrat",
    "country_code": "Pays",
    "created_at": "Créé le",
    "created_by": "Créé par",
    "decision": "Décision",
    "decision_reason": "Motif de la décision",
    "delivery_address": "Adresse de livraison",
    "delivery_city": "Commune de livraison",
    "delivery_postcode": "Code postal de livraison",
    "description": "Désignation",
    "discount_bp": "Remise",
    "due_date": "Échéance",
    "duration_minutes": "Durée (minutes)",
    "email": "E-mail",
    "end_date": "Fin",
    "exit_reason_code": "Motif de sortie",
    "experience": "Expérience",
    "first_name": "Prénom",
    "held_on": "Date",
    "is_draft": "Brouillon",
    "issue_date": "Date d'émission",
    "issued_at": "Émise le",
    "kind": "Type",
    "label": "Libellé",
    "last_contact_on": "Dernier contact",
    "last_name": "Nom",
    "mode": "Modalité",
    "motivation": "Motivation",
    "name": "Nom",
    "nature": "Nature de l'opération",
    "needs": "Besoins",
    "next_appointment": "Prochain rendez-vous",
    "next_step": "Prochaine étape",
    "note": "Note",
    "notes": "Notes",
    "number": "Numéro",
    "order_reference": "Référence de commande",
    "outcome": "Issue",
    "paid_on": "Payé le",
    "payment_terms": "Conditions de paiement",
    "phone": "Téléphone",
    "points_discussed": "Points abordés",
    "position": "Rang",
    "postcode": "Code postal",
    "prescriber_code": "Prescripteur",
    "project_how": "Comment",
    "project_territory": "Territoire",
    "project_to_whom": "À qui",
    "project_what": "Ce que la personne veut vendre",
    "quantity_e4": "Quantité",
    "reason": "Motif",
    "received_at": "Statut reçu le",
    "reference": "Référence",
    "registered_at": "Inscrit le",
    "role": "Rôle",
    "renewals": "Renouvellements",
    "sale_date": "Date de la vente",
    "sector_code": "Secteur d'activité",
    "seller_snapshot": "Émetteur (copie à l'émission)",
    "sequence": "N° d'ordre",
    "situation_code": "Situation à l'entrée",
    "siren": "SIREN",
    "start_date": "Début",
    "starts_at": "Début",
    "state": "État",
    "status": "Statut",
    "total_excl_cents": "Total HT",
    "total_incl_cents": "Total TTC",
    "total_vat_cents": "Total TVA",
    "unit": "Unité",
    "unit_price_cents": "Prix unitaire HT",
    "updated_at": "Modifié le",
    "updated_by": "Modifié par",
    "valid_from": "Depuis le",
    "vat_exemption_text": "Mention d'exonération de TVA",
    "vat_category": "Catégorie de TVA",
    "vat_number": "N° TVA",
    "vat_on_debits": "TVA sur les débits",
    "vat_rate_bp": "Taux de TVA",
}
# Internal identifiers, file locations and search keys mean nothing to the reader (the
# JSON keeps them); deleted_at is always empty for the rows exported.
HIDDEN = {"search_key", "pdf_path", "pdf_sha256", "deleted_at", "merged_into_id"}
# Date-times written as people read them, not UTC stamps (app/models: appointment,
# workshop slot, signature captured on the laptop's wall clock).
WALL_CLOCK = frozenset({"starts_at", "ends_at", "captured_at"})
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def shown(key: str) -> bool:
    return key not in HIDDEN and key != "id" and not key.endswith("_id")


def label(key: str) -> str:
    return LABELS.get(key, key.replace("_", " ").capitalize())


def value_text(key: str, value: Any) -> str:
    """A value as the rest of the app shows it: French dates, euros, percents, oui/non."""
    if key == "phone" and isinstance(value, str):
        return display_phone(value)
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int) and key.endswith("_cents"):
        return formatting.money(value)
    if isinstance(value, int) and key.endswith("_bp"):
        return formatting.percent_bp(value)
    if isinstance(value, int) and key.endswith("_e4"):
        return formatting.quantity(value)
    if isinstance(value, str) and _DATETIME.match(value):
        moment = dt.datetime.fromisoformat(value)
        # "*_at" columns are stored UTC timestamps, except the wall-clock times people
        # wrote (an appointment at 10:00); other date-times are wall-clock times too.
        if key.endswith("_at") and key not in WALL_CLOCK:
            return formatting.timestamp(moment)
        return formatting.datetime(moment)
    if isinstance(value, str) and _DATE.match(value):
        return formatting.date(dt.date.fromisoformat(value))
    return str(value)
