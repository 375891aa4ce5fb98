"""French words of the cae_options screens (docs/architecture.md, "Where wording lives")."""

from __future__ import annotations

from typing import Final

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
