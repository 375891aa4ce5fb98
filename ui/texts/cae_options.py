"""Words of the settings screens: the CAE identity dialog, the option lists, and what each
role may change there (ui/roles.py).

See docs/architecture.md §3, "Where wording lives".
"""

from __future__ import annotations

from typing import Final

# Words the settings screens share
LOGO: Final[str] = "Logo"

# Read-only notices (ui/roles.py)
IDENTITY_READ_ONLY_ACCOMPAGNATEUR: Final[str] = (
    "Lecture seule : ce poste est inscrit auprès du siège comme poste d'accompagnateur. "
    "L'identité de la CAE est tenue par le personnel du siège et reçue à chaque "
    "synchronisation ; pour une correction, adressez-vous au siège."
)
IDENTITY_READ_ONLY_NO_ROLE: Final[str] = (
    "Lecture seule : ce poste est inscrit auprès du siège, qui n'a pas encore indiqué son"
    " rôle. Synchronisez-le ; seul un poste du siège modifie l'identité de la CAE."
)
IDENTITY_NOT_ENROLLED: Final[str] = (
    "Ce poste n'est pas encore inscrit auprès du siège : vous pouvez régler l'identité de"
    " la CAE vous-même pour travailler seul. Après l'inscription, ce sera celle du siège,"
    " modifiable par son personnel seulement."
)
OPTIONS_READ_ONLY_ACCOMPAGNATEUR: Final[str] = (
    "Lecture seule : ce poste est inscrit auprès du siège comme poste d'accompagnateur. "
    "Les listes de choix sont tenues par le personnel du siège et reçues à chaque "
    "synchronisation ; pour un ajout ou une correction, adressez-vous au siège."
)
OPTIONS_READ_ONLY_NO_ROLE: Final[str] = (
    "Lecture seule : ce poste est inscrit auprès du siège, qui n'a pas encore indiqué son"
    " rôle. Synchronisez-le ; seul un poste du siège modifie les listes de choix."
)
OPTIONS_NOT_ENROLLED: Final[str] = (
    "Ce poste n'est pas encore inscrit auprès du siège : vous pouvez régler les listes de"
    " choix vous-même pour travailler seul. Après l'inscription, ce seront celles du "
    "siège, modifiables par son personnel seulement."
)
SIEGE_EDITS_SENT: Final[str] = (
    "Poste du siège : vos modifications sont envoyées à tous les postes à la prochaine "
    "synchronisation."
)

# CAE identity dialog (ui/dialogs/cae_identity_dialog.py)
COMPANY_NAME: Final[str] = "Raison sociale"
LEGAL_FORM: Final[str] = "Forme juridique (ex. SCOP SA)"
CAPITAL_WORDING: Final[str] = "Capital (mention, ex. à capital variable)"
HEAD_OFFICE_SIRET: Final[str] = "SIRET du siège"
RCS_CITY: Final[str] = "Ville du RCS"
NAF_CODE: Final[str] = "Code NAF"
CAE_IDENTITY_TITLE: Final[str] = "Identité de la CAE (mentions des factures)"
PAYMENT_TERMS: Final[str] = "Délai de paiement"
LATE_PENALTIES: Final[str] = "Pénalités de retard"
EARLY_PAYMENT: Final[str] = "Escompte"
YEARLY_NUMBERING: Final[str] = "Numérotation remise à zéro chaque année"
CREDIT_NOTES_OWN_SERIES: Final[str] = "Avoirs dans une série à part"
CHANGE_LOGO: Final[str] = "Changer le logo…"
CHOOSE_LOGO: Final[str] = "Choisir un logo (PNG)…"
MISSING_FOR_INVOICING: Final[str] = "Pour émettre des factures, il manque : {fields}."

# Option lists (ui/pages/options_page.py)
ENTRY_SITUATIONS: Final[str] = "Situations à l'entrée"
PRESCRIBERS: Final[str] = "Prescripteurs"
SECTORS: Final[str] = "Secteurs d'activité"
EXIT_REASONS: Final[str] = "Motifs de sortie"
OPTIONS_AREA_TITLE: Final[str] = "Listes de choix"
ADD_ELLIPSIS: Final[str] = "Ajouter…"
RENAME_ELLIPSIS: Final[str] = "Renommer…"
TOGGLE_ACTIVE: Final[str] = "Activer / désactiver"
MOVE_UP: Final[str] = "Monter"
MOVE_DOWN: Final[str] = "Descendre"
DISABLED_OPTIONS_HINT: Final[str] = (
    "Les choix désactivés ne sont plus proposés mais restent lisibles sur les fiches qui "
    "les utilisent."
)
NEW_OPTION: Final[str] = "Nouveau choix :"
OPTION_LABEL: Final[str] = "Libellé :"
