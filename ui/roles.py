"""Who may edit what on this laptop (issue 14, item 10), in the words shown to the user.

The CAE's legal identity and the option lists belong to the siège's staff
(docs/authority.md: written by siège devices only). The laptop knows its role from the
siège (app/sync/role.py); an accompagnateur's laptop shows those screens read-only and
says why, rather than letting the user type changes the siège would refuse. A laptop
not enrolled yet edits them: it is alone and must set itself up.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.sync.role import DeviceRole, laptop_role
from ui.context import AppContext


class Subject(StrEnum):
    CAE_IDENTITY = "cae_identity"
    OPTION_LISTS = "option_lists"


# (accompagnateur, role not known yet, laptop alone) for each subject.
NOTES: dict[Subject, tuple[str, str, str]] = {
    Subject.CAE_IDENTITY: (
        "Lecture seule : ce poste est inscrit auprès du siège comme poste d'accompagnateur. "
        "L'identité de la CAE est tenue par le personnel du siège et reçue à chaque "
        "synchronisation ; pour une correction, adressez-vous au siège.",
        "Lecture seule : ce poste est inscrit auprès du siège, qui n'a pas encore indiqué "
        "son rôle. Synchronisez-le ; seul un poste du siège modifie l'identité de la CAE.",
        "Ce poste n'est pas encore inscrit auprès du siège : vous pouvez régler l'identité "
        "de la CAE vous-même pour travailler seul. Après l'inscription, ce sera celle du "
        "siège, modifiable par son personnel seulement.",
    ),
    Subject.OPTION_LISTS: (
        "Lecture seule : ce poste est inscrit auprès du siège comme poste d'accompagnateur. "
        "Les listes de choix sont tenues par le personnel du siège et reçues à chaque "
        "synchronisation ; pour un ajout ou une correction, adressez-vous au siège.",
        "Lecture seule : ce poste est inscrit auprès du siège, qui n'a pas encore indiqué "
        "son rôle. Synchronisez-le ; seul un poste du siège modifie les listes de choix.",
        "Ce poste n'est pas encore inscrit auprès du siège : vous pouvez régler les listes "
        "de choix vous-même pour travailler seul. Après l'inscription, ce seront celles du "
        "siège, modifiables par son personnel seulement.",
    ),
}
SIEGE_NOTE = (
    "Poste du siège : vos modifications sont envoyées à tous les postes à la prochaine "
    "synchronisation."
)


@dataclass(frozen=True)
class Rights:
    editable: bool
    note: str


def reference_rights(ctx: AppContext, subject: Subject) -> Rights:
    """May the user edit ``subject`` here, and the sentence that says why or why not."""
    state = laptop_role(ctx.profile)
    accompagnateur, unknown, alone = NOTES[subject]
    if not state.enrolled:
        return Rights(True, alone)
    if state.role is DeviceRole.SIEGE:
        return Rights(True, SIEGE_NOTE)
    return Rights(False, unknown if state.role is None else accompagnateur)
