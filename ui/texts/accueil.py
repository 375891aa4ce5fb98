"""Words of the Accueil area: the person list and record, the intake and follow-up interviews,
parcours stages, appointments and the Entretiens page.

See docs/architecture.md §3, "Where wording lives".
"""

from __future__ import annotations

from typing import Final

# Words the Accueil screens share (person dialog and record, interviews)
BIRTH_DATE: Final[str] = "Date de naissance"
REFERENT: Final[str] = "Référent"
ENTRY_SITUATION: Final[str] = "Situation à l'entrée"
PRESCRIBER: Final[str] = "Prescripteur"
SECTOR: Final[str] = "Secteur d'activité"
ANALYTIC_CODE: Final[str] = "Code analytique"
INTERVIEW: Final[str] = "Entretien"
DECISION: Final[str] = "Décision"
SAVE_CTRL_ENTER: Final[str] = "Enregistrer (Ctrl+Entrée)"
PRINT_REPORT: Final[str] = "Imprimer le compte rendu"
LAST_CONTACT: Final[str] = "Dernier contact"
CHANGED_BY_COLUMN: Final[str] = "Modifié par"
DRAFT: Final[str] = "Brouillon"
INTAKE_SHORT: Final[str] = "Accueil"
FOLLOWUP_SHORT: Final[str] = "Suivi"
INTERVIEWS: Final[str] = "Entretiens"
ANONYMISE: Final[str] = "Anonymiser"
TODAY: Final[str] = "Aujourd'hui"

# Person list (ui/pages/persons_page.py)
PEOPLE_AREA_TITLE: Final[str] = "Personnes"
SITUATION: Final[str] = "Situation"
PEOPLE_SEARCH_PLACEHOLDER: Final[str] = "Rechercher (nom, prénom, e-mail, téléphone, commune)…"
NEW_PERSON_BUTTON: Final[str] = "Nouvelle personne…"
NO_PERSON_MATCHES: Final[str] = "Aucune personne ne correspond."
NO_PERSON: Final[str] = "Aucune personne."

# Appointment dialog (ui/dialogs/appointment_dialog.py)
APPOINTMENT_TITLE: Final[str] = "Nouveau rendez-vous"
APPOINTMENT_WHEN: Final[str] = "Date et heure"

# Person dialog (ui/dialogs/person_dialog.py)
DUPLICATE_MAY_EXIST: Final[str] = "Cette personne existe peut-être déjà :"
OPEN_EXISTING_RECORD: Final[str] = "Ouvrir la fiche existante"
NOT_THE_SAME_PERSON_CREATE: Final[str] = "Ce n'est pas la même personne : créer"
EDIT_RECORD_TITLE: Final[str] = "Modifier la fiche"
NEW_PERSON_TITLE: Final[str] = "Nouvelle personne"
PERSON_NOTES_PLACEHOLDER: Final[str] = (
    "Notes factuelles : la personne peut les lire sur demande. Ni numéro de sécurité "
    "sociale, ni donnée de santé."
)
CIVILITY: Final[str] = "Civilité"
FIRST_NAME_REQUIRED: Final[str] = "Prénom *"
LAST_NAME_REQUIRED: Final[str] = "Nom *"
ACTIVITY_NAME: Final[str] = "Nom de l'activité"
CREATE_NEW_RECORD: Final[str] = "Créer une nouvelle fiche"
CREATE_DESPITE_DUPLICATE: Final[str] = "Créer une nouvelle fiche alors qu'une fiche proche existe ?"
PERSON_STAMP: Final[str] = "Créée par {created} — dernière modification par {updated}"

# Parcours stage dialog (ui/dialogs/stage_dialog.py)
EDIT_STAGE_TITLE: Final[str] = "Modifier l'étape"
NEW_STAGE_TITLE: Final[str] = "Nouvelle étape du parcours"
STAGE: Final[str] = "Étape"
STAGE_START: Final[str] = "Début"
STAGE_END: Final[str] = "Fin"
RENEWALS: Final[str] = "Renouvellements"
CONTRACT: Final[str] = "Contrat"
OUTCOME: Final[str] = "Issue"
OTHER_EXIT_REASON: Final[str] = "Autre motif"
CAPE_DURATION_HINT: Final[str] = "Une convention dure 12 mois, renouvelable {renewals} fois."

# Follow-up interview dialog (ui/dialogs/followup_dialog.py)
SET_NEXT_APPOINTMENT: Final[str] = "Fixer le prochain rendez-vous"
DURATION: Final[str] = "Durée"
MODE: Final[str] = "Modalité"
POINTS_DISCUSSED_REQUIRED: Final[str] = "Points abordés *"
ACTION_PLAN: Final[str] = "Plan d'action"
NEXT_APPOINTMENT: Final[str] = "Prochain rendez-vous"
FOLLOWUP_TITLE: Final[str] = "Entretien de suivi — {name}"
FOLLOWUP_SAVED_BY: Final[str] = "Enregistré par {stamp}"

# Intake interview dialog (ui/dialogs/intake_dialog.py)
PROJECT_WHAT_REQUIRED: Final[str] = "Que veut vendre la personne ? *"
PROJECT_HOW: Final[str] = "Comment ?"
PROJECT_TO_WHOM: Final[str] = "À qui ?"
PROJECT_TERRITORY: Final[str] = "Sur quel territoire ?"
EXPERIENCE: Final[str] = "Expérience"
MOTIVATION: Final[str] = "Motivation"
NEEDS: Final[str] = "Besoins"
ACCOMPAGNATEUR_REQUIRED: Final[str] = "Accompagnateur *"
THE_PROJECT: Final[str] = "Le projet"
DECISION_REASON: Final[str] = "Motif / partenaire"
CONVENTION_START: Final[str] = "Début de la convention"
NEXT_STEP: Final[str] = "Prochaine étape"
SAVE_DRAFT: Final[str] = "Enregistrer le brouillon"
FINALISE_INTAKE_CTRL_ENTER: Final[str] = "Finaliser l'entretien (Ctrl+Entrée)"
DISCARD_DRAFT_ELLIPSIS: Final[str] = "Supprimer le brouillon…"
NEW_DRAFT_AUTOSAVED: Final[str] = "Nouveau brouillon (enregistré automatiquement)"
DISCARD_DRAFT: Final[str] = "Supprimer le brouillon"
DISCARD_DRAFT_QUESTION: Final[str] = (
    "Supprimer ce brouillon d'entretien d'accueil ? Ce qui y est écrit sera perdu."
)
INTAKE_TITLE: Final[str] = "Entretien d'accueil — {name}"
INTAKE_DRAFT_SAVED: Final[str] = "Brouillon enregistré — {stamp}"
INTAKE_FINALISED: Final[str] = "Entretien finalisé — {stamp}"
INTAKE_FINALISED_ON: Final[str] = (
    "Entretien du {date} finalisé. Vous pouvez imprimer le compte rendu."
)

# Person record tabs (ui/pages/person_tabs.py)
EVENT: Final[str] = "Événement"
DETAILS: Final[str] = "Précisions"
SUMMARY: Final[str] = "Résumé"
UNTIL: Final[str] = "jusqu'au {end}"
RENEWAL_COUNT: Final[str] = "{count} renouvellement(s)"
FOLLOWUP_MODE_DURATION: Final[str] = "{mode}, {minutes} min"

# Person record (ui/pages/person_detail_page.py)
BACK_TO_PEOPLE: Final[str] = "← Liste des personnes"
EDIT_ELLIPSIS: Final[str] = "Modifier…"
INTAKE_ELLIPSIS: Final[str] = "Entretien d'accueil…"
FOLLOWUP_ELLIPSIS: Final[str] = "Entretien de suivi…"
NEW_STAGE_ELLIPSIS: Final[str] = "Nouvelle étape…"
APPOINTMENT_ELLIPSIS: Final[str] = "Rendez-vous…"
SUMMARY_PDF: Final[str] = "Synthèse PDF"
PERSONAL_DATA: Final[str] = "Données personnelles"
EXPORT_ALL_ELLIPSIS: Final[str] = "Exporter tout (JSON + PDF)…"
ANONYMISE_ELLIPSIS: Final[str] = "Anonymiser…"
DELETE_RECORD_ELLIPSIS: Final[str] = "Supprimer la fiche…"
RENEW_CONVENTION: Final[str] = "Renouveler la convention"
DELETE_STAGE: Final[str] = "Supprimer l'étape"
DOUBLE_CLICK_TO_OPEN: Final[str] = "Double-cliquez une ligne pour l'ouvrir."
PARCOURS_TAB: Final[str] = "Parcours"
APPOINTMENTS_TAB: Final[str] = "Rendez-vous"
CANCEL_APPOINTMENT: Final[str] = "Annuler le rendez-vous"
RECORD_TAB: Final[str] = "Fiche"
ACTIVITY: Final[str] = "Activité"
DELETE_STAGE_QUESTION: Final[str] = "Supprimer cette étape du parcours ?"
DATA_EXPORTED_TITLE: Final[str] = "Données exportées"
ANONYMISE_PERSON_QUESTION: Final[str] = (
    "Anonymiser cette personne ? Son nom, ses coordonnées et les textes des entretiens "
    "seront effacés définitivement ; les dates et étapes restent pour les statistiques."
)
DELETE_RECORD_QUESTION: Final[str] = "Supprimer cette fiche ?"
STATUS: Final[str] = "Situation : {status}"
STATUS_SINCE: Final[str] = "Situation : {status} depuis le {since}"
RECORD_STAMP: Final[str] = "Fiche créée par {created} — dernière modification par {updated}"
DATA_EXPORTED: Final[str] = "Les données ont été exportées :\n{json}\n{pdf}"

# Interviews page (ui/pages/interviews_page.py)
DUE_ON: Final[str] = "Échéance"
ALERT: Final[str] = "Alerte"
START_INTERVIEW: Final[str] = "Commencer l'entretien"
RESUME_DRAFT: Final[str] = "Reprendre le brouillon"
OPEN_INTERVIEW: Final[str] = "Ouvrir l'entretien"
AGENDA_OF: Final[str] = "Agenda du"
TIME: Final[str] = "Heure"
NOBODY_EXPECTED: Final[str] = "Personne n'est attendu ce jour-là."
NO_ALERT: Final[str] = "Aucun point d'attention : conventions, suivis et échéances sont à jour."
ALERTS_HEADING: Final[str] = "<b>Points d'attention</b>"
ANONYMISE_SELECTION_ELLIPSIS: Final[str] = "Anonymiser la sélection…"
NOTHING_TO_ANONYMISE: Final[str] = "Aucune donnée à anonymiser pour le moment."
RECENT_INTERVIEWS: Final[str] = "Entretiens récents"
DATA_TO_ANONYMISE: Final[str] = "Données à anonymiser"
ALL_PERMANENCES: Final[str] = "Toutes les permanences"
RETENTION_EXPLANATION: Final[str] = (
    "Candidats non admis sans contact depuis plus de 2 ans : leurs données doivent être "
    "anonymisées (RGPD). Vérifiez chaque personne avant de confirmer."
)
ANONYMISE_PEOPLE_QUESTION: Final[str] = "Anonymiser définitivement ces personnes ?\n\n{names}"


def person_count(total: int, total_text: str) -> str:
    """``total_text`` is ``total`` written the French way (app.formatting.number)."""
    return f"{total_text} personne{'s' if total > 1 else ''}"
