"""Words of the Ateliers area: the workshop list, the session and catalogue dialogs, a person's
workshop tab and the signing screen. The area's error messages are in ui/pages/workshops_texts.py.

See docs/architecture.md §3, "Where wording lives".
"""

from __future__ import annotations

from typing import Final

# Words the Ateliers screens share
THEME: Final[str] = "Thème"
PLACE: Final[str] = "Lieu"
FUNDERS: Final[str] = "Financeurs"
ATTENDANCE: Final[str] = "Présence"
NO_EMBLEM: Final[str] = "Aucun emblème"
EMBLEM: Final[str] = "Emblème"

# Workshop list (ui/pages/workshops_page.py)
REGISTERED: Final[str] = "Inscrits"
ATTENDANCE_SHEET: Final[str] = "Émargement"
SHEET_TO_FILL: Final[str] = "⚠ à remplir"
SHEET_TO_FILL_TOOLTIP: Final[str] = "Un créneau passé n'a aucune présence notée"
WORKSHOPS_AREA_TITLE: Final[str] = "Ateliers"
SEARCH_TITLE_PLACEHOLDER: Final[str] = "Rechercher un intitulé…"
ALL_KINDS: Final[str] = "Tous types"
SHEET_NOT_FILLED_ONLY: Final[str] = "Émargement non rempli"
NEW_SESSION_BUTTON: Final[str] = "Nouvelle session…"
BATCH_ATTESTATIONS: Final[str] = "Attestations de la sélection"
BATCH_ATTESTATIONS_TOOLTIP: Final[str] = (
    "Attestations de présence pour toutes les sessions sélectionnées dans la liste"
)
CATALOGUE_BUTTON: Final[str] = "Thèmes et financeurs…"
ALL_THEMES: Final[str] = "Tous thèmes"
NO_SESSION: Final[str] = "Aucune session."
NOBODY_PRESENT: Final[str] = "Personne n'a été noté présent dans ces sessions."
WITH_WAITING: Final[str] = "{registered} (+{waiting} en attente)"

# Workshop tab of a person record (ui/pages/workshop_person_tab.py)
ATTENDANCE_HOURS: Final[str] = "Heures de présence"
SESSIONS: Final[str] = "Sessions"
REGISTRATION: Final[str] = "Inscription"
SESSIONS_DOUBLE_CLICK: Final[str] = "Sessions (double-clic pour ouvrir)"
TOTAL_ATTENDANCE_HOURS: Final[str] = "Total des heures de présence : {hours}"

# Theme and funder catalogue (ui/dialogs/workshop_catalogue_dialog.py)
DEFAULT_DURATION: Final[str] = "Durée par défaut"
NEW_THEME: Final[str] = "Nouveau thème"
SAVE_THEME: Final[str] = "Enregistrer le thème"
CHOOSE_PNG: Final[str] = "Choisir une image PNG…"
REMOVE_EMBLEM: Final[str] = "Retirer l'emblème"
MANDATORY_STATEMENT: Final[str] = "Mention obligatoire"
SAVE_FUNDER: Final[str] = "Enregistrer le financeur"
FUNDER_SAVED: Final[str] = "Financeur enregistré."
CATALOGUE_TITLE: Final[str] = "Catalogue des ateliers et financeurs"
WORKSHOP_THEMES: Final[str] = "Thèmes d'ateliers"

# Session dialog (ui/dialogs/workshop_session_dialog.py)
REMOVE_SLOT: Final[str] = "Retirer"
ADD_MORNING: Final[str] = "+ Matin (9 h – 12 h 30)"
ADD_AFTERNOON: Final[str] = "+ Après-midi (14 h – 17 h 30)"
EDIT_SESSION_TITLE: Final[str] = "Modifier la session"
NEW_SESSION_TITLE: Final[str] = "Nouvelle session"
SESSION_TITLE_PLACEHOLDER: Final[str] = "Intitulé exact du programme financé"
ANIMATEURS_PLACEHOLDER: Final[str] = "Nom(s), séparés par des virgules"
NO_LIMIT: Final[str] = "Sans limite"
WAITING_LIST: Final[str] = "Liste d'attente au-delà de la capacité"
SLOTS: Final[str] = "Créneaux"
ANIMATEURS: Final[str] = "Animateur(s)"
CAPACITY: Final[str] = "Capacité"
AT_PERMANENCE: Final[str] = "Permanence"
OTHER_ADDRESS: Final[str] = "Autre adresse"
ADDRESS_PLACEHOLDER: Final[str] = "Salle, adresse, commune"
DEFAULT_SESSION_TITLE: Final[str] = "Atelier {theme}"


# Signing on the laptop (ui/dialogs/signing_dialog.py)
SIGNATURE_FRAME: Final[str] = "Cadre de signature"
SIGNING_TITLE: Final[str] = "Émargement — signature sur le poste"
NOT_YET_SIGNED: Final[str] = "Participants qui n'ont pas encore signé"
CLEAR_SIGNATURE: Final[str] = "Effacer"
VALIDATE_SIGNATURE: Final[str] = "Valider la signature"
TRAINER_NAME_PLACEHOLDER: Final[str] = "Nom du formateur ou de la formatrice"
COUNTERSIGN_AND_CLOSE: Final[str] = "Contresigner (formateur) et clore"
TRAINER: Final[str] = "Formateur :"
HALF_DAY_SEALED: Final[str] = "Demi-journée close et scellée."
ALL_SIGNED: Final[str] = "Tous les participants ont signé : le formateur contresigne."
PICK_YOUR_NAME: Final[str] = "Choisissez votre nom dans la liste."
VALIDATE_COUNTERSIGNATURE: Final[str] = "Valider la contresignature et sceller"
FINISH: Final[str] = "Terminer"
COUNTERSIGNATURE_OF: Final[str] = "Contresignature de : <b>{name}</b>"
SIGNATURE_OF: Final[str] = "Signature de : <b>{name}</b>"
THANKS_SIGNED: Final[str] = "Merci, {name} : signature enregistrée."
SAVING_SIGNATURE: Final[str] = "Enregistrement de la signature de {name}…"
SAVING_COUNTERSIGNATURE: Final[str] = "Enregistrement de la contresignature…"
CLOSING_AFTER_SAVING: Final[str] = (
    "Enregistrement en cours : la fenêtre se fermera dès qu'il sera terminé."
)
SHEET_SEALED: Final[str] = "Feuille signée et scellée : {path}"


# Signing screen, signatures kept and sealed (ui/dialogs/signing_dialog.py, issue 16)
SLOT_COUNTERSIGNED: Final[str] = (
    "Cette demi-journée est contresignée : elle est close, ses signatures et ses présences "
    "ne peuvent plus changer."
)
SIGNATURE_FROZEN: Final[str] = "Une signature enregistrée ne peut être ni modifiée ni supprimée."
SIGNATURE_TOO_LONG: Final[str] = (
    "Signature trop longue : effacez et signez à nouveau, simplement, dans le cadre."
)


def session_count(total: int, total_text: str) -> str:
    """``total_text`` is ``total`` written the French way (app.formatting.number)."""
    return f"{total_text} session{'s' if total > 1 else ''}"


def sheets_not_filled(missing: int) -> str:
    """Appended to the session count of the workshop list."""
    plural = "s" if missing > 1 else ""
    return f" — ⚠ {missing} émargement{plural} non rempli{plural}"


# The CAE's training declaration number (ui/dialogs/cae_identity_dialog.py, issue 16)
NDA_LABEL: Final[str] = "N° de déclaration d'activité (NDA)"
NDA_TOOLTIP: Final[str] = (
    "Numéro de déclaration d'activité de l'organisme de formation (11 chiffres), "
    "imprimé sur les feuilles d'émargement et les attestations"
)
INVALID_NDA: Final[str] = "Numéro de déclaration d'activité invalide (11 chiffres)."

# FSE+ operation reference of a session's funder (ui/dialogs/workshop_session_dialog.py)
OPERATION_REF_PLACEHOLDER: Final[str] = "n° d'opération"
OPERATION_REF_TOOLTIP: Final[str] = (
    "Référence de l'opération chez ce financeur (FSE+ : n° d'opération de « Ma démarche "
    "FSE+ »), imprimée sur la feuille d'émargement et l'attestation"
)
INVALID_OPERATION_REF: Final[str] = (
    "Numéro d'opération invalide : lettres, chiffres, espaces, « . / _ - », {max} caractères "
    "au plus."
)

# FSE+ participant file (ui/dialogs/fse_export_dialog.py, issue 16)
FSE_BUTTON: Final[str] = "Fichier FSE+…"
FSE_BUTTON_TOOLTIP: Final[str] = (
    "Fichier des participants d'une opération FSE+ pour « Ma démarche FSE+ », "
    "avec la jauge de complétude"
)
FSE_TITLE: Final[str] = "Participants FSE+ — fichier pour « Ma démarche FSE+ »"
FSE_OPERATION: Final[str] = "Opération :"
FSE_NO_OPERATION: Final[str] = (
    "Aucune opération FSE+ : saisissez le numéro d'opération à côté du financeur FSE+ "
    "dans les sessions concernées."
)
FSE_GAUGE_FORMAT: Final[str] = "%p % de dossiers incomplets"
FSE_MISSING_TITLE: Final[str] = "Ce qui manque, par participant :"
FSE_NOTHING_MISSING: Final[str] = "Tous les dossiers sont complets."
FSE_SAVE: Final[str] = "Enregistrer le fichier…"
FSE_SAVE_TITLE: Final[str] = "Enregistrer le fichier des participants FSE+"
FSE_SAVED: Final[str] = "Fichier enregistré : {path}"
FSE_EDUCATION_NOTE: Final[str] = (
    "Le niveau d'éducation (CITE) n'est pas recueilli par Permanence : complétez la colonne "
    "avant l'import."
)


def fse_summary(total: int, incomplete: int, percent: int) -> str:
    return (
        f"{total} participant(s), {incomplete} dossier(s) incomplet(s) ({percent} %) — "
        "seuil de correction financière : 35 %."
    )


FSE_LEVEL_WORDS: Final[dict[str, str]] = {
    "ok": "Complétude suffisante.",
    "warning": "Attention : le seuil de 35 % de dossiers incomplets approche.",
    "over": (
        "Plus de 35 % de dossiers incomplets : correction financière si le fichier est "
        "envoyé tel quel. Complétez les fiches avant l'envoi."
    ),
}


def signing_status(half_day: str, signatures: int, countersigned: bool, sealed: str) -> str:
    """One half-day's signing, in the session panel's header (issue 16)."""
    text = f"{half_day} : {signatures} signature(s)"
    if not countersigned:
        return text + ", en cours"
    if sealed:
        return text + f", contresignée, scellée au siège le {sealed}"
    return text + ", contresignée, scellement au siège à la prochaine synchronisation"


SIGNING_HEADER: Final[str] = "Émargement électronique"


# Printing a session's documents (ui/pages/workshop_session_printing.py)
SHEET_SAVED: Final[str] = "Feuille enregistrée : {path}"
NO_ATTESTATION_TO_MAKE: Final[str] = (
    "Personne n'a encore été noté présent : aucune attestation à produire."
)
ATTESTATIONS_PROGRESS: Final[str] = "Attestations de présence…"
ATTESTATIONS_CANCEL: Final[str] = "Annuler"
ATTESTATIONS_SAVED: Final[str] = "{count} attestation(s) enregistrée(s) dans {folder}."
ATTESTATIONS_CANCELLED: Final[str] = "Production des attestations annulée."

# A session on screen (ui/pages/workshop_session_panel.py)
EDIT_SESSION: Final[str] = "Modifier…"
PRINT_MENU: Final[str] = "Imprimer"
PRINT_BLANK_SHEET: Final[str] = "Feuille d'émargement vierge"
PRINT_FILLED_SHEET: Final[str] = "Feuille d'émargement remplie"
PRINT_ATTESTATIONS: Final[str] = "Attestations de présence"
DELETE_SESSION: Final[str] = "Supprimer"
SIGN_ON_LAPTOP: Final[str] = "Faire signer"
SIGN_ON_LAPTOP_TOOLTIP: Final[str] = (
    "Les participants signent sur le poste pendant la demi-journée, puis le formateur"
)
REGISTRATIONS_TAB: Final[str] = "Inscriptions"
NO_SESSION_CHOSEN: Final[str] = "<i>Choisissez une session dans la liste, ou créez-en une.</i>"
HOURS_JOINER: Final[str] = " et "
SESSION_PLACE: Final[str] = "Lieu : {place}"
SESSION_ANIMATEURS: Final[str] = "Animateur(s) : {animateurs} — durée {duration}"
SESSION_ATTENDANCE_RATE: Final[str] = "Taux de présence : {rate}"
MORNING: Final[str] = "matin"
AFTERNOON: Final[str] = "après-midi"
REGISTERED_WAITING: Final[str] = "Session complète : {name} est inscrit(e) en liste d'attente."
REGISTERED_PERSON: Final[str] = "{name} est inscrit(e)."
CANCELLED_PROMOTED: Final[str] = (
    "Inscription annulée ; {name} passe de la liste d'attente aux inscrits."
)
REGISTRATION_CANCELLED: Final[str] = "Inscription annulée."
PRESENCES_NOTED: Final[str] = "{count} présence(s) notée(s)."
NOTHING_TO_MARK: Final[str] = "Rien à pointer sur les créneaux commencés."
DELETE_SESSION_TITLE: Final[str] = "Supprimer la session"
DELETE_SESSION_QUESTION: Final[str] = "Supprimer « {title} » et ses inscriptions ?"
NO_HALF_DAY_OPEN: Final[str] = (
    "Aucune demi-journée de cette session n'est ouverte à la signature maintenant "
    "(de 30 minutes avant son début à 30 minutes après sa fin)."
)

# A session's registrations (ui/pages/workshop_registrations.py)
REGISTER_PLACEHOLDER: Final[str] = "Inscrire une personne : tapez son nom, sa commune…"
WAITING_LIST_LABEL: Final[str] = "Liste d'attente"
UNREGISTER: Final[str] = "Désinscrire"
SEE_RECORD: Final[str] = "Voir la fiche"
REGISTERED_COUNT: Final[str] = "Inscrits : {count}{capacity}"
WAITING_COUNT: Final[str] = "Liste d'attente : {count}"

# Attendance grid (ui/widgets/attendance_grid.py)
PARTICIPANT: Final[str] = "Participant"
NOT_STARTED_YET: Final[str] = "à venir"
CELL_KEYS_TOOLTIP: Final[str] = "P présent · A absent · E excusé · T attendu"
ALL_PRESENT: Final[str] = "Tous présents"
ALL_PRESENT_TOOLTIP: Final[str] = (
    "Marque présents, sur les créneaux commencés, tous ceux qui ne sont pas encore pointés"
)
GRID_KEYS_LEGEND: Final[str] = (
    "Clavier : flèches pour se déplacer · P présent · A absent · E excusé · T (ou Suppr) attendu"
)
GRID_SUMMARY: Final[str] = (
    "{present} présence(s), {absent} absence(s), {excused} excusé(s), {expected} à pointer"
)
