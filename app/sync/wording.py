"""French words for what sync reports to people: refused changes, rows refused from the
siège, the tables they belong to.

The one place these codes become French. ``python -m app sync`` (a user interface that
lives in ``app/`` because it must run without Qt) and the app's Synchronisation page
(``ui/``) both read it, so a reason is explained the same way in both. The codes are
the siège's (``siege/rules.py``, ``siege/store.py``) and the laptop's own
(``app/sync/pulled.py``).
"""

from __future__ import annotations

import json
from typing import Any


def label(key: str) -> str:
    # Technical columns a refusal may name (a missing link, a deletion): the record they
    # point to, in the words of TABLES, never "Person id" or "Deleted at".
    if key in LINKS:
        return LINKS[key]
    if key.endswith("_id") and key[:-3] in TABLES:
        return TABLES[key[:-3]]
    # Imported when first needed: ui/messages.py reads this module at start-up, and the
    # labels bring Babel (docs/architecture.md, start-up shows the window on Qt alone).
    from app.pdf.person_export_labels import label as field_label

    return field_label(key)


def value_text(key: str, value: Any) -> str:
    from app.pdf.person_export_labels import value_text as field_value

    return field_value(key, value)


TABLES = {
    "accompagnateur": "Accompagnateur",
    "activity": "Atelier",
    "activity_funder": "Financeur d'atelier",
    "activity_slot": "Séance d'atelier",
    "antenne": "Antenne",
    "appointment": "Rendez-vous",
    "attendance": "Émargement",
    "attendance_signature": "Signature d'émargement",
    "cae_identity": "Identité de la CAE",
    "cae_logo": "Logo de la CAE",
    "client": "Client",
    "client_directory": "Annuaire des plateformes (client)",
    "followup_interview": "Entretien de suivi",
    "funder": "Financeur",
    "intake_interview": "Entretien d'accueil",
    "invoice": "Facture",
    "invoice_line": "Ligne de facture",
    "invoice_pa_status": "Statut de facture électronique",
    "invoice_series": "Série de factures",
    "option_item": "Liste de choix",
    "parcours_stage": "Parcours",
    "payment": "Paiement",
    "permanence": "Permanence",
    "person": "Personne",
    "person_attachment": "Rattachement d'une personne (antenne, référent)",
    "registration": "Inscription à un atelier",
    "sheet_seal": "Scellement de feuille d'émargement",
    "workshop_theme": "Thème d'atelier",
}

# Columns of synced tables whose name is not "<table>_id" (tested over synced_tables()).
LINKS = {
    "deleted_at": "Suppression",
    "credited_invoice_id": "Facture annulée par l'avoir",
    "deposit_invoice_id": "Facture d'acompte",
    "device_id": "Poste",
    "entrepreneur_id": "Entrepreneur",
    "merged_into_id": "Fiche gardée (fusion)",
    "referent_id": "Référent",
    "series_id": "Série de factures",
    "slot_id": "Séance d'atelier",
    "theme_id": "Thème d'atelier",
}

# Refusals by the siège of a change pushed by this laptop.
PUSH_REASONS = {
    "issued_invoice_immutable": "une facture émise ne peut plus être modifiée",
    "invoice_of_another_device": "cette facture appartient à la série d'un autre poste",
    "deposit_of_another_entrepreneur": (
        "cette facture déduit une facture d'acompte d'un autre entrepreneur"
    ),
    "client_of_another_entrepreneur": (
        "ce client est celui d'un entrepreneur suivi par une autre antenne"
    ),
    "series_of_another_device": "cette série de factures appartient à un autre poste",
    "series_owner_change": "une série de factures ne change pas de poste",
    "series_prefix_of_another_device": "ce préfixe de série est celui d'un autre poste",
    "number_not_of_its_series": "ce numéro n'appartient pas à la série de la facture",
    "number_already_used": "ce numéro de facture est déjà utilisé",
    "number_skips_ahead": "ce numéro saute des numéros de la série",
    "adopted_series_closed": (
        "cette série a été close à l'inscription du poste : elle ne reçoit plus de "
        "nouveau numéro (le poste numérote dans la série que le siège lui a donnée)"
    ),
    "number_without_issue_date_or_sequence": "numéro de facture sans date d'émission",
    "issued_invoice_without_number": "facture émise sans numéro",
    "freeze_of_unissued_invoice": "facture figée sans être émise",
    "freeze_out_of_issue": "ligne figée hors de l'émission de sa facture",
    "person_of_another_antenne": "cette personne est suivie par une autre antenne",
    "row_of_another_antenne": "cette fiche dépend d'une autre antenne",
    "activity_of_another_antenne": "cet atelier appartient à une autre antenne",
    "workshop_of_another_antenne": "cet atelier appartient à une autre antenne",
    "reference_data_siege_only": (
        "les listes de référence et l'identité de la CAE ne se modifient qu'au siège"
    ),
    "siege_device_writes_reference_data_only": (
        "un poste du siège ne modifie que les données de référence"
    ),
    "pa_status_written_by_siege": (
        "les statuts de la plateforme agréée (e-facture) ne sont écrits que par le siège"
    ),
    "table_not_writable": "ce type de donnée ne se modifie pas depuis un poste",
    "signature_immutable": "une signature enregistrée ne se modifie ni ne se supprime",
    "slot_countersigned": (
        "la demi-journée est contresignée : ses signatures et ses présences sont figées"
    ),
    "signature_position_taken": (
        "une autre signature occupe déjà cette place dans la feuille (signée sur un autre poste)"
    ),
    "seal_written_by_siege": "le scellement des feuilles d'émargement est fait par le siège",
    "anonymisation_final": "une personne anonymisée ne peut pas retrouver son identité",
    "unique_key_taken": "une autre fiche porte déjà ce nom ou ce code",
    "incomplete_row": "la fiche envoyée est incomplète",
    "missing_link": "elle renvoie à une fiche que le siège ne connaît pas",
    "constraint": "la base du siège a refusé la valeur",
}

# Rows sent by the siège that this laptop refused (app/sync/pulled.py).
PULL_REASONS = {
    "unknown_table": "type de donnée inconnu",
    "unknown_field": "champ inconnu",
    "bad_row_id": "identifiant invalide",
    "bad_value": "valeur invalide ou trop longue",
    "bad_clock": "horodatage invalide",
    "clock_in_future": "horodatage de plus d'un jour dans le futur du siège",
    "unsafe_path": "emplacement de fichier hors du dossier des documents",
    "issued_invoice_immutable": "elle modifierait une facture émise",
}

# Sync failures new with transport checks (the older ones are worded in ui/sync_worker.py).
ERRORS = {
    "certificate": (
        "Le certificat du siège n'est pas reconnu par cet ordinateur : la connexion a été "
        "refusée, rien n'a été échangé. Si le siège utilise sa propre autorité de "
        "certification, indiquez son certificat dans la variable SSL_CERT_FILE ; sinon "
        "prévenez le siège. Vos modifications sont gardées."
    ),
    "insecure_url": (
        "Adresse du siège refusée : hors de cet ordinateur, la synchronisation passe "
        "uniquement par https://. Vos modifications sont gardées."
    ),
    "bad_response": (
        "Réponse du siège refusée par ce poste (incohérente ou trop volumineuse) ; rien "
        "n'en a été appliqué. Nouvelle tentative plus tard ; si cela dure, prévenez le siège."
    ),
    "token_unknown": (
        "Le siège ne reconnaît pas la clé de ce poste : soit le poste a été révoqué, soit le "
        "siège a été restauré depuis une sauvegarde plus ancienne que la dernière "
        "synchronisation. Rien n'a été échangé et vos modifications non envoyées sont "
        "gardées. Demandez à l'administrateur du siège un nouveau code d'inscription pour "
        "ce poste (python -m siege device enroll NOM_DU_POSTE) et saisissez-le dans la page "
        "Synchronisation : le poste garde son nom, sa série de factures et ses données."
    ),
    # Enrolment of a profile that issued invoices before it (siege/local_series.py).
    "local_series_taken": (
        "Inscription refusée : ce poste a émis des factures sous le préfixe {prefix} avant "
        "d'être inscrit, et ce préfixe appartient déjà à un autre poste du siège : les deux "
        "séries porteraient les mêmes numéros. Rien n'a changé : ce poste garde ses factures, "
        "le code d'inscription reste valable. Une facture émise ne se renumérote pas : avant "
        "d'inscrire ce poste, voyez avec l'administrateur du siège et la comptabilité "
        "(avoirs sur l'une des deux séries)."
    ),
    "local_series_unknown": (
        "Inscription refusée : ce profil contient des factures de la série {prefix} que le "
        "siège n'a pas et que ce poste n'a pas à envoyer (profil de démonstration, ou copie "
        "d'un autre poste). Rien n'a changé, le code d'inscription reste valable. "
        "L'administrateur du siège charge d'abord ce profil : « python -m siege "
        "import-profile {folder} », puis inscrit ce poste, sous un nom pas encore inscrit, "
        "pour les antennes de ses personnes et avec sa série : « python -m siege device "
        "enroll NOM {antennes} --series {prefix} », et vous donne ce nouveau code."
    ),
}
FIELD_ERRORS = {
    "insecure_url": (
        "Adresse non sécurisée : utilisez https:// (http:// seulement vers cet ordinateur)."
    ),
}

KINDS = {
    "field": "Valeur remplacée par une modification simultanée",
    "delete_edit": "Fiche supprimée sur un poste, modifiée sur un autre",
    "overpayment": "Facture payée plus que son montant (paiements enregistrés sur deux postes)",
    "merged": "Doublon fusionné (même nom ou même code créé sur deux postes)",
    "invoice_double_issue": "Facture émise deux fois : proposer un avoir",
    "rejected": "Modification refusée par le siège",
    "pull_refused": "Donnée du siège refusée par ce poste",
    "apply_failed": "Donnée reçue en double",
    # app/sync/journal.py: the lost column holds the operation numbers (« 12-17, 20 »).
    "restore_gap": (
        "Siège restauré d'une sauvegarde : modifications de ce poste (numéros d'opération) "
        "trop anciennes pour être renvoyées, à saisir à nouveau"
    ),
}


def table_name(table: str) -> str:
    return TABLES.get(table, table)


def push_reason(reason: str) -> str:
    """``"unique_key_taken: name"`` → the French of ``unique_key_taken``."""
    code = reason.split(":", 1)[0].strip()
    return PUSH_REASONS.get(code, f"règle du siège non respectée ({code[:60]})")


def pull_reason(reason: str) -> str:
    return PULL_REASONS.get(reason, f"donnée non conforme ({reason[:60]})")


def refused_change_line(table: str, row_id: str, reason: str, fields: tuple[str, ...]) -> str:
    what = table_name(table)
    champs = f" (champs : {', '.join(label(f) for f in fields)})" if fields else ""
    return (
        f"Modification refusée par le siège — {what} {row_id[:8]}…{champs} : "
        f"{push_reason(reason)}. Votre saisie est gardée dans « Conflits à vérifier »."
    )


def pulled_refusal_line(table: str, row_id: str, reason: str) -> str:
    return f"Donnée du siège refusée — {table_name(table)} {row_id[:8]}… : {pull_reason(reason)}."


def values_text(raw: str) -> str:
    """A stored JSON object of field values as ``champ : valeur ; …`` (raw text as is)."""
    try:
        values: Any = json.loads(raw) if raw else {}
    except ValueError:
        return raw
    if not isinstance(values, dict):
        return raw
    return " ; ".join(f"{label(name)} : {_value(name, v)}" for name, v in values.items())


def money_text(cents: str) -> str:
    """A stored amount in cents ("19200") as euros; anything else as is."""
    from app import formatting

    try:
        return formatting.money(int(cents))
    except ValueError:
        return cents


def field_value(name: str, raw: str) -> str:
    """One field's stored text as the app shows it (a phone number spaced, a mark in words)."""
    return _value(name, raw) if raw else ""


def fields_text(fields: str) -> str:
    """Stored comma-separated column names as French labels."""
    return ", ".join(label(f) for f in fields.split(",") if f)


def _value(name: str, value: Any) -> str:
    if value is None or value == "":
        return "(vide)"
    try:
        return value_text(name, value)[:200]
    except (ValueError, TypeError):
        return str(value)[:200]
