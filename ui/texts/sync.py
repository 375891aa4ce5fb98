"""Words of the sync status shown in the window's status bar (ui/widgets/sync_status.py)
and of the Synchronisation page (ui/pages/sync_page.py).

See docs/architecture.md §3, "Where wording lives".
"""

from __future__ import annotations

from typing import Final

# How long ago the last sync succeeded
NEVER: Final[str] = "jamais"
JUST_NOW: Final[str] = "à l'instant"
MINUTES_AGO: Final[str] = "il y a {minutes} min"
HOURS_AGO: Final[str] = "il y a {hours} h"
ON_DAY: Final[str] = "le {day}"

# Status bar label (ui/widgets/sync_status.py)
NOT_ENROLLED: Final[str] = "Siège : poste non inscrit"
NOT_ENROLLED_TOOLTIP: Final[str] = (
    "Inscrivez ce poste dans Synchronisation pour partager les données."
)
SYNCED_WHEN: Final[str] = "Synchronisé {when}"
SYNC_RUNNING: Final[str] = "Synchronisation en cours…"
OFFLINE: Final[str] = "hors ligne"
SERVER: Final[str] = "Siège : {url}"


def pending_changes(count: int) -> str:
    return f"{count} modification{'s' if count > 1 else ''} en attente"


def conflicts_to_check(count: int) -> str:
    return f"{count} conflit{'s' if count > 1 else ''} à vérifier"


# Synchronisation page (ui/pages/sync_page.py): how a run ended, in its history
OUTCOME_OK: Final[str] = "Réussie"
OUTCOME_RUNNING: Final[str] = "En cours"
OUTCOME_CANCELLED: Final[str] = "Annulée"
OUTCOME_OFFLINE: Final[str] = "Siège injoignable"
OUTCOME_UNAUTHORIZED: Final[str] = "Poste refusé"
OUTCOME_UPDATE_REQUIRED: Final[str] = "Mise à jour requise"
OUTCOME_SERVER_ERROR: Final[str] = "Erreur du siège"
OUTCOME_REFUSED: Final[str] = "Réussie, avec des modifications refusées"
OUTCOME_INTERRUPTED: Final[str] = "Interrompue (application fermée)"
OUTCOME_CERTIFICATE: Final[str] = "Certificat du siège non reconnu"
OUTCOME_INSECURE_URL: Final[str] = "Adresse non sécurisée"
OUTCOME_BAD_RESPONSE: Final[str] = "Réponse du siège refusée"

# Synchronisation page: an overpayment conflict's field
OVERPAYMENT_FIELD: Final[str] = "Montant TTC / total payé"

# Synchronisation page: tables and their groups
HISTORY_STARTED: Final[str] = "Début"
HISTORY_FINISHED: Final[str] = "Fin"
HISTORY_OUTCOME: Final[str] = "Résultat"
HISTORY_PUSHED: Final[str] = "Envoyées"
HISTORY_PULLED: Final[str] = "Reçues"
CONFLICT_RECORD: Final[str] = "Fiche"
CONFLICT_FIELD: Final[str] = "Champ"
CONFLICT_KEPT: Final[str] = "Valeur gardée"
CONFLICT_LOST: Final[str] = "Valeur perdue"
CONFLICT_DETECTED: Final[str] = "Détecté"
DUPLICATE_KEPT: Final[str] = "Fiche gardée"
DUPLICATE_OTHER: Final[str] = "Fiche en double"
DUPLICATE_CITY: Final[str] = "Ville"
DUPLICATE_CREATED: Final[str] = "Créée le"
CONFLICTS_GROUP: Final[str] = "Conflits à vérifier"
DUPLICATES_GROUP: Final[str] = "Doublons à fusionner"
CONFLICTS_NONE: Final[str] = "Conflits à vérifier : aucun"
DUPLICATES_NONE: Final[str] = "Doublons à fusionner : aucun"
HISTORY_GROUP: Final[str] = "Historique"

# Synchronisation page: enrolment
ENROLMENT_GROUP: Final[str] = "Inscription auprès du siège"
ENROL_CODE_PLACEHOLDER: Final[str] = "ABCD-EFGH-JKLM (donné par le siège)"
SERVER_URL: Final[str] = "Adresse du siège"
ENROL_CODE: Final[str] = "Code d'inscription"
ENROL_DEVICE: Final[str] = "Inscrire ce poste"
ENROLLED_AS: Final[str] = "Poste inscrit : {device} — série de factures {series} — siège {server}"
NOT_ENROLLED_YET: Final[str] = "Ce poste n'est pas encore inscrit auprès du siège."
ENROLLED_FIRST_SYNC: Final[str] = "Poste inscrit. Première synchronisation en cours…"

# Synchronisation page: buttons
SYNC_NOW: Final[str] = "Synchroniser"
OPEN_RECORD: Final[str] = "Ouvrir la fiche"
MARK_CHECKED: Final[str] = "Marquer comme vérifié"
MERGE_BOTH: Final[str] = "Fusionner les deux fiches"
MERGE_TITLE: Final[str] = "Fusionner"
MERGE_QUESTION: Final[str] = (
    "Fusionner « {name} » dans la fiche créée le {created} ? Les entretiens, ateliers et "
    "factures seront rattachés à la fiche gardée."
)

# Synchronisation page: a run's progress and end
STEP_PUSH: Final[str] = "Envoi"
STEP_PULL: Final[str] = "Réception"
STEP_PROGRESS: Final[str] = "{step} des modifications… ({done} / {total})"
SYNC_DONE: Final[str] = "Synchronisation réussie : {pushed} envoyée(s), {pulled} reçue(s)."
MORE_REFUSALS: Final[str] = "\n… et {count} autre(s), listées ci-dessous."
CLOCK_WRONG: Final[str] = " L'horloge de cet ordinateur n'est pas à l'heure : vérifiez-la."
SYNC_CANCELLED: Final[str] = "Synchronisation annulée ; elle reprendra où elle s'est arrêtée."
